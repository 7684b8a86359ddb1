"""The agency search box: word starts and short names, never a choice made for the delegate.

Checked in Chromium at desktop and phone widths, with axe-core, and with
JavaScript off (the grouped list alone must do).
"""

import pytest

from registration.models import Agency, Delegate
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey import assert_clean, axe_violations, fill_registration
from tests.jobs import run_queued_jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def listed(page):
    """The agencies the list offers now (the placeholder left out)."""
    return page.locator("#id_agency option").evaluate_all(
        "options => options.filter(o => o.value).map(o => o.textContent)"
    )


def search(page, text):
    page.locator("#agency-filter-input").fill(text)
    return listed(page)


def counter(page, expected):
    """Wait for the live region to say `expected` (it speaks once typing pauses)."""
    page.locator("#agency-filter-count").filter(has_text=expected).wait_for()
    return page.locator("#agency-filter-count").inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_agency_search_matches_word_starts_and_short_names(page, viewport):
    page.set_viewport_size(viewport)
    page.goto("/register/")
    assert search(page, "nca") == ["National Crime Agency (NCA)"]
    assert counter(page, "1 agency") == "1 agency matches. Choose it from the list."
    assert search(page, "HMRC") == ["HM Revenue and Customs (HMRC)"]
    assert search(page, "btp") == ["British Transport Police (BTP)"]
    assert search(page, "lanc") == ["Lancashire Constabulary"]
    assert len(search(page, "rocu")) == Agency.objects.filter(kind=Agency.Kind.ROCU).count() == 9
    assert search(page, "south york") == ["South Yorkshire Police (SYP)"]
    assert search(page, "west mid") == [
        "West Midlands Police (WMP)",
        "West Midlands Regional Organised Crime Unit (WMROCU)",
    ]
    assert counter(page, "2 agencies") == "2 agencies match. Choose yours from the list."
    assert_clean([axe_violations(page, f"agency search, {viewport['width']} px")])
    # Nothing was picked for the delegate along the way.
    assert page.locator("#id_agency").input_value() == ""
    assert len(search(page, "")) == Agency.objects.filter(is_confirmed=True).count()


def test_agency_search_never_picks_and_keeps_the_delegates_choice_honest(page):
    page.goto("/register/")
    assert search(page, "kent") == ["Kent Police"]
    assert page.locator("#id_agency").input_value() == ""
    kent = Agency.objects.get(name="Kent Police")
    page.locator("#id_agency").select_option(label="Kent Police")
    # A search that no longer matches leaves the choice in place, shown and usable.
    assert search(page, "kent constab") == ["Kent Police"]
    assert counter(page, "No agency") == (
        "No agency matches “kent constab”. Try a short name such as NCA, or tick “My agency is "
        "not listed”. Your choice, Kent Police, stays selected."
    )
    assert page.locator("#id_agency").input_value() == str(kent.pk)
    assert page.locator("#id_agency option:checked").evaluate("o => !o.disabled")
    assert_clean([axe_violations(page, "agency search, no match, choice kept")])
    search(page, "")
    fill_registration(page, email="sam.okafor@kent.police.uk")
    page.locator("#id_agency").select_option(label="Kent Police")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/booking/confirm/")
    run_queued_jobs()  # the worker registers
    assert Delegate.objects.get().agency == kent


def test_agency_list_works_without_javascript(browser, live_server, socex_data):
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/register/")
        assert not page.locator("#agency-filter-input").is_visible()
        labels = page.locator("#id_agency option").all_inner_texts()
        assert "National Crime Agency (NCA)" in labels
        assert "HM Revenue and Customs (HMRC)" in labels
        assert page.locator("#id_agency optgroup").first.get_attribute("label") == "Police force"
        fill_registration(page, email="nia.patel@nca.gov.uk")
        page.locator("#id_agency").select_option(label="National Crime Agency (NCA)")
        page.get_by_role("button", name="Register").click()
        page.wait_for_url("**/booking/confirm/")
        run_queued_jobs()  # the worker registers
        assert Delegate.objects.get().agency.name == "National Crime Agency"
    finally:
        context.close()


def test_ticking_agency_not_listed_sets_the_agency_list_aside(page):
    page.goto("/register/")
    page.locator("#id_agency").select_option(label="National Crime Agency (NCA)")
    page.locator("#id_agency_not_listed").check()
    assert page.locator("#id_agency").is_disabled()
    assert page.locator("#agency-filter-input").is_disabled()
    assert page.locator("#id_other_agency").is_visible()
    page.locator("#id_agency_not_listed").uncheck()
    assert page.locator("#id_agency").is_enabled()
    assert page.locator("#agency-filter-input").is_enabled()
    assert page.locator("#id_agency").evaluate("select => select.selectedOptions[0].text") == (
        "National Crime Agency (NCA)"
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_agency_search_enter_goes_to_the_list_and_sends_nothing(page, viewport):
    page.set_viewport_size(viewport)
    page.goto("/register/")
    page.locator("#id_first_name").fill("Siobhán")
    assert search(page, "NCA") == ["National Crime Agency (NCA)"]
    page.locator("#agency-filter-input").press("Enter")  # a phone's Go key
    # Still the unsent form, as typed: the search narrowed, focus on the list to choose from.
    assert page.url.endswith("/register/")
    assert page.locator(".error-summary").count() == 0
    assert page.locator("#id_first_name").input_value() == "Siobhán"
    assert page.locator("#agency-filter-input").input_value() == "NCA"
    assert page.evaluate("document.activeElement.id") == "id_agency"
    assert page.locator("#id_agency").input_value() == ""
    assert not Delegate.objects.exists()
