"""The outbox in the admin: what was sent, what waits, and retrying now."""

from django.contrib import admin, messages
from django.utils import timezone

from outbox.models import OutgoingEmail
from outbox.services import count_waiting_email, send_emails


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    # `sealed` holds only encrypted secrets, but there is nothing in it for a person to read.
    exclude = ["sealed"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields if f.name != "sealed"]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        # Nobody edits an email here, but retrying changes its schedule: organisers only.
        return request.user.has_perm("outbox.change_outgoingemail")

    @admin.action(description="Try sending the selected emails now", permissions=["retry"])
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
