"""Deploy checks for our own security settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

# Caches that cannot hold a rate limit for a whole site: local memory is per
# process, the dummy cache stores nothing, and the file cache is per host and
# counts with a read then a write, which concurrent processes interleave.
UNSHARED_CACHES = (LocMemCache, DummyCache, FileBasedCache)


@register(Tags.security, deploy=True)
def second_factor_required(app_configs, **kwargs):
    if settings.DEBUG or settings.OTP_REQUIRED:
        return []
    return [
        Warning(
            "OTP_REQUIRED is off although DEBUG is off: organisers and staff can sign in "
            "to the admin with a password alone.",
            hint="Remove OTP_REQUIRED from the environment (it is only for test suites).",
            id="socex.W001",
        )
    ]


@register(Tags.security, deploy=True)
def password_hasher_is_not_md5(app_configs, **kwargs):
    if "django.contrib.auth.hashers.MD5PasswordHasher" not in settings.PASSWORD_HASHERS:
        return []
    return [
        Warning(
            "PASSWORD_HASHERS=md5 stores passwords with a hash that is fast to crack.",
            hint="Remove PASSWORD_HASHERS from the environment (it is only for test suites).",
            id="socex.W002",
        )
    ]


@register(Tags.security, Tags.caches, deploy=True)
def rate_limits_have_a_shared_cache(app_configs, **kwargs):
    if settings.DEBUG or not settings.RATE_LIMITS_ENABLED:
        return []
    path = settings.CACHES["default"]["BACKEND"]
    try:
        backend = import_string(path)
    except ImportError:
        return []  # Django's own cache checks and first request report it
    if not issubclass(backend, UNSHARED_CACHES):
        return []
    return [
        Error(
            f"Rate limits are on but the default cache is {backend.__name__}, which server "
            "processes do not share: each process counts on its own, so every limit is "
            "multiplied by the number of workers.",
            hint="Set REDIS_URL (or CACHE_URL) to a cache every server process shares, "
            "such as Redis.",
            id="socex.E001",
        )
    ]
