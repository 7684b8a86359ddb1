from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.models import Session as BrowserSession
from django.db import connection
from django.db.models.signals import pre_save
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socex.sessions import SessionStore, new_session_key, refresh_seconds

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


# Outside a transaction (as the session middleware saves), each write is one statement.
@pytest.mark.django_db(transaction=True)
def test_a_new_session_is_stored_with_one_insert():
    session = SessionStore()
    session["note"] = "new"
    with CaptureQueriesContext(connection) as captured:
        session.save()
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["INSERT"]
    assert SessionStore(session.session_key)["note"] == "new"


@pytest.mark.django_db(transaction=True)
def test_a_changed_session_is_saved_with_one_update():
    session = SessionStore()
    session["note"] = "first"
    session.save()
    session["note"] = "second"
    with CaptureQueriesContext(connection) as captured:
        session.save()
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["UPDATE"]
    assert SessionStore(session.session_key)["note"] == "second"


@pytest.mark.django_db(transaction=True)
def test_a_session_write_stores_the_expiry_exactly_without_the_orm_save():
    saved = []
    pre_save.connect(saved.append, sender=BrowserSession)
    try:
        session = SessionStore()
        session.set_expiry(timezone.now() + timedelta(minutes=30))
        session.save()
        session.cycle_key()
        fixed = timezone.now() + timedelta(minutes=20)
        session.set_expiry(fixed)
        session.save()
    finally:
        pre_save.disconnect(saved.append, sender=BrowserSession)
    assert saved == []  # Model.save, and its compiling of the statement, skipped
    assert stored_expiry(session.session_key) == fixed


@pytest.mark.django_db(transaction=True)
def test_creating_a_session_under_a_taken_key_raises_create_error():
    taken = SessionStore()
    taken["note"] = "first"
    taken.save()
    session = SessionStore()
    session._session_key = taken.session_key
    session["note"] = "second"
    with pytest.raises(CreateError):
        session.save(must_create=True)
    assert SessionStore(taken.session_key)["note"] == "first"


def test_new_session_keys_are_32_characters_of_the_session_alphabet():
    keys = {new_session_key() for _ in range(2000)}
    assert len(keys) == 2000
    assert {len(key) for key in keys} == {32}
    assert set("".join(keys)) == set(VALID_KEY_CHARS)  # every character drawn, no other


@pytest.mark.django_db(transaction=True)
def test_saving_a_session_whose_row_was_deleted_raises_update_error():
    session = SessionStore()
    session["note"] = "gone"
    session.save()
    BrowserSession.objects.filter(session_key=session.session_key).delete()
    session["note"] = "again"
    with pytest.raises(UpdateError):
        session.save()


@pytest.mark.django_db(transaction=True)
def test_cycling_the_key_moves_the_data_and_the_old_key_finds_nothing():
    session = SessionStore()
    session["note"] = "kept"
    session.save()
    old_key = session.session_key
    with CaptureQueriesContext(connection) as captured:
        session.cycle_key()
        session["signed_in"] = True
        session.save()
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["UPDATE"]
    assert session.session_key != old_key
    assert not BrowserSession.objects.filter(session_key=old_key).exists()
    assert dict(SessionStore(session.session_key).load()) == {"note": "kept", "signed_in": True}


@pytest.mark.django_db(transaction=True)
def test_a_cycled_session_not_saved_stays_under_its_old_key_without_the_new_data():
    session = SessionStore()
    session["note"] = "kept"
    session.save()
    old_key = session.session_key
    session.cycle_key()
    session["signed_in"] = True  # the request fails before its session is saved
    assert dict(SessionStore(old_key).load()) == {"note": "kept"}
    assert not BrowserSession.objects.filter(session_key=session.session_key).exists()


@pytest.mark.django_db(transaction=True)
def test_a_cycled_session_whose_row_went_before_saving_is_stored_under_a_new_key():
    session = SessionStore()
    session["note"] = "kept"
    session.save()
    old_key = session.session_key
    session.cycle_key()
    BrowserSession.objects.filter(session_key=old_key).delete()
    session.save()
    assert session.session_key != old_key
    assert dict(SessionStore(session.session_key).load()) == {"note": "kept"}


@pytest.mark.django_db(transaction=True)
def test_flushing_a_cycled_session_deletes_the_row_under_its_old_key():
    session = SessionStore()
    session["note"] = "kept"
    session.save()
    old_key = session.session_key
    session.cycle_key()
    session.flush()
    assert not BrowserSession.objects.filter(session_key=old_key).exists()


@pytest.mark.django_db(transaction=True)
def test_cycling_the_key_of_a_session_not_stored_stores_it_under_a_new_key():
    session = SessionStore("a" * 32)  # a cookie whose session has gone
    session["note"] = "fresh"
    session.cycle_key()
    session.save()
    assert session.session_key != "a" * 32
    assert SessionStore(session.session_key)["note"] == "fresh"


def test_inside_a_transaction_a_session_is_saved_as_django_does():
    session = SessionStore()
    session["note"] = "in a transaction"
    session.save()
    old_key = session.session_key
    session.cycle_key()
    session.save()
    assert not BrowserSession.objects.filter(session_key=old_key).exists()
    assert SessionStore(session.session_key)["note"] == "in a transaction"


def test_deleting_a_session_removes_its_row(client, session_key):
    SessionStore(session_key).delete()
    assert not BrowserSession.objects.filter(session_key=session_key).exists()
    SessionStore(session_key).delete()  # already gone: nothing to do


@pytest.mark.parametrize(
    "key",
    ["abcdefgh\x00ijk", "ABCDEFGHIJKLMNOP", "abc", "a" * 41, "abcdefgh;ijk", "\xe9abcdefghij"],
)
def test_a_cookie_key_we_could_not_have_made_is_no_session_and_no_query(client, event, key):
    assert SessionStore(key).session_key is None
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200  # a NUL reached PostgreSQL's query as a 500
    assert not any("django_session" in q["sql"] for q in queries)


def test_a_key_we_make_is_a_valid_one():
    key = new_session_key()
    assert SessionStore(key).session_key == key
