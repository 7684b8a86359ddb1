"""The choose page: what each option shows, and who reaches it."""

import re

import pytest

from registration.models import Delegate
from tests.factories import DelegateFactory
from tests.page_queries import sign_in
from tests.workshops.views.test_waitlist import radio


def test_choose_page_shows_each_workshops_description_beside_its_option(client, programme):
    workshop = programme["workshops"][0]
    workshop.summary = "How county lines recruit children, and how partners break the chain."
    workshop.facilitator = "County Lines Coordination Centre"
    workshop.save()
    sign_in(client, DelegateFactory(event=programme["event"]))

    html = client.get("/booking/workshops/").content.decode()

    for session in workshop.sessions.all():
        summary_id = f"session-{session.pk}-summary"
        option = radio(html, session)
        assert f'aria-describedby="session-{session.pk}-places {summary_id}"' in option
        assert (
            f'<p class="small mb-0 mt-1 session-summary" id="{summary_id}">How county lines '
            "recruit children, and how partners break the chain. <span "
            'class="text-body-secondary">Led by County Lines Coordination Centre.</span></p>'
        ) in html
    # Described where the choice is made, not again below the Book button.
    assert "About the workshops" not in html


def test_choose_page_for_a_delegate_awaiting_approval_says_so(client, programme):
    sign_in(client, DelegateFactory(event=programme["event"], status=Delegate.Status.PENDING))

    response = client.get("/booking/workshops/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Your registration is awaiting approval</h1>" in html
    assert "<title>Your registration is awaiting approval" in html
    assert "Choose your day-two workshops" not in html
    assert 'type="radio"' not in html


@pytest.mark.parametrize(
    ("day_one", "day_two", "days"),
    [(True, True, "Day one and day two"), (True, False, "Day one"), (False, True, "Day two")],
)
def test_manage_page_days_start_with_a_capital(client, programme, day_one, day_two, days):
    delegate = DelegateFactory(
        event=programme["event"], attends_day_one=day_one, attends_day_two=day_two
    )
    sign_in(client, delegate)
    html = client.get("/booking/").content.decode()
    assert f'<dt class="col-sm-3">Days</dt><dd class="col-sm-9">{days}</dd>' in html


def test_choose_page_escapes_what_organisers_typed_in_each_option(client, programme):
    workshop = programme["workshops"][0]
    workshop.title = 'Drones <script>alert("x")</script> & Gatwick'
    workshop.summary = "Lessons <b>learnt</b>"
    workshop.facilitator = "Sussex & Surrey <i>Police</i>"
    workshop.save()
    session = workshop.sessions.first()
    session.room.name = "Room <1>"
    session.room.save()
    sign_in(client, DelegateFactory(event=programme["event"]))

    html = client.get("/booking/workshops/").content.decode()

    assert "<script>" not in html and "<b>learnt" not in html and "<i>Police" not in html
    assert (
        '<span class="fw-semibold">Drones &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; '
        "&amp; Gatwick</span>"
    ) in html
    assert '<span class="d-block small text-body-secondary">Room &lt;1&gt;</span>' in html
    assert (
        'Lessons &lt;b&gt;learnt&lt;/b&gt; <span class="text-body-secondary">Led by '
        "Sussex &amp; Surrey &lt;i&gt;Police&lt;/i&gt;.</span></p>"
    ) in html
    assert f'<label class="form-check-label" for="{_radio_id(radio(html, session))}">' in html


def _radio_id(tag):
    return re.search(r'id="([^"]+)"', tag).group(1)
