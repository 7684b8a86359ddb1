"""Check-in in the admin: links for door staff's phones (shown once, as a QR code), the history
of every scan and undo, standby queues and no-show releases."""

import segno
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from registration.admin.protected import ProtectsFields
from registration.models import Event
from socex.admin_messages import counted, report_counts
from workshops.forms.checkin import CheckinDeviceForm
from workshops.models import CheckIn, CheckinDevice, NoShowRelease, StandbyEntry
from workshops.services.checkin_devices import (
    CheckinLinkError,
    issue_checkin_link,
    revoke_checkin_links,
)


def show_link(model_admin, request, device, url):
    """The page that shows a new link once: a QR code for the phone, and the address."""
    qr = segno.make_qr(url, error="m")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Check-in link for {device.label}",
        "device": device,
        "url": url,
        "qr": qr.svg_data_uri(scale=6, border=3),
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/workshops/checkin_link.html", context)


@admin.register(CheckinDevice)
class CheckinDeviceAdmin(ProtectsFields, admin.ModelAdmin):
    """Door staff's phones: a link per door and day, shown once, revocable."""

    form = CheckinDeviceForm
    list_display = ["label", "day", "entrance", "room_names", "state", "last_used_at", "new_link"]
    list_filter = ["day", "entrance"]
    search_fields = ["label"]
    actions = ["revoke_links"]
    readonly_fields = ["expires_at", "revoked_at", "created_by", "created_at", "last_used_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rooms")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "label", "day", "entrance", "rooms"]
        return ["event", "label", "day", "entrance", "rooms", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A link belongs to its event and day; for another, make another link.
        return self.readonly_fields if obj is None else [*self.readonly_fields, "event", "day"]

    def get_changeform_initial_data(self, request):
        event = Event.objects.current()
        if event is None:
            return {}
        # Today on the event's days; before them, its first day (a link for another is refused).
        today = timezone.localdate()
        days = event.days
        return {"event": event, "day": today if today in days else days[0]}

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        request.checkin_link_url = issue_checkin_link(device=obj, created_by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        return show_link(self, request, obj, request.checkin_link_url)

    def get_urls(self):
        return [
            path(
                "<id:device_id>/new-link/",
                self.admin_site.admin_view(self.new_link_view),
                name="workshops_checkindevice_new_link",
            ),
            *super().get_urls(),
        ]

    def new_link_view(self, request, device_id):
        """GET asks; POST replaces the link's token (the old link stops working) and shows it."""
        device = get_object_or_404(CheckinDevice.objects.select_related("event"), pk=device_id)
        if not self.has_change_permission(request, device):
            raise PermissionDenied
        if request.method == "POST":
            try:
                url = issue_checkin_link(device=device)
            except CheckinLinkError as error:
                self.message_user(request, error.message, messages.ERROR)
                return redirect("admin:workshops_checkindevice_changelist")
            return show_link(self, request, device, url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"A new check-in link for {device.label}?",
            "device": device,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/checkin_new_link.html", context)

    @admin.display(description="rooms")
    def room_names(self, device):
        return ", ".join(room.name for room in device.rooms.all()) or "—"

    @admin.display(description="state")
    def state(self, device):
        if device.revoked_at:
            return "Revoked"
        return "Works" if device.is_usable() else "Expired"

    @admin.display(description="link")
    def new_link(self, device):
        url = reverse("admin:workshops_checkindevice_new_link", args=[device.pk])
        return format_html('<a href="{}">New link…</a>', url)

    @admin.action(
        description="Revoke the selected links (their phones stop at once)", permissions=["change"]
    )
    def revoke_links(self, request, queryset):
        selected = queryset.count()
        count = revoke_checkin_links(devices=queryset)
        report_counts(
            self,
            request,
            counted(
                count,
                "%(count)d check-in link was revoked.",
                "%(count)d check-in links were revoked.",
            ),
            skipped=(
                selected - count,
                "%(count)d was revoked already.",
                "%(count)d were revoked already.",
            ),
        )


class ReadOnlyAdmin(ProtectsFields, admin.ModelAdmin):
    """Written by the check-in services only; nobody edits or deletes history."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    """Every scan, undo and seat from standby: who, when, which door and device."""

    list_display = ["at", "door_label", "delegate", "outcome", "by_name", "device", "undone_at"]
    list_filter = ["outcome", "door", "day", "admitted"]
    list_select_related = ["delegate", "device"]
    search_fields = ["delegate__first_name", "delegate__last_name", "door_label", "by_name"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in CheckIn._meta.fields]


@admin.register(StandbyEntry)
class StandbyEntryAdmin(ReadOnlyAdmin):
    list_display = ["session", "delegate", "joined_at", "seated_at", "left_at"]
    list_filter = ["session__time_slot"]
    list_select_related = ["delegate", "session__workshop", "session__time_slot", "session__room"]
    readonly_fields = [f.name for f in StandbyEntry._meta.fields]


@admin.register(NoShowRelease)
class NoShowReleaseAdmin(ReadOnlyAdmin):
    list_display = ["at", "session_label", "released", "seated", "by_name"]
    list_select_related = ["released", "seated"]
    readonly_fields = [f.name for f in NoShowRelease._meta.fields]
