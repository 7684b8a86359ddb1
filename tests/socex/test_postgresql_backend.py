"""A kept PostgreSQL connection is health-checked before reuse only after it sat idle."""

import psycopg
import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the backend is PostgreSQL's: set DATABASE_URL=postgres://…")


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("socex.postgresql.base.time.monotonic", lambda: now[0])
    return now


@pytest.fixture
def health_checks(monkeypatch):
    checks = []
    usable = connection.is_usable

    def counted():
        checks.append(connection.connection.info.backend_pid)
        return usable()

    monkeypatch.setattr(connection, "is_usable", counted)
    return checks


def a_request():
    """What Django does around a request (or a worker's job) that queries once."""
    connection.close_if_unusable_or_obsolete()  # request_started
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    connection.close_if_unusable_or_obsolete()  # request_finished


def test_the_backend_is_ours_with_health_checks_on():
    assert type(connections["default"]).__module__ == "socex.postgresql.base"
    assert connection.health_check_enabled


def test_a_connection_reused_at_once_is_not_checked(clock, health_checks, settings):
    settings.DATABASE_HEALTH_CHECK_IDLE_SECONDS = 5
    a_request()
    checks_after_first = len(health_checks)
    for _ in range(3):
        clock[0] += 1
        a_request()

    assert len(health_checks) == checks_after_first


def test_a_connection_left_idle_is_checked_before_reuse(clock, health_checks, settings):
    settings.DATABASE_HEALTH_CHECK_IDLE_SECONDS = 5
    a_request()
    before = len(health_checks)
    clock[0] += 6
    a_request()

    assert len(health_checks) == before + 1


def test_a_connection_the_server_closed_while_idle_is_replaced(clock, settings):
    settings.DATABASE_HEALTH_CHECK_IDLE_SECONDS = 5
    a_request()
    old_pid = connection.connection.info.backend_pid
    parameters = connection.get_connection_params()
    parameters.pop("context", None)
    parameters.pop("cursor_factory", None)
    with psycopg.connect(**parameters, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    clock[0] += 6

    a_request()

    assert connection.connection.info.backend_pid != old_pid


def test_a_query_run_again_and_again_is_prepared_on_the_server():
    """PostgreSQL plans it once per connection, not on every run (DATABASE_PREPARED_STATEMENTS)."""
    for n in range(8):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s + 1 AS socex_prepared_probe", [n])
            assert cursor.fetchone() == (n + 1,)

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]

    assert any("socex_prepared_probe" in statement for statement in prepared)
