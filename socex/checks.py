"""Deploy checks for our own security settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
