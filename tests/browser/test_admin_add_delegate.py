"""An organiser adds a speaker from a phone: the admin's Add delegate in Chromium at 390 px."""

import pytest

from registration.models import Delegate, Event
from tests.browser.admin_pages import restore_roles, sign_in_admin
from tests.browser.conftest import PHONE
from tests.browser.journey import assert_clean, axe_violations
from tests.factories import AdminUserFactory, AgencyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page):
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return scroll <= client


def test_organiser_adds_a_speaker_on_a_phone(page, live_server):
    restore_roles()
    event = Event.objects.get()
    AgencyFactory(name="Speakers Bureau Ltd")
    sign_in_admin(page, AdminUserFactory(groups=["Organisers"]), url=live_server.url)
    page.set_viewport_size(PHONE)
    reports = []

    page.goto("/admin/registration/delegate/add/")
    assert fits(page)
    reports.append(axe_violations(page, "add delegate, 390 px"))
    page.select_option("#id_event", str(event.pk))
    page.fill("#id_first_name", "Sam")
    page.fill("#id_last_name", "Speaker")
    page.fill("#id_email", "sam.speaker@speakers.example")
    page.fill("#id_job_title", "Director")
    page.locator("#id_agency + .select2 .select2-selection").click()
    page.locator(".select2-search__field").fill("Speakers")
    page.locator(".select2-results__option", has_text="Speakers Bureau Ltd").click()
    page.select_option("#id_added_basis", "speaker")
    page.fill("#id_added_note", "Opening keynote")
    page.locator("input[name=_save]").click()

    page.wait_for_url("**/admin/registration/delegate/")
    assert "We have emailed Sam Speaker a booking link" in page.content()
    delegate = Delegate.objects.get(email="sam.speaker@speakers.example")
    assert (delegate.badge_name, delegate.added_basis, delegate.added_note) == (
        "Sam Speaker",
        "speaker",
        "Opening keynote",
    )
    page.goto(f"/admin/registration/delegate/{delegate.pk}/change/")
    assert "as: Speaker" in page.content()
    assert fits(page)
    reports.append(axe_violations(page, "the added delegate's page, 390 px"))
    assert_clean(reports)
