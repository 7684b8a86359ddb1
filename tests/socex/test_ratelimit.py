import threading
import time

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import RequestFactory, override_settings
from django.urls import reverse

from registration.models import Delegate
from socex.client_ip import client_ip
from socex.ratelimit import over_limit
from socex.rates import parse_rate

TIGHT = {
    "register": {"ip": (3, 3600), "email_per_ip": (2, 3600), "email_all_ips": (4, 3600)},
    "link": {"ip": (3, 60), "email_per_ip": (2, 60), "email_all_ips": (4, 60)},
}

pytestmark = pytest.mark.usefixtures("clear_cache")


@pytest.fixture
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("text", "rate"), [("5/h", (5, 3600)), ("20/10m", (20, 600)), (" 100 / d ", (100, 86400))]
)
def test_parse_rate_reads_count_and_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "5", "five/h", "5/y", "-1/h"])
def test_parse_rate_rejects_nonsense(text):
    with pytest.raises(ValueError):
        parse_rate(text)


@override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS=TIGHT)
def test_request_link_same_email_over_limit_gets_429_page(client, event):
    url = reverse("registration:request_link")
    statuses = [client.post(url, {"email": "a@force.police.uk"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.post(url, {"email": "a@force.police.uk"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert "<h1>Too many attempts</h1>" in response.content.decode()
    assert response.templates[0].name == "socex/429.html"


@override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS=TIGHT)
def test_request_link_same_address_many_emails_over_limit_gets_429(client, event):
    url = reverse("registration:request_link")
    statuses = [client.post(url, {"email": f"p{i}@force.police.uk"}).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


@override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS=TIGHT)
def test_register_same_email_over_limit_gets_429_and_saves_nothing(client, event):
    url = reverse("register")
    data = {"email": "a@force.police.uk", "first_name": "Sam"}  # invalid: errors, not a save
    statuses = [client.post(url, data).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Delegate.objects.count() == 0


@override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS=TIGHT)
def test_register_get_is_never_limited(client, event):
    statuses = {client.get(reverse("register")).status_code for _ in range(6)}
    assert statuses == {200}


@override_settings(RATE_LIMITS_ENABLED=False, RATE_LIMITS=TIGHT)
def test_rate_limits_off_never_answers_429(client, event):
    url = reverse("registration:request_link")
    statuses = {client.post(url, {"email": "a@force.police.uk"}).status_code for _ in range(6)}
    assert statuses == {200}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_ip_behind_one_proxy_takes_last_forwarded_hop():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_client_ip_without_proxy_ignores_forwarded_header():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "203.0.113.9"


@override_settings(
    RATE_LIMITS_ENABLED=True,
    RATE_LIMITS=TIGHT,
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    },
)
def test_rate_limit_cache_down_lets_requests_through(client, event):
    url = reverse("registration:request_link")
    statuses = {client.post(url, {"email": "a@force.police.uk"}).status_code for _ in range(4)}
    assert statuses == {200}


STRANGER, OWNER = "198.51.100.7", "203.0.113.9"


@override_settings(RATE_LIMITS_ENABLED=True)
def test_request_link_stranger_over_limit_for_email_leaves_owner_their_link(client, event):
    # The default limits: 5/h per email from one address, 20/h per email from all of them.
    url = reverse("registration:request_link")
    email = {"email": "owner@force.police.uk"}
    stranger = [client.post(url, email, REMOTE_ADDR=STRANGER).status_code for _ in range(25)]
    assert stranger == [200] * 5 + [429] * 20
    assert client.post(url, email, REMOTE_ADDR=OWNER).status_code == 200


@override_settings(RATE_LIMITS_ENABLED=True)
def test_request_link_email_from_many_addresses_stops_at_ceiling(client, event):
    url = reverse("registration:request_link")
    email = {"email": "owner@force.police.uk"}
    statuses = [
        client.post(url, email, REMOTE_ADDR=f"198.51.100.{i // 5}").status_code for i in range(20)
    ]
    assert statuses == [200] * 20
    assert client.post(url, email, REMOTE_ADDR=OWNER).status_code == 429


@override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS=TIGHT)
def test_register_stranger_over_limit_for_email_leaves_owner_the_form(client, event):
    url = reverse("register")
    data = {"email": "owner@force.police.uk", "first_name": "Sam"}
    stranger = [client.post(url, data, REMOTE_ADDR=STRANGER).status_code for _ in range(3)]
    assert stranger == [200, 200, 429]
    assert client.post(url, data, REMOTE_ADDR=OWNER).status_code == 200


class SlowReadCache(LocMemCache):
    """Local memory whose reads take a while, so a read-then-write counter loses hits."""

    def get(self, *args, **kwargs):
        value = super().get(*args, **kwargs)
        time.sleep(0.005)
        return value


@override_settings(CACHES={"default": {"BACKEND": "tests.socex.test_ratelimit.SlowReadCache"}})
def test_over_limit_from_many_threads_at_once_lets_exactly_limit_through():
    threads, hits_each, limit = 8, 5, 10
    barrier = threading.Barrier(threads)
    results = []

    def hit():
        barrier.wait()
        for _ in range(hits_each):
            results.append(
                over_limit(scope="link", kind="ip", value="198.51.100.7", rate=(limit, 3600))
            )

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert (results.count(False), results.count(True)) == (limit, threads * hits_each - limit)
