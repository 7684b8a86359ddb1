"""The outbox in the admin: what was sent, what waits and why, and retrying now (by a worker)."""

from django.contrib import admin, messages
from django.utils import timezone

from outbox.models import OutgoingEmail
from outbox.services import enqueue_sending, waiting_email_warning
from socex.admin_messages import counted, report_counts


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "to",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ]
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
        """Ends the back-off of the selected pending emails and queues a job to send them."""
        selected = queryset.count()
        ids = list(
            queryset.filter(status=OutgoingEmail.Status.PENDING).values_list("pk", flat=True)
        )
        OutgoingEmail.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
        enqueue_sending(message_ids=ids)
        report_counts(
            self,
            request,
            counted(
                len(ids),
                "%(count)d email was queued for a worker to send now.",
                "%(count)d emails were queued for a worker to send now.",
            ),
            skipped=(
                selected - len(ids),
                "%(count)d was not waiting to be sent and was left alone.",
                "%(count)d were not waiting to be sent and were left alone.",
            ),
            level=messages.INFO,
        )
        warn_about_waiting_email(admin=self, request=request)


def warn_about_waiting_email(*, admin, request):
    """After queueing email, warn if it cannot go yet (no worker, or a failing mail server)."""
    warning = waiting_email_warning()
    if warning:
        admin.message_user(request, warning, messages.WARNING)
