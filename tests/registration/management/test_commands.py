import io
import re

from django.contrib.auth.models import User
from django.core.management import call_command


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
    assert "password" not in run("ensure_organiser")
    assert list(User.objects.values_list("username", flat=True)) == ["tech"]


def test_ensure_organiser_passwords_differ_between_installs(db):
    first = re.search(r"password: (\S+)", run("ensure_organiser")).group(1)
    User.objects.all().delete()
    second = re.search(r"password: (\S+)", run("ensure_organiser")).group(1)
    assert first != second


def test_ensure_organiser_second_run_leaves_account_alone(db):
    run("ensure_organiser")
    output = run("ensure_organiser")
    assert "password" not in output
    assert User.objects.count() == 1
