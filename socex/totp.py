"""An admin second factor for a user: create a TOTP device and show it once.

Used by the commands ensure_organiser and setup_totp, and the accounts admin's
*Second factor* page.
"""

from base64 import b32encode

from django_otp.plugins.otp_totp.models import TOTPDevice


def create_totp_device(user, *, replace=False):
    """Give `user` a confirmed TOTP device (replacing theirs if asked); return it.

    Side effects: inserts a `TOTPDevice` row, deletes the user's others when `replace`.
    """
    if replace:
        TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_key(device):
    """The device's secret as authenticator apps take it typed in (base32)."""
    return b32encode(device.bin_key).decode()


def describe_totp_device(device):
    """The lines that let a person add `device` to an authenticator app."""
    secret = totp_key(device)
    return (
        "Second factor: add this account to an authenticator app (shown once).\n"
        f"  otpauth URI: {device.config_url}\n"
        f"  or type the key: {secret}\n"
        "Then sign in with your password and the app's 6-digit code."
    )
