"""Links in emails: SITE_URL, or, on a laptop, the address the site was reached at."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from outbox.models import OutgoingEmail
from socex.site_url import links_from, site_url
from tests.factories import AgencyFactory, DelegateFactory
from tests.jobs import run_queued_jobs
from tests.registration.views.test_registration import registration
from tests.socex.test_deploy_settings import manage

LINK = re.compile(r"(https?://[^/\s]+)/booking/link/[\w-]+/")
PORT_8123 = {"HTTP_HOST": "127.0.0.1:8123"}


@pytest.fixture
def laptop(settings):
    """DEBUG on and SITE_URL unset, as `make run` has it (settings.SITE_URL_FROM_REQUEST)."""
    settings.SITE_URL_FROM_REQUEST = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


def emailed_origin(email):
    """The origin of the link in the newest email to `email`, as the worker sent it."""
    run_queued_jobs()  # the worker looks the address up, queues the email and sends it
    assert OutgoingEmail.objects.filter(to=email).exists()
    body = next(m.body for m in reversed(mail.outbox) if m.to == [email])
    return LINK.search(body).group(1)


def test_link_requested_on_another_port_follows_the_request(client, event, laptop):
    DelegateFactory(event=event, email="priya.shah@force.police.uk")
    response = client.post(
        reverse("registration:request_link"), {"email": "priya.shah@force.police.uk"}, **PORT_8123
    )
    assert response.status_code == 200
    # Queued by the worker, still with the request's origin (the job carries it).
    assert emailed_origin("priya.shah@force.police.uk") == "http://127.0.0.1:8123"


def test_registration_email_on_another_port_follows_the_request(client, programme, laptop):
    agency = AgencyFactory(name="Warwickshire Police")
    response = client.post(reverse("register"), registration(agency), **PORT_8123)
    assert response.status_code == 303
    assert emailed_origin("priya.shah@warwickshire.police.uk") == "http://127.0.0.1:8123"


def test_links_use_site_url_when_it_is_set_or_debug_is_off(client, event, settings):
    settings.SITE_URL = "https://socex.example.org"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    DelegateFactory(event=event, email="priya.shah@force.police.uk")
    client.post(
        reverse("registration:request_link"), {"email": "priya.shah@force.police.uk"}, **PORT_8123
    )
    assert emailed_origin("priya.shah@force.police.uk") == "https://socex.example.org"


def test_site_url_outside_a_request_is_site_url_unless_carried(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert site_url() == "http://127.0.0.1:8000"
    with links_from("http://localhost:8300/"):
        assert site_url() == "http://localhost:8300"
    assert site_url() == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("environment", "follows"),
    [
        ({"DEBUG": "true"}, "True"),
        ({"DEBUG": "true", "SITE_URL": "http://127.0.0.1:8000"}, "False"),
        ({"DEBUG": "false", "SITE_URL": "https://socex.example.org"}, "False"),
    ],
)
def test_links_follow_the_request_only_with_debug_and_no_site_url(environment, follows):
    script = "from django.conf import settings; print(settings.SITE_URL_FROM_REQUEST)"
    result = manage("shell", "-v", "0", "-c", script, **{"SITE_URL": None, **environment})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == follows
