"""With `OTP_REQUIRED`, a password alone never signs anyone in, on any page.

The admin checks the second factor itself (`SocexAdminSite`); this middleware
covers every other page staff might use (anything behind `login_required` or
`staff_member_required`), which then sees an anonymous visitor and sends them
to the admin's sign-in page, where the code is asked for.

`SecondFactorLoginForm` is that page's form: username, password and code in
one submission, for an account with one device.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm


class SecondFactorLoginForm(OTPAdminAuthenticationForm):
    """django-otp's admin sign-in form, which verifies the code against the account's one device.

    django-otp wants the device named (`otp_device`) and offers its drop-down
    only after a first, failed submission ("Please select a device."). Every
    account here has one device (`setup_totp` replaces, never adds), so with
    none named the code is checked against that one. An account with several
    still chooses from the list, as django-otp asks: trying each in turn would
    count a failed attempt against every device the code was not meant for.
    """

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class SecondFactorRequiredMiddleware:
    """Install after django_otp's OTPMiddleware, which gives users `is_verified()`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.OTP_REQUIRED and hasattr(request, "user"):
            user = request.user
            request.user = SimpleLazyObject(lambda: verified_or_anonymous(user))
        return self.get_response(request)


def verified_or_anonymous(user):
    if user.is_authenticated and not user.is_verified():
        anonymous = AnonymousUser()
        anonymous.otp_device = None
        anonymous.is_verified = lambda: False
        return anonymous
    return user
