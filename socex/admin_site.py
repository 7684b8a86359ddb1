"""The organisers' admin site: a second factor (TOTP) whenever `settings.OTP_REQUIRED`.

`OTP_REQUIRED` follows `DEBUG` (on whenever DEBUG is off). Read per request,
not at import, so tests can switch it with `override_settings`.

Every model admin registered here, ours and other apps', gets two rules:
"Delete selected" comes last in its action list, after the actions organisers
use every day; and the technical apps' pages (sign-in lockouts, second-factor
devices) exist only for superusers, the technical admins, whatever
permissions a group holds; and a date-hierarchy year, month or day out of
range (`?created_at__year=99999999999999999999`) sends the organiser back to
the list with Django's "?e=1", as any other bad filter does.

Every admin page, and the sign-in page, refuses a request whose query string
or form carries a NUL byte, with a 400 (PostgreSQL text cannot hold one, and
filters, searches and forms would otherwise fail inside the database).
Organisers give a colleague a second factor from
the colleague's account page (`socex.account_admin`) or `manage.py setup_totp`.
"""

from functools import wraps

from django.conf import settings
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest
from django.db.models.base import ModelBase
from django_otp.admin import OTPAdminSite

from socex.second_factor import SecondFactorLoginForm

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


def refuse_nul_bytes(request):
    """Raise `BadRequest` (a 400) if any query-string or form key or value holds a NUL byte."""
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("A NUL character is not allowed in a request.")


class DatesInRange:
    """A date-hierarchy filter too large for a date (year 10000 on) is a bad filter, not a 500.

    Django turns a year it cannot parse into `IncorrectLookupParameters`, but not
    one that overflows `datetime` (OverflowError) or a last year whose next year
    does not exist (ValueError from `replace(year=10000)`).
    """

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


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
        return SecondFactorLoginForm if settings.OTP_REQUIRED else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.OTP_REQUIRED else None

    def admin_view(self, view, cacheable=False):
        """Django's wrapper (sign-in, CSRF, no-cache), after refusing NUL bytes."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def without_nul_bytes(request, *args, **kwargs):
            refuse_nul_bytes(request)
            return inner(request, *args, **kwargs)

        return without_nul_bytes

    def login(self, request, extra_context=None):
        refuse_nul_bytes(request)
        return super().login(request, extra_context)

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
            rules = (DeleteSelectedLast, DatesInRange)
            if model._meta.app_label in TECHNICAL_APPS:
                rules = (SuperusersOnly, *rules)
            # Django itself subclasses this way for `**options`; the name stays the admin's own.
            with_rules = type(
                admin_class.__name__, (*rules, admin_class), {"__module__": admin_class.__module__}
            )
            super().register(model, with_rules, **options)
