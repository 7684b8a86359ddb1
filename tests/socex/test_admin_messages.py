"""Bulk actions count what they did and what they left alone, with the right plurals."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate
from socex.admin_messages import counted
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from workshops.services.booking import cancel_registration

DELEGATES = reverse("admin:registration_delegate_changelist")


@pytest.fixture
def organiser(client, db):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    return client


def said(client, url, action, selected):
    response = client.post(
        url,
        # Actions with a confirm step go straight through: what they then say is tested here.
        {
            "action": action,
            "_selected_action": [o.pk for o in selected],
            "confirm_cancel": "yes",
        },
        follow=True,
    )
    assert response.status_code == 200
    return [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]


def test_counted_picks_the_plural_by_count():
    words = ("%(count)d registration was approved.", "%(count)d registrations were approved.")
    assert [counted(n, *words) for n in (0, 1, 2)] == [
        "0 registrations were approved.",
        "1 registration was approved.",
        "2 registrations were approved.",
    ]


def test_approve_from_the_awaiting_approval_filter_counts_the_selection(organiser, event):
    pending = DelegateFactory(event=event, status=Delegate.Status.PENDING)
    # Approving takes the row out of the filtered list the action was run from.
    messages = said(
        organiser, DELEGATES + "?status__exact=pending", "approve_registrations", [pending]
    )
    assert messages[0] == "1 registration was approved."


def test_approve_says_how_many_were_left_alone(organiser, event):
    pending = [DelegateFactory(event=event, status=Delegate.Status.PENDING) for _ in range(2)]
    others = [DelegateFactory(event=event) for _ in range(2)]
    messages = said(organiser, DELEGATES, "approve_registrations", pending + others)
    assert messages[0] == (
        "2 registrations were approved. 2 were not awaiting approval and were left alone."
    )


def test_confirm_email_addresses_from_the_not_confirmed_filter(organiser, event):
    waiting = DelegateFactory(event=event, unconfirmed=True)
    done = DelegateFactory(event=event)
    messages = said(
        organiser, DELEGATES + "?email_confirmed=no", "confirm_email_addresses", [waiting]
    )
    assert messages[0] == "1 email address was confirmed."
    messages = said(organiser, DELEGATES, "confirm_email_addresses", [waiting, done])
    assert messages[0] == "0 email addresses were confirmed. 2 were confirmed already."


def test_cancel_counts_those_cancelled_already(organiser, event):
    live = DelegateFactory(event=event)
    gone = DelegateFactory(event=event)
    cancel_registration(delegate=gone)
    messages = said(organiser, DELEGATES, "cancel_registrations", [live, gone])
    assert messages[0] == (
        "1 registration was cancelled. 1 was cancelled already and was left alone."
    )


def test_confirm_agencies_from_the_unconfirmed_filter_counts_one_agency(organiser, db):
    typed = AgencyFactory(name="Drone Watch CIC", kind=Agency.Kind.OTHER, is_confirmed=False)
    known = AgencyFactory(name="Kent Police")
    agencies = reverse("admin:registration_agency_changelist")
    messages = said(organiser, agencies + "?is_confirmed__exact=0", "confirm_agencies", [typed])
    assert messages[0] == "1 agency was confirmed."
    messages = said(organiser, agencies, "confirm_agencies", [typed, known])
    assert messages[0] == "0 agencies were confirmed. 2 were confirmed already."


def test_retry_now_counts_one_email(organiser, event):
    delegate = DelegateFactory(event=event)
    OutgoingEmail.objects.create(
        to=delegate.email, subject="Hello", body_text="Hello", about=f"delegate:{delegate.pk}"
    )
    messages = said(
        organiser,
        reverse("admin:outbox_outgoingemail_changelist"),
        "retry_now",
        list(OutgoingEmail.objects.all()),
    )
    assert messages[0] == "1 email was queued for a worker to send now."
