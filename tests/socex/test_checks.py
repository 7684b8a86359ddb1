import pytest
from django.core.checks import Error, run_checks
from django.test import override_settings

REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/7",
}


def deploy_check_ids():
    return [m.id for m in run_checks(tags=["caches"], include_deployment_checks=True)]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ],
)
def test_check_deploy_rate_limits_on_process_local_cache_is_an_error(backend):
    cache = {"BACKEND": backend, "LOCATION": "/tmp/socex-tests-cache"}
    with override_settings(DEBUG=False, RATE_LIMITS_ENABLED=True, CACHES={"default": cache}):
        errors = run_checks(tags=["caches"], include_deployment_checks=True)
    assert [(type(m), m.id) for m in errors] == [(Error, "socex.E001")]
    assert "REDIS_URL" in errors[0].hint
    assert "CACHE_URL" in errors[0].hint


@override_settings(DEBUG=False, RATE_LIMITS_ENABLED=True, CACHES={"default": REDIS})
def test_check_deploy_rate_limits_on_redis_reports_nothing():
    assert deploy_check_ids() == []


@override_settings(
    DEBUG=False,
    RATE_LIMITS_ENABLED=False,
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
)
def test_check_deploy_rate_limits_off_on_local_memory_reports_nothing():
    assert deploy_check_ids() == []


@override_settings(
    DEBUG=True,
    RATE_LIMITS_ENABLED=True,
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
)
def test_check_deploy_debug_on_local_memory_reports_nothing():
    assert deploy_check_ids() == []
