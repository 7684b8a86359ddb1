"""The check-in page in headless Chromium on a phone-sized screen, with a fake camera.

The camera films a badge the app printed (`fake_camera.py`); the browser
reads its QR code (BarcodeDetector where Chromium has one, else the vendored
jsQR), the page checks the delegate in and shows the answer. Offline, the
scan waits on the phone and is recorded once when the connection returns.
Every state of the page is checked with axe-core.
"""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.browser.conftest import PHONE, launch_chromium
from tests.browser.fake_camera import badge_video
from tests.browser.journey import assert_clean, axe_violations
from tests.factories import (
    AdminUserFactory,
    AgencyFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    TimeSlotFactory,
    WorkshopFactory,
)
from workshops.models import CheckIn, CheckinDevice
from workshops.services.booking import book_sessions
from workshops.services.checkin_devices import issue_checkin_link, revoke_checkin_links

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIYA = "Pr1yaSh4hBadgeRef0123456"


@pytest.fixture(scope="module")
def camera_browser(tmp_path_factory):
    """Chromium whose camera films Priya's printed badge, permission granted."""
    home = tmp_path_factory.mktemp("chromium-camera")
    video = badge_video(PRIYA, home / "badge.y4m")
    yield from launch_chromium(
        home,
        [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )


@pytest.fixture
def on_the_door(live_server):
    """Today is day two of an event: one round now, two rooms of one seat; Priya and Ben booked."""
    today = timezone.localdate()
    event = EventFactory(starts_on=today - datetime.timedelta(days=1), ends_on=today)
    start = timezone.now() - datetime.timedelta(minutes=5)
    slot = TimeSlotFactory(
        event=event, name="Round 1", starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    event.choices_required = 1
    event.save()
    police = AgencyFactory(name="Warwickshire Police")
    sessions = [
        SessionFactory(
            workshop=WorkshopFactory(event=event, title=title),
            time_slot=slot,
            room=RoomFactory(name=room, capacity=1),
        )
        for title, room in [("County Lines", "Avon Room"), ("Drones", "Kenilworth Suite")]
    ]
    priya = DelegateFactory(
        event=event,
        first_name="Priya",
        last_name="Shah",
        agency=police,
        checkin_reference=PRIYA,
    )
    ben = DelegateFactory(event=event, first_name="Ben", last_name="Okafor", agency=police)
    DelegateFactory(event=event, first_name="Chris", last_name="Doyle", agency=police)
    book_sessions(delegate=priya, sessions=[sessions[0]])
    book_sessions(delegate=ben, sessions=[sessions[1]])
    device = CheckinDevice(event=event, label="Door 2", day=today, entrance=True)
    path = issue_checkin_link(device=device).removeprefix("http://127.0.0.1:8000")
    device.rooms.set([s.room for s in sessions])
    return {"event": event, "sessions": sessions, "link": live_server.url + path}


@pytest.fixture
def phone(camera_browser, live_server, on_the_door):
    context = camera_browser.new_context(
        viewport=PHONE, base_url=live_server.url, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(on_the_door["link"])
    page.get_by_role("button", name="Start checking in").click()
    page.wait_for_url("**/checkin/")
    yield page
    context.close()


@pytest.fixture
def account_phone(camera_browser, live_server, on_the_door):
    """A phone signed in as a door staff account: every door of both days, yesterday's too.

    (The permission itself, not the Door staff group: these tests flush the database, and the
    groups made by migrations go with it.)
    """
    signed_in = Client()
    signed_in.force_login(
        AdminUserFactory(username="door-volunteer", permissions=["workshops.check_in"])
    )
    context = camera_browser.new_context(
        viewport=PHONE, base_url=live_server.url, has_touch=True, is_mobile=True
    )
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def result(page, headline):
    page.locator("#result-headline", has_text=headline).wait_for()
    return page.locator("#result").inner_text()


def test_camera_reads_a_printed_badge_and_checks_in(phone):
    phone.get_by_role("button", name="Start camera").click()
    shown = result(phone, "Checked in")
    assert "Priya Shah" in shown
    assert "Warwickshire Police" in shown
    assert "County Lines (Avon Room)" in shown
    status = phone.locator("#camera-status").inner_text()
    assert "reading QR codes with" in status
    phone.get_by_role("button", name="Stop camera").click()
    checkin = CheckIn.objects.get()
    assert (checkin.delegate.first_name, checkin.outcome, checkin.by_name) == (
        "Priya",
        "admitted",
        "Door 2",
    )


def test_offline_scan_waits_on_the_phone_and_is_recorded_once(phone):
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Start camera").click()
    result(phone, "Saved on this phone")
    phone.get_by_role("button", name="Stop camera").click()
    # Drawn, not an emoji: phones without an emoji font showed an empty box.
    assert phone.locator("#result-icon svg").count() == 1
    assert phone.locator("#result-icon").text_content() == ""
    assert "1 scan is saved on this phone" in phone.locator("#connection").inner_text()
    assert CheckIn.objects.count() == 0
    queued = phone.evaluate("localStorage.getItem('socex-checkin-queue')")
    assert PRIYA in queued and "Priya" not in queued  # the reference, never a name

    phone.context.set_offline(False)
    shown = result(phone, "Checked in")
    assert "Priya Shah" in shown
    phone.locator("#connection", has_text="Online.").wait_for()
    assert phone.evaluate("localStorage.getItem('socex-checkin-queue')") == "[]"
    assert CheckIn.objects.filter(outcome="admitted").count() == 1
    assert CheckIn.objects.count() == 1


def find_and_choose(page, text, name):
    page.get_by_label("First name, surname or badge name").fill(text)
    page.get_by_role("button", name=f"Check in {name}").click()


def test_every_state_of_the_page_has_no_axe_violations_on_a_phone(phone, on_the_door):
    reports = [axe_violations(phone, "ready")]
    find_and_choose(phone, "ben", "Ben Okafor, Warwickshire Police")
    result(phone, "Checked in")
    reports.append(axe_violations(phone, "green: checked in"))
    phone.get_by_role("button", name="Undo this scan").click()
    result(phone, "Scan undone")
    reports.append(axe_violations(phone, "undone"))
    find_and_choose(phone, "okafor", "Ben Okafor, Warwickshire Police")
    result(phone, "Checked in")
    find_and_choose(phone, "ben o", "Ben Okafor, Warwickshire Police")
    result(phone, "Already checked in")
    reports.append(axe_violations(phone, "amber: already checked in"))

    avon = on_the_door["sessions"][0]
    phone.get_by_label("Door", exact=True).select_option(f"session:{avon.pk}")
    find_and_choose(phone, "ben", "Ben Okafor, Warwickshire Police")
    assert "Go to Kenilworth Suite" in result(phone, "Booked in another room")
    reports.append(axe_violations(phone, "red: booked in another room"))
    find_and_choose(phone, "chris", "Chris Doyle, Warwickshire Police")
    result(phone, "Full: on standby")
    phone.locator("#standby-list li", has_text="Chris Doyle").wait_for()
    reports.append(axe_violations(phone, "amber: on standby, with the queue"))

    phone.context.set_offline(True)
    phone.get_by_role("button", name="Start camera").click()
    result(phone, "Saved on this phone")
    phone.get_by_role("button", name="Stop camera").click()
    reports.append(axe_violations(phone, "offline: scan saved"))
    phone.get_by_label("First name, surname or badge name").fill("pri")
    phone.locator("#search-status", has_text="needs a connection").wait_for()
    reports.append(axe_violations(phone, "offline: searching"))
    phone.context.set_offline(False)
    result(phone, "Checked in")
    assert_clean(reports)


def test_the_page_fits_a_phone_without_sideways_scrolling(phone):
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    box = phone.get_by_role("button", name="Start camera").bounding_box()
    assert box["height"] >= 44  # a touch target a thumb finds (WCAG 2.5.5)


def test_a_revoked_link_keeps_the_scan_on_the_phone_and_says_so(phone):
    revoke_checkin_links(devices=CheckinDevice.objects.all())
    phone.get_by_role("button", name="Start camera").click()
    shown = result(phone, "Signed out: not sent")
    phone.get_by_role("button", name="Stop camera").click()
    assert "no longer signed in" in shown
    assert PRIYA in phone.evaluate("localStorage.getItem('socex-checkin-queue')")
    assert_clean([axe_violations(phone, "red: signed out")])
    assert CheckIn.objects.count() == 0

    phone.reload()  # it used to show the organisers' sign-in page
    phone.get_by_role("heading", name="This check-in link no longer works").wait_for()
    assert "An organiser has ended the check-in link" in phone.locator("main").inner_text()
    assert_clean([axe_violations(phone, "reloaded: link revoked")])
    assert PRIYA in phone.evaluate("localStorage.getItem('socex-checkin-queue')")


def test_a_badge_held_in_view_is_scanned_once(phone):
    phone.get_by_role("button", name="Start camera").click()
    result(phone, "Checked in")
    phone.wait_for_timeout(6_500)  # longer than a badge must be out of view to be read again
    phone.get_by_role("button", name="Stop camera").click()
    assert phone.locator("#recent li").count() == 1
    assert CheckIn.objects.count() == 1


def test_a_phone_used_yesterday_starts_on_todays_door(account_phone, on_the_door):
    yesterday = f"entrance:{on_the_door['event'].starts_on:%Y-%m-%d}"
    today = f"entrance:{on_the_door['event'].ends_on:%Y-%m-%d}"
    account_phone.add_init_script(f"localStorage.setItem('socex-checkin-door', '{yesterday}')")
    account_phone.goto("/checkin/")
    assert account_phone.get_by_label("Door", exact=True).input_value() == today


def test_a_scan_at_yesterdays_door_is_refused_and_listed_once_by_name(account_phone, on_the_door):
    yesterday = on_the_door["event"].starts_on
    account_phone.goto("/checkin/")
    account_phone.locator("#connection", has_text="Online").wait_for()  # the script has run
    account_phone.get_by_label("Door", exact=True).select_option(f"entrance:{yesterday:%Y-%m-%d}")
    account_phone.get_by_label("First name, surname or badge name").fill("ben")
    account_phone.get_by_role("button", name="Check in Ben Okafor, Warwickshire Police").click()
    shown = result(account_phone, "Not recorded")
    assert f"This door was for {yesterday:%A %-d %B}: choose today's door" in shown
    recent = account_phone.locator("#recent li")
    assert recent.count() == 1
    text = recent.inner_text()
    assert "Not recorded · Ben Okafor · This door was for" in text
    assert "· ·" not in text
    assert_clean([axe_violations(account_phone, "red: yesterday's door")])
    assert CheckIn.objects.count() == 0


def standby_box(page):
    page.locator("#standby-panel").wait_for()
    return page.locator("#standby-panel").inner_text()


def test_the_standby_box_lists_the_queue_or_says_nobody_waits_never_both(phone, on_the_door):
    avon = on_the_door["sessions"][0]
    phone.get_by_label("Door", exact=True).select_option(f"session:{avon.pk}")
    phone.get_by_text("Nobody is on standby.").wait_for()
    assert "On standby, in order" not in standby_box(phone)

    find_and_choose(phone, "chris", "Chris Doyle, Warwickshire Police")
    result(phone, "Full: on standby")
    phone.locator("#standby-list li", has_text="Chris Doyle").wait_for()
    box = standby_box(phone)
    assert "On standby, in order" in box
    assert "Nobody is on standby." not in box

    phone.get_by_role("button", name="Undo this scan").click()
    result(phone, "Scan undone")
    phone.get_by_text("Nobody is on standby.").wait_for()
    box = standby_box(phone)
    assert box.count("Nobody is on standby.") == 1
    assert "On standby, in order" not in box
    assert_clean([axe_violations(phone, "standby: nobody waiting")])
