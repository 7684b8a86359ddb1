"""Emails to everyone booked on a session, a slot or the event: draft, preview, send."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from outbox.admin import warn_about_waiting_email
from registration.admin.protected import ProtectsFields
from registration.models import Event
from socex.admin_messages import counted, report_counts
from workshops.models import Announcement, AnnouncementRecipient
from workshops.services.announcement import (
    AnnouncementError,
    announcement_recipients,
    render_announcement,
    send_announcement,
)

PREVIEW_NAMES = 200


class AnnouncementRecipientInline(ProtectsFields, admin.TabularInline):
    model = AnnouncementRecipient
    verbose_name_plural = "sent to"
    fields = ["email", "delegate", "email_status"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("delegate", "outgoing_email")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="email status")
    def email_status(self, recipient):
        message = recipient.outgoing_email
        return message.get_status_display() if message else "—"


@admin.register(Announcement)
class AnnouncementAdmin(ProtectsFields, admin.ModelAdmin):
    """Save a draft, check the preview (who gets it and what it says), then send it once."""

    list_display = [
        "subject",
        "audience_label",
        "created_by",
        "facilitator",
        "sent_at",
        "recipient_count",
    ]
    list_filter = ["audience", "event"]
    list_select_related = [
        "event",
        "created_by",
        "facilitator",
        "session__workshop",
        "session__time_slot",
        "time_slot",
    ]
    search_fields = ["subject", "body"]
    fields = ["event", "audience", "session", "time_slot", "subject", "body"]
    inlines = [AnnouncementRecipientInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_recipients=Count("recipients"))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("event", Event.objects.current())
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            kwargs["queryset"] = db_field.related_model.objects.select_related(
                "workshop", "time_slot", "room"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A sent announcement is a record: it can be read, no longer edited.
        if obj is not None and obj.sent_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.sent_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None and obj.sent_at else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("admin:workshops_announcement_preview", obj.pk)

    def response_change(self, request, obj):
        return redirect("admin:workshops_announcement_preview", obj.pk)

    @admin.display(description="recipients")
    def recipient_count(self, announcement):
        if announcement.sent_at is None:
            url = reverse("admin:workshops_announcement_preview", args=[announcement.pk])
            return format_html('<a href="{}">Preview and send</a>', url)
        return announcement.n_recipients

    def get_urls(self):
        return [
            path(
                "<id:announcement_id>/preview/",
                self.admin_site.admin_view(self.preview),
                name="workshops_announcement_preview",
            ),
            *super().get_urls(),
        ]

    def preview(self, request, announcement_id):
        """GET: what each delegate will read and who gets it. POST: send it, once."""
        announcement = get_object_or_404(
            Announcement.objects.select_related(
                "event", "session__workshop", "session__time_slot", "session__room", "time_slot"
            ),
            pk=announcement_id,
        )
        if not self.has_view_permission(request, announcement):
            raise PermissionDenied
        if announcement.sent_at is not None:
            if request.method == "POST":  # a second press, another tab, a reload
                self.message_user(
                    request,
                    f"“{announcement.subject}” was already sent on "
                    f"{timezone.localtime(announcement.sent_at):%-d %B at %H:%M}: nothing was "
                    "sent again.",
                    messages.WARNING,
                )
            return redirect("admin:workshops_announcement_change", announcement.pk)
        can_send = self.has_change_permission(request, announcement)
        if request.method == "POST":
            if not can_send:
                raise PermissionDenied
            try:
                recipients = send_announcement(announcement=announcement, actor=request.user)
            except AnnouncementError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                report_counts(
                    self,
                    request,
                    counted(
                        len(recipients),
                        "“%(subject)s” was queued to %(count)d delegate.",
                        "“%(subject)s” was queued to %(count)d delegates.",
                        subject=announcement.subject,
                    ),
                )
                warn_about_waiting_email(admin=self, request=request)
                return redirect("admin:workshops_announcement_change", announcement.pk)
        recipients = announcement_recipients(announcement).select_related("agency")
        total = recipients.count()
        shown = list(recipients[:PREVIEW_NAMES])
        text = ""
        if shown:
            text, _html = render_announcement(announcement=announcement, delegate=shown[0])
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {announcement.subject}",
            "announcement": announcement,
            "total": total,
            "shown": shown,
            "more": total - len(shown),
            "text": text,
            "can_send": can_send,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/announcement_preview.html", context)
