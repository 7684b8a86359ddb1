"""Accounts in the admin: organisers add colleagues and set up their second factor.

Organisers are not superusers. They may add and change accounts, but only
grant what they hold themselves: a group or a permission they lack is not on
offer, superuser status is not on the page, and an account holding anything
they lack (a superuser, say) is theirs to read, not to change, so nobody can
raise themselves or a friend above their own rights. Nor may they change a
fellow organiser (an account that may itself manage accounts): resetting a
peer's password or second factor would let them sign in as that peer. Each account's page links
to *Second factor*, which gives the account a new authenticator and shows its
QR code once (the page counterpart of `manage.py setup_totp`).
"""

import segno
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from socex.totp import create_totp_device, totp_key

ONLY_SUPERUSERS_GRANT = ("is_superuser",)


def _label(permission):
    return f"{permission.content_type.app_label}.{permission.codename}"


def may_manage(*, user, account):
    """Whether `user` may change `account`: their own, or one holding nothing `user` does not
    and unable to manage accounts itself.

    A fellow organiser is not another organiser's to change: whoever may reset a
    peer's password and second factor may sign in as them, and the admin's history
    would then name the wrong person. Peers are changed by a superuser (the
    technical admin) or by themselves.
    """
    if user.is_superuser or account.pk == user.pk:
        return True
    held = _held(account)
    if account.is_superuser or "auth.change_user" in held:
        return False
    return held <= user.get_all_permissions()


def _held(account):
    """Every permission the account's rows grant, active or not (Django's own checks answer
    nothing for a deactivated account, which would make it anyone's to reactivate)."""
    granted = Permission.objects.filter(Q(user=account) | Q(group__user=account)).distinct()
    return {_label(p) for p in granted.select_related("content_type")}


class AccountAdmin(UserAdmin):
    """Django's user admin, limited to what the person using it may grant."""

    list_display = ["username", "first_name", "last_name", "email", "roles", "is_active"]
    readonly_fields = ["second_factor", "last_login", "date_joined"]
    # Plain, labelled controls: the roles as tick boxes, permissions as one list (Django's
    # two-pane filter widget carries ARIA that axe-core rightly refuses).
    filter_horizontal = ()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles(self, account):
        if account.is_superuser:
            return "Technical admin (superuser)"
        return ", ".join(group.name for group in account.groups.all()) or "—"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        kept = []
        for name, options in fieldsets:
            fields = list(options["fields"])
            if not request.user.is_superuser:
                fields = [f for f in fields if f not in ONLY_SUPERUSERS_GRANT]
            if "is_staff" in fields:
                fields.insert(fields.index("is_staff") + 1, "second_factor")
            kept.append((name, {**options, "fields": fields}))
        return kept

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            held = request.user.get_all_permissions()
            if db_field.name == "groups":
                groups = Group.objects.prefetch_related("permissions__content_type")
                kwargs["queryset"] = Group.objects.filter(
                    pk__in=[
                        group.pk
                        for group in groups
                        if {_label(p) for p in group.permissions.all()} <= held
                    ]
                )
            elif db_field.name == "user_permissions":
                permissions = Permission.objects.select_related("content_type")
                kwargs["queryset"] = Permission.objects.filter(
                    pk__in=[p.pk for p in permissions if _label(p) in held]
                ).select_related("content_type")
        if db_field.name == "groups":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return may_manage(user=request.user, account=obj)

    @admin.display(description="second factor")
    def second_factor(self, account):
        if account.pk is None:
            return "—"
        devices = TOTPDevice.objects.filter(user=account, confirmed=True).count()
        url = reverse("admin:auth_user_second_factor", args=[account.pk])
        state = "An authenticator app is set up." if devices else "None set up yet."
        return format_html('{} <a href="{}">Set up a new authenticator app…</a>', state, url)

    def get_urls(self):
        return [
            path(
                "<id:user_id>/second-factor/",
                self.admin_site.admin_view(self.second_factor_view),
                name="auth_user_second_factor",
            ),
            *super().get_urls(),
        ]

    def second_factor_view(self, request, user_id):
        """GET: what happens. POST: replace the account's authenticator, show its key once."""
        account = self.get_object(request, str(user_id))
        if account is None:
            raise Http404("No such account.")
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        device = None
        if request.method == "POST":
            device = create_totp_device(account, replace=True)
            if account.pk == request.user.pk:
                # Stay signed in: the session was verified with the device just replaced.
                otp_login(request, device)
            self.message_user(
                request,
                f"{account.get_username()} has a new authenticator; the old one no longer works.",
                messages.SUCCESS,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Second factor for {account.get_username()}",
            "account": account,
            "device": device,
            "qr_code": segno.make(device.config_url).svg_data_uri(scale=4) if device else "",
            "key": totp_key(device) if device else "",
            "has_device": TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
            "opts": self.opts,
        }
        # admin_view marks the page never_cache (no-store): the key is kept by no cache.
        return TemplateResponse(request, "admin/auth/user/second_factor.html", context)


def register_account_admin(site):
    """Replace django.contrib.auth's user admin on `site`."""
    User = get_user_model()
    if site.is_registered(User):
        site.unregister(User)
    site.register(User, AccountAdmin)
