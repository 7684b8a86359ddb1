"""Every public page has no axe-core violations (WCAG 2.0/2.1/2.2 A and AA).

Each page is checked in the states a delegate sees it in: empty, filled in,
and with errors. Violations are collected across a journey and reported
together, so one run shows everything to fix.
"""

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from registration.models import Delegate, Event
from registration.services.link import issue_manage_link
from tests.browser.conftest import PHONE
from tests.browser.journey import (
    assert_clean,
    axe_violations,
    choose_first_available,
    fill_registration,
    register,
    register_unconfirmed,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "path",
    ["/", "/privacy/", "/accessibility/", "/booking/link/", "/no-such-page/", "/booking/link/x/"],
)
def test_static_pages_have_no_axe_violations(page, path):
    page.goto(path)
    assert_clean([axe_violations(page, "empty")])


def test_not_found_page_is_the_site_404(page):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"


def test_server_error_page_has_no_axe_violations(page):
    # The 500 page is plain HTML with no context; load it as the browser would get it.
    page.goto("/")
    page.set_content(render_to_string("500.html"))
    assert_clean([axe_violations(page, "error page")])


def test_too_many_requests_page_has_no_axe_violations(page):
    try:
        get_template("socex/429.html")
    except TemplateDoesNotExist:
        pytest.skip("templates/socex/429.html comes with the rate limits (trust branch)")
    page.goto("/")  # so the page's relative links to our CSS resolve
    event = Event.objects.current()
    reports = []
    for state, context in [
        ("rate limited", {"event": event, "retry_minutes": 5}),
        ("sign-in locked", {"event": event, "failure_limit": 5}),
    ]:
        page.set_content(render_to_string("socex/429.html", context))
        reports.append(axe_violations(page, state))
    assert_clean(reports)


def test_register_page_states_have_no_axe_violations(page):
    reports = []
    page.goto("/register/")
    reports.append(axe_violations(page, "empty"))
    page.get_by_role("button", name="Register").click()
    page.locator("[data-error-summary]").wait_for()
    reports.append(axe_violations(page, "errors: nothing filled in"))
    fill_registration(page)
    page.locator("#id_needs_consent").uncheck()
    page.locator("#id_agency_not_listed").check()
    reports.append(axe_violations(page, "filled"))
    page.get_by_role("button", name="Register").click()
    page.locator("[data-error-summary]").wait_for()
    reports.append(axe_violations(page, "errors: needs without consent, agency not named"))
    assert_clean(reports)


def test_confirm_email_page_states_have_no_axe_violations(page):
    reports = []
    register_unconfirmed(page)
    reports.append(axe_violations(page, "code asked for"))
    page.get_by_label("6-digit code").fill("12")
    page.get_by_role("button", name="Confirm my address").click()
    page.locator("[data-error-summary]").wait_for()
    reports.append(axe_violations(page, "errors: not six digits"))
    page.get_by_role("button", name="Send me a new code").click()
    page.wait_for_url("**/booking/confirm/")
    reports.append(axe_violations(page, "new code sent"))
    assert_clean(reports)


def test_choose_confirm_manage_pages_have_no_axe_violations(page):
    reports = []
    register(page)
    reports.append(axe_violations(page, "empty"))
    page.locator("fieldset.slot-fieldset input[type=radio]").first.check()
    page.get_by_role("button", name="Book these workshops").click()
    page.locator("[data-error-summary]").wait_for()
    reports.append(axe_violations(page, "errors: one round chosen"))
    choose_first_available(page)
    reports.append(axe_violations(page, "filled"))
    page.get_by_role("button", name="Book these workshops").click()
    page.wait_for_url("**/booking/confirmed/")
    reports.append(axe_violations(page, "confirmed"))
    page.goto("/booking/")
    reports.append(axe_violations(page, "manage, booked"))
    page.get_by_role("button", name="Get a calendar link").click()
    page.get_by_label("Calendar link").wait_for()
    reports.append(axe_violations(page, "calendar link, shown once"))
    page.goto("/booking/")
    reports.append(axe_violations(page, "manage, with a calendar link"))
    page.goto("/booking/workshops/")
    reports.append(axe_violations(page, "choose, current choices held"))
    page.goto("/booking/erase/")
    reports.append(axe_violations(page, "erase: confirm"))
    page.goto("/booking/cancel/")
    reports.append(axe_violations(page, "cancel: confirm"))
    page.get_by_role("button", name="Yes, cancel my registration").click()
    reports.append(axe_violations(page, "cancelled"))
    assert_clean(reports)


