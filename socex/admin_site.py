"""The organisers' admin site: a second factor (TOTP) whenever `settings.OTP_REQUIRED`.

`OTP_REQUIRED` follows `DEBUG` (on whenever DEBUG is off). Read per request,
not at import, so tests can switch it with `override_settings`.

Every model admin registered here, ours and other apps', gets two rules:
"Delete selected" comes last in its action list, after the actions organisers
use every day; and the technical apps' pages (sign-in lockouts, second-factor
devices) exist only for superusers, the technical admins, whatever
permissions a group holds. Organisers give a colleague a second factor from
the colleague's account page (`socex.account_admin`) or `manage.py setup_totp`.
"""

from django.conf import settings
from django.contrib.admin import AdminSite, ModelAdmin
from django.db.models.base import ModelBase
from django_otp.admin import OTPAdminSite

# Apps whose admin pages only superusers see: django-axes and django-otp's TOTP devices.
TECHNICAL_APPS = frozenset({"axes", "otp_totp"})
# Listed after the conference's own apps on the admin's home page and sidebar:
# background jobs and workers, then accounts, then the technical apps.
LISTED_LAST = ("django_tasks_database", "worker", "auth", *sorted(TECHNICAL_APPS))


class DeleteSelectedLast:
    """Django lists its bulk delete first; here it comes after every other action."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = actions.pop("delete_selected")
        return actions


class SuperusersOnly:
    """A technical app's admin: superusers only, whatever permissions a group grants."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


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

    def get_app_list(self, request, app_label=None):
        """Django's alphabetical list, with accounts and the technical apps moved to the end."""
        apps = super().get_app_list(request, app_label)
        last = {label: place for place, label in enumerate(LISTED_LAST, start=1)}
        return sorted(apps, key=lambda app: last.get(app["app_label"], 0))

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as Django does, with the rules above mixed into each admin class."""
        admin_class = admin_class or ModelAdmin
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        for model in models:
            rules = (DeleteSelectedLast,)
            if model._meta.app_label in TECHNICAL_APPS:
                rules = (SuperusersOnly, *rules)
            # Django itself subclasses this way for `**options`; the name stays the admin's own.
            with_rules = type(
                admin_class.__name__, (*rules, admin_class), {"__module__": admin_class.__module__}
            )
            super().register(model, with_rules, **options)
