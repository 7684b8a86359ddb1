"""The choose page in Chromium: descriptions beside the options, and waiting-list buttons
that keep the delegate's unsaved choices, at desktop and phone widths, axe-clean."""

from itertools import product

import pytest

from registration.models import Delegate
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey import assert_clean, axe_violations, register
from tests.factories import DelegateFactory
from workshops.models import Session
from workshops.services.booking import book_sessions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def valid_sets():
    """Every full set of the SOCEX programme: one session a round, four different workshops."""
    rounds = {}
    for session in Session.objects.select_related("workshop").order_by("time_slot__starts_at"):
        rounds.setdefault(session.time_slot_id, []).append(session)
    return [
        combo
        for combo in product(*rounds.values())
        if len({s.workshop_id for s in combo}) == len(combo)
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_join_waiting_list_keeps_unsaved_choices(page, viewport):
    page.set_viewport_size(viewport)
    sets = valid_sets()
    full = sets[0][0]  # a round-one session that someone else fills
    mine = next(c for c in sets if full.workshop_id not in {s.workshop_id for s in c})
    Session.objects.filter(pk=full.pk).update(capacity=1)
    book_sessions(delegate=DelegateFactory(event=full.time_slot.event), sessions=list(sets[0]))
    register(page)
    book_sessions(delegate=Delegate.objects.get(email="priya.shah@force.police.uk"), sessions=mine)
    page.goto("/booking/workshops/")

    # Each option says what its workshop is about, where the choice is made.
    assert (
        page.locator(f"#session-{full.pk}-summary")
        .inner_text()
        .startswith(full.workshop.summary[:40])
    )
    reports = [axe_violations(page, f"choose, booked, {viewport['width']} px")]

    # Change round two on the page without booking, then ask to wait in round one.
    round_two = page.locator("fieldset.slot-fieldset").nth(1)
    changed = round_two.locator(
        "input[type=radio]:not([disabled]):not(:checked)"
    ).first.get_attribute("value")
    page.locator(f"input[type=radio][value='{changed}']").check()
    page.get_by_role("button", name="Join the waiting list").click()
    page.get_by_text("Your other choices on this page are kept but not booked yet").wait_for()

    assert page.locator(f"input[type=radio][value='{changed}']").is_checked()
    assert page.locator(f"input[type=radio][value='{mine[1].pk}']").is_checked() is False
    assert page.get_by_text(
        "You are number 1 on the waiting list. Leave the waiting list"
    ).is_visible()
    reports.append(axe_violations(page, f"choose, waiting, choices kept, {viewport['width']} px"))
    assert_clean(reports)
    # Nothing was booked by the button.
    held = set(
        Delegate.objects.get(email="priya.shah@force.police.uk").bookings.values_list(
            "session_id", flat=True
        )
    )
    assert held == {s.pk for s in mine}
