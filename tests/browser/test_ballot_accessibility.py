"""The ballot's delegate pages in a real browser: axe-core clean in every state, on a phone too."""

import datetime

import pytest
from django.utils import timezone

from registration.models import Event
from tests.browser.conftest import PHONE
from tests.browser.journey import assert_clean, axe_violations, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ballot(socex_data):
    """The SOCEX 2019 event taking rankings, its ballot closing tomorrow."""
    event = Event.objects.current()
    event.booking_mode = Event.BookingMode.BALLOT
    event.ballot_closes_at = timezone.now() + datetime.timedelta(days=1)
    event.save()
    return event


def rank_selects(page):
    return page.locator("select[name^=rank_]")


def test_rank_pages_have_no_axe_violations(page, ballot):
    register(page)
    assert page.get_by_role("heading", name="Rank the day-two workshops").is_visible()
    reports = [axe_violations(page, "rank, empty")]

    selects = rank_selects(page)
    assert selects.count() == 8
    selects.nth(0).select_option("1")
    selects.nth(1).select_option("1")
    page.get_by_role("button", name="Save my ranking").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "rank 1" in summary.inner_text()
    assert selects.nth(1).get_attribute("aria-invalid") == "true"
    reports.append(axe_violations(page, "rank, two workshops ranked 1"))

    for n in range(8):
        selects.nth(n).select_option(str(n + 1))
    page.get_by_role("button", name="Save my ranking").click()
    page.wait_for_url("**/booking/")
    assert "Your ranking is saved" in page.content()
    reports.append(axe_violations(page, "manage, ranking saved"))

    ballot.ballot_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    ballot.save(update_fields=["ballot_closes_at"])
    page.goto("/booking/workshops/")
    reports.append(axe_violations(page, "ballot closed"))
    assert_clean(reports)


def test_rank_page_has_no_axe_violations_on_a_phone(page, ballot):
    page.set_viewport_size(PHONE)
    register(page)
    assert rank_selects(page).count() == 8
    assert_clean([axe_violations(page, "phone, rank")])