def test_details_and_hand_over_pages_have_no_axe_violations(page):
    """Both forms come from kept layouts (registration.forms.kept_layout) when blank."""
    reports = []
    register(page)
    for _ in range(2):  # the first from crispy-forms, the second from the kept layout
        page.goto("/booking/details/")
        reports.append(axe_violations(page, "details"))
    page.locator("#id_attends_day_one").uncheck()
    page.locator("#id_attends_day_two").uncheck()
    page.get_by_role("button", name="Save my details").click()
    page.locator("[data-error-summary]").wait_for()
    reports.append(axe_violations(page, "details, errors: no day"))
    for _ in range(2):
        page.goto("/booking/hand-over/")
        reports.append(axe_violations(page, "hand over"))
    page.get_by_role("button", name="Offer my place").click()
    page.locator("[data-error-summary]").wait_for()
    reports.append(axe_violations(page, "hand over, errors: nothing filled in"))
    assert_clean(reports)


def test_erased_page_has_no_axe_violations(page):
    register(page)
    page.goto("/booking/erase/")
    page.get_by_role("button", name="Yes, erase my data").click()
    page.get_by_role("heading", name="Your data has been erased").wait_for()
    assert_clean([axe_violations(page, "erased")])
    assert Delegate.objects.get().status == Delegate.Status.ERASED


def test_link_pages_have_no_axe_violations(page):
    reports = []
    page.goto("/booking/link/")
    page.get_by_label("Your work email").fill("not an email")
    reports.append(axe_violations(page, "filled"))
    page.get_by_role("button", name="Email me a link").click()
    page.locator("[data-error-summary]").wait_for()
    reports.append(axe_violations(page, "errors: invalid email"))
    page.get_by_label("Your work email").fill("someone@force.police.uk")
    page.get_by_role("button", name="Email me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    reports.append(axe_violations(page, "link sent"))
    assert_clean(reports)


def test_open_link_page_has_no_axe_violations(page, live_server):
    register(page)
    delegate = Delegate.objects.get()
    link = issue_manage_link(delegate=delegate).removeprefix("http://127.0.0.1:8000")
    page.context.clear_cookies()
    page.goto(link)
    reports = [axe_violations(page, "open my booking")]
    page.get_by_role("button", name="Open my booking").click()
    page.wait_for_url("**/booking/")
    reports.append(axe_violations(page, "manage, no workshops yet"))
    assert_clean(reports)


def test_closed_pages_have_no_axe_violations(page):
    register(page)
    Event.objects.update(
        registration_closes_at="2019-01-01T00:00Z", changes_close_at="2019-01-01T00:00Z"
    )
    reports = []
    page.goto("/register/")
    reports.append(axe_violations(page, "registration closed"))
    page.goto("/booking/workshops/")
    reports.append(axe_violations(page, "changes closed"))
    page.goto("/booking/")
    reports.append(axe_violations(page, "manage, changes closed"))
    page.goto("/")
    reports.append(axe_violations(page, "home, registration closed"))
    assert_clean(reports)


def test_register_and_choose_have_no_axe_violations_on_a_phone(page):
    page.set_viewport_size(PHONE)
    page.goto("/register/")
    reports = [axe_violations(page, "phone, empty")]
    register(page)
    reports.append(axe_violations(page, "phone, choose"))
    assert_clean(reports)


def test_keyboard_focus_on_a_workshop_stands_out_from_a_chosen_one(page):
    """WCAG 2.4.7: the focused card has its own ring; a chosen card without focus has none."""
    register(page)
    choose_first_available(page)
    first_radio = page.locator("fieldset.slot-fieldset input[type=radio]").first
    first_radio.focus()
    page.keyboard.press("Tab")  # to the next round's chosen option
    page.keyboard.press("Shift+Tab")  # and back: focus now shown as it is for keyboard users

    focused = page.locator(".session-option:has(input:focus)")
    assert focused.count() == 1
    assert focused.evaluate("card => getComputedStyle(card).outlineStyle") == "solid"
    assert focused.evaluate("card => parseFloat(getComputedStyle(card).outlineWidth)") >= 3
    chosen_not_focused = page.locator(".session-option:has(input:checked):not(:has(input:focus))")
    assert chosen_not_focused.count() >= 1
    assert (
        chosen_not_focused.first.evaluate("card => getComputedStyle(card).outlineStyle") == "none"
    )
