from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone

from .models import Agency, Delegate, Event, ExportRecord, Invitation, OutgoingEmail
from .outbox import count_waiting_email, send_emails


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "starts_on",
        "ends_on",
        "venue_name",
        "choices_required",
        "booking_mode",
        "is_current",
    ]
    fieldsets = [
        (None, {"fields": ["name", "tagline", "is_current"]}),
        ("When and where", {"fields": ["starts_on", "ends_on", "venue_name", "venue_address"]}),
        ("Day two", {"fields": ["day_two_summary", "choices_required"]}),
        ("Booking mode", {"fields": ["booking_mode", "ballot_closes_at"]}),
        (
            "Deadlines",
            {
                "fields": [
                    "registration_opens_at",
                    "registration_closes_at",
                    "changes_close_at",
                    "contact_email",
                ]
            },
        ),
    ]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_confirmed", "admission", "place_limit"]
    list_filter = ["kind", "is_confirmed", "admission"]
    search_fields = ["name"]
    fields = ["name", "kind", "is_confirmed", "admission", "email_domains", "place_limit"]
    actions = ["confirm_agencies"]

    @admin.action(description="Confirm the selected agencies")
    def confirm_agencies(self, request, queryset):
        count = queryset.update(is_confirmed=True)
        self.message_user(request, f"Confirmed {count} agencies.", messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["code", "agency", "note", "max_uses", "used", "expires_at", "created_at"]
    list_filter = ["event", "agency__kind"]
    search_fields = ["code", "note", "agency__name"]
    autocomplete_fields = ["agency"]
    fields = ["event", "code", "agency", "max_uses", "expires_at", "note"]

    def get_queryset(self, request):
        live = Count("delegates", filter=~Q(delegates__status=Delegate.Status.CANCELLED))
        return super().get_queryset(request).select_related("agency").annotate(used_count=live)

    @admin.display(description="used", ordering="used_count")
    def used(self, invitation):
        return invitation.used_count


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Try sending the selected emails now")
    def retry_now(self, request, queryset):
        ids = list(
            queryset.filter(status=OutgoingEmail.Status.PENDING).values_list("pk", flat=True)
        )
        OutgoingEmail.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
        sent = send_emails(message_ids=ids)
        self.message_user(request, f"Sent {sent} emails.")


def warn_about_waiting_email(*, admin, request):
    """After queueing a batch, say how many emails still wait for the mail server."""
    waiting = count_waiting_email()
    if waiting:
        admin.message_user(
            request,
            f"{waiting} emails are waiting in the outbox (the mail server was slow or refused "
            "them). `manage.py send_queued_email`, run from cron, sends them; Outgoing "
            "emails lists them and can retry them now.",
            messages.WARNING,
        )


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Who downloaded which list, and when. Written by the exports only; nobody edits it."""

    list_display = ["created_at", "username", "export_name", "format", "row_count"]
    list_filter = ["format", "created_at"]
    search_fields = ["username", "export_name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ExportRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
