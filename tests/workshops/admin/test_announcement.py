"""The announcement preview and the email it sends: delegates' and organisers' text is escaped."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from outbox.models import OutgoingEmail
from tests.factories import AgencyFactory, DelegateFactory
from workshops.models import Announcement

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def organiser(db):
    return User.objects.create_superuser("organiser", "", "a-long-test-password")


@pytest.fixture
def hostile_announcement(programme, organiser):
    DelegateFactory(
        event=programme["event"],
        first_name=HOSTILE,
        last_name=HOSTILE,
        agency=AgencyFactory(name=f"Agency {HOSTILE}"),
    )
    return Announcement.objects.create(
        event=programme["event"],
        audience=Announcement.Audience.EVENT,
        subject=f"Subject {HOSTILE}",
        body=f"First line {HOSTILE}\nSecond line",
        created_by=organiser,
    )


def test_announcement_preview_escapes_what_delegates_and_organisers_typed(
    client, organiser, hostile_announcement
):
    client.force_login(organiser)
    url = reverse("admin:workshops_announcement_preview", args=[hostile_announcement.pk])
    page = client.get(url).content.decode()
    assert HOSTILE not in page
    preview = page[page.index('<pre class="socex-email-preview">') :].split("</pre>")[0]
    assert f"Dear {ESCAPED}," in preview
    assert f"First line {ESCAPED}" in preview
    assert f"<h2>What {ESCAPED} {ESCAPED} will read</h2>" in page
    assert f'<th scope="row">{ESCAPED} {ESCAPED}</th>' in page
    assert f'<td data-label="Agency">Agency {ESCAPED}</td>' in page


def test_announcement_html_email_escapes_what_delegates_and_organisers_typed(
    client, organiser, hostile_announcement
):
    client.force_login(organiser)
    client.post(reverse("admin:workshops_announcement_preview", args=[hostile_announcement.pk]))
    email = OutgoingEmail.objects.get(subject=f"Subject {HOSTILE}")
    assert HOSTILE not in email.body_html
    assert f"<p>Dear {ESCAPED},</p>" in email.body_html
    assert f"<p>First line {ESCAPED}<br>Second line</p>" in email.body_html
    # The plain-text part is not HTML: it carries the text as typed.
    assert f"Dear {HOSTILE}," in email.body_text


def test_pressing_send_again_says_it_was_sent_and_sends_nothing_more(
    client, organiser, hostile_announcement
):
    client.force_login(organiser)
    url = reverse("admin:workshops_announcement_preview", args=[hostile_announcement.pk])
    client.post(url)

    again = client.post(url, follow=True)

    assert "was already sent on" in again.content.decode()
    assert "nothing was sent again" in again.content.decode()
    assert OutgoingEmail.objects.filter(subject=f"Subject {HOSTILE}").count() == 1
