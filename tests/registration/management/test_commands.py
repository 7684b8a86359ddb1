import datetime
import io
import re

from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from registration.models import Event
from workshops.models import TimeSlot


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_ensure_organiser_creates_one_with_a_random_password(db):
    output = run("ensure_organiser")
    password = re.search(r"password: (\S+)", output).group(1)
    assert len(password) >= 16
    user = User.objects.get(username="organiser")
    assert user.check_password(password)


def test_ensure_organiser_makes_an_organiser_not_a_superuser(db):
    run("ensure_organiser")
    user = User.objects.get(username="organiser")
    assert (user.is_staff, user.is_superuser) == (True, False)
    assert [g.name for g in user.groups.all()] == ["Organisers"]
    # As the superuser account it replaces could: fill a session past capacity, add accounts.
    assert user.has_perm("workshops.override_capacity")
    assert user.has_perm("auth.add_user")
    assert not user.has_perm("axes.view_accessattempt")
    assert not user.has_perm("otp_totp.view_totpdevice")


def test_ensure_organiser_leaves_an_install_with_a_superuser_alone(db):
    User.objects.create_superuser("tech", "", "a-long-test-password")
    assert "password:" not in run("ensure_organiser")
    assert list(User.objects.values_list("username", flat=True)) == ["tech"]


def test_ensure_organiser_passwords_differ_between_installs(db):
    first = re.search(r"password: (\S+)", run("ensure_organiser")).group(1)
    User.objects.all().delete()
    second = re.search(r"password: (\S+)", run("ensure_organiser")).group(1)
    assert first != second


def test_ensure_organiser_second_run_leaves_account_alone(db):
    run("ensure_organiser")
    output = run("ensure_organiser")
    assert "password:" not in output
    assert User.objects.count() == 1
    assert output.startswith(
        "An organiser account (organiser) exists already; sign in at http://127.0.0.1:8000/admin/."
    )
    assert RESET in output


RESET = (
    "Lost the password or the authenticator? From this directory:\n"
    "  .venv/bin/python manage.py changepassword organiser         # a new password\n"
    "  .venv/bin/python manage.py setup_totp organiser --replace   # a new second-factor device\n"
    "  .venv/bin/python manage.py axes_reset_username organiser    # lift a sign-in lockout\n"
)


def test_ensure_organiser_says_how_to_reset_the_password(db):
    output = run("ensure_organiser")
    assert RESET in output
    assert output.rstrip().endswith("(README: “Reset the organiser's password”.)")


def test_load_event_data_moves_the_2019_programme_ahead_by_whole_weeks(db):
    output = run("load_event_data")
    event = Event.objects.get()
    today = timezone.localdate()
    assert today + datetime.timedelta(weeks=8) <= event.starts_on
    assert event.starts_on < today + datetime.timedelta(weeks=9)
    assert (event.starts_on - datetime.date(2019, 5, 22)).days % 7 == 0
    assert event.ends_on == event.starts_on + datetime.timedelta(days=1)
    # The rounds stay on day two, at the programme's local times (10:15 was BST in May).
    starts = [timezone.localtime(slot.starts_at) for slot in TimeSlot.objects.order_by("starts_at")]
    assert {start.date() for start in starts} == {event.ends_on}
    assert [f"{start:%H:%M}" for start in starts] == ["10:15", "11:30", "13:30", "14:45"]
    assert event.registration_is_open() and event.changes_are_open()
    assert "its dates moved" in output and "--keep-dates" in output


def test_load_event_data_keep_dates_loads_2019_and_says_how_to_open(db):
    output = run("load_event_data", "--keep-dates")
    event = Event.objects.get()
    assert (event.starts_on, event.ends_on) == (
        datetime.date(2019, 5, 22),
        datetime.date(2019, 5, 23),
    )
    assert not event.registration_is_open()
    assert (
        "Registration for Strategic SOCEX 2019 is closed (since 22 May 2019, 00:00). To open it, "
        "set the event's dates, or Registration closes at and Changes close at, in the admin"
    ) in output
    # Run again (as `make run` does), it keeps the data and says so again.
    again = run("load_event_data")
    assert again.startswith("Event data is already loaded; leaving it as it is.\nRegistration for")
    assert Event.objects.get().starts_on == datetime.date(2019, 5, 22)
