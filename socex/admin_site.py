"""The organisers' admin site: a second factor (TOTP) whenever `settings.OTP_REQUIRED`.

`OTP_REQUIRED` follows `DEBUG` (on whenever DEBUG is off). Read per request,
not at import, so tests can switch it with `override_settings`.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminSite


class SocexAdminSite(OTPAdminSite):
    site_header = "SOCEX organisers"
    site_title = "SOCEX organisers"
    index_title = "Run the conference"

    def __init__(self, name="admin"):
        super().__init__(name)

    @property
    def login_form(self):
        return OTPAdminSite.login_form if settings.OTP_REQUIRED else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.OTP_REQUIRED else None

    def has_permission(self, request):
        if settings.OTP_REQUIRED:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
