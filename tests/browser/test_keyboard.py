"""The journey works with a keyboard alone, and the error summary leads to each field."""

import pytest

from registration.models import Delegate
from tests.confirmation import emailed_code
from workshops.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 200


def focused(page, selector):
    return page.locator(selector).evaluate("el => el === document.activeElement")


def tab_to(page, selector):
    """Press Tab until `selector` has the focus; fail if the tab order never reaches it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def tab_to_radio_group(page, name):
    """Tab stops once per radio group, on its checked or first enabled radio."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == name:
            return
    raise AssertionError(f"radio group {name} cannot be reached with the Tab key")


def test_journey_register_choose_confirm_by_keyboard_alone(page):
    page.goto("/")
    tab_to(page, "a.btn[href='/register/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/register/")

    for selector, text in [
        ("#id_first_name", "Sam"),
        ("#id_last_name", "Okafor"),
        ("#id_email", "sam.okafor@force.police.uk"),
        ("#id_job_title", "Sergeant"),
    ]:
        tab_to(page, selector)
        page.keyboard.type(text)
    tab_to(page, "#agency-filter-input")
    page.keyboard.type("Cheshire")  # the filter leaves one agency; choosing is the delegate's
    tab_to(page, "#id_agency")
    assert page.locator("#id_agency option:checked").inner_text() == "Select your agency"
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_agency option:checked").inner_text() == "Cheshire Constabulary"
    tab_to(page, "#id_accessibility_needs")
    page.keyboard.type("Step-free access")
    tab_to(page, "#id_needs_consent")
    page.keyboard.press("Space")
    tab_to(page, "#id_privacy_accepted")
    page.keyboard.press("Space")
    tab_to(page, "#submit-id-register")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/confirm/")

    tab_to(page, "#id_code")
    page.keyboard.type(emailed_code("sam.okafor@force.police.uk"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/workshops/")

    taken = set()
    for fieldset in page.locator("fieldset.slot-fieldset").all():
        radios = fieldset.locator("input[type=radio]:not([disabled])")
        titles = [r.locator("xpath=..").locator(".fw-semibold").inner_text() for r in radios.all()]
        index = next(i for i, title in enumerate(titles) if title not in taken)
        taken.add(titles[index])
        tab_to_radio_group(page, radios.first.get_attribute("name"))
        page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")  # moves to and selects the next radio
    tab_to(page, "button.btn-primary[type=submit]:has-text('Book these workshops')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/confirmed/")

    assert page.get_by_role("heading", name="You are booked").is_visible()
    delegate = Delegate.objects.get()
    assert delegate.agency.name == "Cheshire Constabulary"
    assert delegate.needs_consent_at is not None
    booked = Booking.objects.filter(delegate=delegate).select_related("workshop")
    assert {b.workshop.title for b in booked} == taken
    assert len(taken) == 4


def test_register_error_summary_takes_focus_and_links_to_each_field(page):
    page.goto("/register/")
    page.get_by_label("Dietary requirements (optional)").fill("Coeliac")
    page.get_by_role("button", name="Register").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert focused(page, "[data-error-summary]")
    links = summary.locator("a")
    targets = [link.get_attribute("href").removeprefix("#") for link in links.all()]
    assert targets == [
        "id_first_name",
        "id_last_name",
        "id_email",
        "id_job_title",
        "id_agency",
        "id_needs_consent",
        "id_privacy_accepted",
    ]
    for index, target in enumerate(targets):
        links.nth(index).focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == target


def test_choose_error_summary_links_to_the_round_missing(page):
    from tests.browser.journey import register

    register(page)
    first_group = page.locator("fieldset.slot-fieldset").first
    first_group.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Book these workshops").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert focused(page, "[data-error-summary]")
    links = summary.locator("a")
    assert links.count() == 3
    for index in range(3):
        fieldset_id = links.nth(index).get_attribute("href").removeprefix("#")
        links.nth(index).focus()
        page.keyboard.press("Enter")
        active = page.evaluate("[document.activeElement.type, document.activeElement.name]")
        assert active == ["radio", fieldset_id.removeprefix("id_")]
