"""With `OTP_REQUIRED`, a password alone never signs anyone in, on any page.

The admin checks the second factor itself (`SocexAdminSite`); this middleware
covers every other page staff might use (anything behind `login_required` or
`staff_member_required`), which then sees an anonymous visitor and sends them
to the admin's sign-in page, where the code is asked for.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject


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
