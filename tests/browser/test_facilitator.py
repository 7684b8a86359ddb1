"""The facilitators' pages in Chromium, at 1280 and 390 px: axe-core clean in every state,
nothing wider than a phone, and a facilitator's way from emailed link to checking in."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey import assert_clean, axe_violations
from tests.factories import (
    AgencyFactory,
    DelegateFactory,
    EventFactory,
    FacilitatorFactory,
    RoomFactory,
    SessionFactory,
    TimeSlotFactory,
    WorkshopFactory,
)
from workshops.services.booking import book_sessions
from workshops.services.facilitator import issue_facilitator_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop_day(live_server):
    """Today is day two: Nia runs County Lines (access needs granted); Priya and Ben booked."""
    today = timezone.localdate()
    event = EventFactory(starts_on=today - datetime.timedelta(days=1), ends_on=today)
    event.choices_required = 1
    event.save()
    start = timezone.now() - datetime.timedelta(minutes=5)
    slot = TimeSlotFactory(
        event=event, name="Round 1", starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    session = SessionFactory(
        workshop=WorkshopFactory(event=event, title="County Lines"),
        time_slot=slot,
        room=RoomFactory(name="Avon Room", capacity=10),
    )
    police = AgencyFactory(name="Warwickshire Police")
    for first, last, needs in [("Priya", "Shah", "Hearing loop"), ("Ben", "Okafor", "")]:
        delegate = DelegateFactory(
            event=event, first_name=first, last_name=last, agency=police, accessibility_needs=needs
        )
        book_sessions(delegate=delegate, sessions=[session])
    facilitator = FacilitatorFactory(
        event=event,
        name="Nia Adeyemi",
        email="nia@training.example",
        workshops=[session.workshop],
        needs_sessions=[session],
    )
    return {"session": session, "facilitator": facilitator}


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_facilitator_pages_have_no_axe_violations(browser, live_server, workshop_day, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    reports = []

    def check(state):
        reports.append(axe_violations(page, state))
        fits(page)

    page.goto("/facilitate/sign-in/")
    check("sign in")
    page.get_by_role("button", name="Email me a link").click()
    check("sign in: an error")
    page.get_by_label("Your email").fill("nia@training.example")
    page.get_by_role("button", name="Email me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    check("link sent")

    link = issue_facilitator_link(facilitator=workshop_day["facilitator"])
    page.goto(link.removeprefix("http://127.0.0.1:8000"))
    check("open link")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/facilitate/")
    check("my sessions")

    page.get_by_role("link", name="County Lines").click()
    page.get_by_role("heading", name="Roster").wait_for()
    assert "Hearing loop" in page.content()
    check("roster with access needs")

    page.get_by_role("link", name="Email this session").click()
    check("email: write")
    page.get_by_role("button", name="Preview").click()
    check("email: errors")
    page.get_by_label("Everyone booked on one session").check()
    page.get_by_label("Subject").fill("Slides <today>")
    page.get_by_label("Message").fill("Thank you all.\n\nThe slides: https://example.org/s")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview").wait_for()
    check("email: preview")
    page.get_by_role("button", name="Send to 2 delegates").click()
    page.get_by_text("Your email is on its way to 2 delegate(s).").wait_for()
    check("roster after sending")

    page.get_by_role("link", name="Check people in at this room").click()
    page.wait_for_url("**/checkin/?door=*")
    assert page.locator("#door").input_value() == f"session:{workshop_day['session'].pk}"
    assert page.locator("#door option").count() == 1
    check("check-in page as a facilitator")
    context.close()
    assert_clean(reports)
