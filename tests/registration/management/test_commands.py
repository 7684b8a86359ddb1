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
    assert user.is_superuser
    assert user.check_password(password)


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
