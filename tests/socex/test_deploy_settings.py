"""Production settings, checked in a fresh process with a production environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def manage(*args, **env_overrides):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "socex.example.org",
        "SITE_URL": "https://socex.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        **env_overrides,
    }
    env = {name: value for name, value in env.items() if value is not None}  # None: unset
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_without_redis_fails_on_unshared_rate_limits():
    result = manage("check", "--deploy", REDIS_URL="")
    assert result.returncode == 1
    assert "socex.E001" in result.stderr
    assert "Set REDIS_URL (or CACHE_URL)" in result.stderr


def test_check_deploy_without_redis_rate_limits_off_reports_nothing():
    # Local memory, as under `make run`, must not trip any library's check either.
    result = manage("check", "--deploy", "--fail-level", "DEBUG", REDIS_URL="", RATE_LIMITS="off")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_second_factor_turned_off_warns():
    result = manage("check", "--deploy", OTP_REQUIRED="false")
    assert "socex.W001" in result.stderr + result.stdout


@pytest.mark.parametrize("hosts", ["*", "socex.example.org,*"])
def test_settings_allowed_hosts_star_in_production_refuses_to_start(hosts):
    result = manage("check", ALLOWED_HOSTS=hosts)
    assert result.returncode == 1
    assert "ALLOWED_HOSTS must name the site's hosts, not '*'" in result.stderr


def test_settings_production_values():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.OTP_REQUIRED,"
        " s.RATE_LIMITS_ENABLED, s.CACHES['default']['BACKEND'])"
    )
    result = manage(
        "shell", "--verbosity", "0", "-c", code, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
        "True",
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_settings_production_password_hashers_are_djangos_defaults():
    code = (
        "from django.conf import settings as s, global_settings as g;"
        "print(s.PASSWORD_HASHERS == g.PASSWORD_HASHERS)"
    )
    result = manage("shell", "--verbosity", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_check_deploy_md5_password_hasher_warns():
    result = manage("check", "--deploy", PASSWORD_HASHERS="md5")
    assert "socex.W002" in result.stderr + result.stdout


def test_settings_unknown_password_hashers_refuses_to_start():
    result = manage("check", PASSWORD_HASHERS="sha1")
    assert result.returncode == 1
    assert "PASSWORD_HASHERS may only be 'md5'" in result.stderr


def test_suite_hashes_passwords_with_md5(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
