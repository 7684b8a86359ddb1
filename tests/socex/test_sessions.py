from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session as BrowserSession
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from socex.sessions import refresh_seconds

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_key(client):
    """A stored session with something in it, its cookie in `client`."""
    session = client.session
    session["note"] = "kept"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def stored_expiry(key):
    return BrowserSession.objects.get(session_key=key).expire_date


def age_expiry(key, seconds):
    """Make the stored session look saved `seconds` ago; return its new expiry."""
    expiry = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    BrowserSession.objects.filter(session_key=key).update(expire_date=expiry)
    return expiry


def test_a_request_soon_after_the_last_save_writes_nothing(client, session_key, event):
    expiry = age_expiry(session_key, 10)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert stored_expiry(session_key) == expiry
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "Cookie" in response.headers["Vary"]  # the page still depends on the session


def test_a_request_once_the_expiry_is_old_pushes_it_back_and_renews_the_cookie(
    client, session_key, event
):
    age_expiry(session_key, refresh_seconds() + 5)
    response = client.get(reverse("home"))
    lifetime = stored_expiry(session_key) - timezone.now()
    assert lifetime > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value == session_key
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE
    assert client.session["note"] == "kept"


def test_an_idle_session_still_ends(client, session_key, event):
    BrowserSession.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""  # deleted
    assert "note" not in client.session


def test_a_session_with_a_fixed_expiry_keeps_it(client, event):
    fixed = (timezone.now() + timedelta(minutes=30)).replace(microsecond=0)
    session = client.session
    session["note"] = "door phone"
    session.set_expiry(fixed)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    client.get(reverse("home"))
    assert stored_expiry(session.session_key) == fixed


@override_settings(SESSION_COOKIE_AGE=600, SESSION_REFRESH_SECONDS=300)
def test_a_short_session_age_refreshes_within_a_tenth_of_it(client, session_key, event):
    assert refresh_seconds() == 60
    age_expiry(session_key, 61)
    client.get(reverse("home"))
    assert stored_expiry(session_key) - timezone.now() > timedelta(seconds=590)
