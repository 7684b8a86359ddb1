"""The admin pages organisers and staff use: axe-core clean and no sideways scrolling.

Each page is opened with rows on it, at 1280 px and at 390 px (a phone), as
each role that uses it. A page fits the phone when the document is no wider
than the window (`scrollWidth <= clientWidth`); wide tables scroll inside
their own focusable region instead.
"""

import datetime

import pytest
from django.utils import timezone

from registration.models import Event
from tests.browser.admin_pages import (
    admin_pages,
    restore_roles,
    seed_admin_data,
    seed_ballot_run,
    sign_in_admin,
)
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey import assert_clean, axe_violations
from tests.factories import AdminUserFactory
from workshops.models import AllocationRun, ExportFile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What Staff (read-only) and Catering & access open; the rest refuse them (403).
STAFF_PAGES = {
    "facilitators",
    "admin index",
    "dashboard",
    "exports",
    "delegate list",
    "delegate page",
    "session list",
    "session roster",
    "workshop page",
    "agency list",
    "booking history",
}
CATERING_PAGES = {"admin index", "dashboard", "exports", "delegate list", "delegate page"}


@pytest.fixture
def admin_data(socex_data):
    """A run made while the ballot was on, then live booking with seats and a waiting list."""
    restore_roles()
    seed_ballot_run()
    Event.objects.update(booking_mode=Event.BookingMode.LIVE)
    return seed_admin_data()


def check_pages(page, pages):
    """Open each page at both widths; return axe reports and the pages that do not fit."""
    reports, problems = [], []
    for width_name, size in [("1280 px", DESKTOP), ("390 px", PHONE)]:
        page.set_viewport_size(size)
        for name, path in pages:
            response = page.goto(path)
            state = f"{name}, {width_name}"
            if response.status != 200:
                problems.append(f"{state}: {response.status}")
                continue
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                problems.append(f"{state}: {scroll} px wide in a {client} px window")
            reports.append(axe_violations(page, state))
    return reports, problems


def test_organisers_admin_pages_are_axe_clean_and_fit_a_phone(page, live_server, admin_data):
    sign_in_admin(page, AdminUserFactory(groups=["Organisers"]), url=live_server.url)
    pages = admin_pages(admin_data)
    assert len(pages) == 22
    reports, problems = check_pages(page, pages)
    assert problems == []
    assert_clean(reports)


@pytest.mark.parametrize(
    ("group", "names"),
    [("Staff", STAFF_PAGES), ("Catering & access", CATERING_PAGES)],
    ids=["staff", "catering"],
)
def test_read_only_roles_admin_pages_are_axe_clean_and_fit_a_phone(
    page, live_server, admin_data, group, names
):
    sign_in_admin(page, AdminUserFactory(groups=[group]), url=live_server.url)
    pages = [(name, path) for name, path in admin_pages(admin_data) if name in names]
    assert len(pages) == len(names)
    reports, problems = check_pages(page, pages)
    assert problems == []
    assert_clean(reports)


def test_ballot_pages_are_axe_clean_and_fit_a_phone(page, live_server, socex_data):
    """In ballot mode, before publishing: the dashboard's demand, the report, who gets what."""
    restore_roles()
    run = seed_ballot_run()
    organiser = AdminUserFactory(groups=["Organisers"])
    sign_in_admin(page, organiser, url=live_server.url)
    report = f"/admin/workshops/allocationrun/{run.pk}/"
    # Pages that reload themselves are checked in an end state, so axe reads them whole.
    failed = AllocationRun.objects.create(
        event=run.event,
        seed=2,
        state=AllocationRun.State.FAILED,
        failure="The workers running it kept stopping without finishing it. Start another run.",
    )
    ready = ExportFile.objects.create(
        user=organiser,
        username=organiser.username,
        export_slug="badges",
        format="pdf",
        export_name="Name badges",
        filename="name-badges.pdf",
        state=ExportFile.State.READY,
        content=b"%PDF-",
        size=5,
        row_count=600,
        total=600,
        done=600,
        expires_at=timezone.now() + datetime.timedelta(hours=24),
    )
    pages = [
        ("dashboard, ballot demand", "/admin/dashboard/"),
        ("run allocation", "/admin/workshops/allocationrun/run/"),
        ("ballot run failed", f"/admin/workshops/allocationrun/{failed.pk}/report/"),
        ("large download ready", f"/admin/exports/files/{ready.pk}/"),
        ("exports with a large download", "/admin/exports/"),
        ("ballot report, unpublished", f"{report}report/"),
        ("who gets what", f"{report}allocation/"),
        ("who gets what, searched", f"{report}allocation/?q=Ranker1&only="),
        ("who gets what, nobody found", f"{report}allocation/?q=nobody&only=incomplete"),
    ]
    reports, problems = check_pages(page, pages)
    assert problems == []
    assert_clean(reports)
    page.goto(f"{report}report/")
    assert page.get_by_role("button", name="Publish: book 8 delegates and email them").is_visible()
