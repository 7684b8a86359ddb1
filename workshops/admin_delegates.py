"""The organisers' tools on the delegates list: filters, bulk actions and the booking history.

`workshops.admin.DelegateAdmin` wires these in; its queryset annotates
`choice_count` (seats held), which the filters and actions rely on.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, F, Q

from registration.admin import warn_about_waiting_email
from registration.models import Agency, Delegate
from registration.outbox import sending_together
from registration.services import send_registration_email

from .models import BookingChange
from .notifications import send_booking_confirmation, send_choices_reminder

NEEDS_PERMISSION = "registration.view_needs"


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


class ChoicesIncompleteFilter(admin.SimpleListFilter):
    """Registered day-two delegates holding fewer seats than their event requires."""

    title = "day-two choices"
    parameter_name = "choices"

    def lookups(self, request, model_admin):
        return [("incomplete", "Incomplete"), ("complete", "Complete")]

    def queryset(self, request, queryset):
        day_two = queryset.filter(status=Delegate.Status.REGISTERED, attends_day_two=True)
        if self.value() == "incomplete":
            return day_two.filter(choice_count__lt=F("event__choices_required"))
        if self.value() == "complete":
            return day_two.filter(choice_count__gte=F("event__choices_required"))
        return queryset


class NeedsFilter(admin.SimpleListFilter):
    """Delegates who told us dietary or accessibility needs; only for `view_needs` holders."""

    title = "dietary or accessibility needs"
    parameter_name = "needs"

    def lookups(self, request, model_admin):
        if not request.user.has_perm(NEEDS_PERMISSION):
            return []
        return [
            ("any", "Any needs"),
            ("dietary", "Dietary requirements"),
            ("access", "Accessibility needs"),
            ("none", "None"),
        ]

    def queryset(self, request, queryset):
        if not request.user.has_perm(NEEDS_PERMISSION):
            return queryset
        dietary = ~Q(dietary_requirements="")
        access = ~Q(accessibility_needs="")
        condition = {
            "any": dietary | access,
            "dietary": dietary,
            "access": access,
            "none": ~(dietary | access),
        }.get(self.value())
        return queryset if condition is None else queryset.filter(condition)


@admin.action(
    description="Confirm the agencies the selected delegates typed in",
    permissions=["confirm_agency"],
)
def confirm_typed_in_agencies(modeladmin, request, queryset):
    agency_ids = set(queryset.values_list("agency_id", flat=True))
    agencies = Agency.objects.filter(pk__in=agency_ids, is_confirmed=False)
    names = sorted(agencies.values_list("name", flat=True))
    agencies.update(is_confirmed=True)
    if names:
        modeladmin.message_user(
            request,
            f"Confirmed {len(names)} {'agency' if len(names) == 1 else 'agencies'}: "
            f"{', '.join(names)}.",
            messages.SUCCESS,
        )
    else:
        modeladmin.message_user(
            request, "The selected delegates' agencies were already confirmed.", messages.INFO
        )


@admin.action(
    description="Remind the selected delegates to complete their workshop choices",
    permissions=["change"],
)
def send_choice_reminders(modeladmin, request, queryset):
    delegates = (
        Delegate.objects.filter(
            pk__in=queryset.values("pk"),
            status=Delegate.Status.REGISTERED,
            attends_day_two=True,
        )
        .select_related("event")
        .annotate(held=Count("bookings"))
        .filter(held__lt=F("event__choices_required"))
    )
    with transaction.atomic(), sending_together():
        reminded = 0
        for delegate in delegates:
            send_choices_reminder(delegate=delegate, held=delegate.held)
            reminded += 1
    skipped = queryset.count() - reminded
    note = (
        f" {_plural(skipped, 'delegate')} skipped (choices complete, cancelled or day one only)."
        if skipped
        else ""
    )
    modeladmin.message_user(
        request, f"Queued a reminder to {_plural(reminded, 'delegate')}.{note}", messages.SUCCESS
    )
    warn_about_waiting_email(admin=modeladmin, request=request)


@admin.action(description="Resend the confirmation email", permissions=["change"])
def resend_confirmations(modeladmin, request, queryset):
    """Booked delegates get their booking confirmation, others their registration email."""
    delegates = (
        Delegate.objects.filter(pk__in=queryset.values("pk"), status=Delegate.Status.REGISTERED)
        .select_related("event", "agency")
        .annotate(held=Count("bookings"))
    )
    with transaction.atomic(), sending_together():
        sent = 0
        for delegate in delegates:
            if delegate.held:
                send_booking_confirmation(delegate=delegate)
            else:
                send_registration_email(delegate=delegate)
            sent += 1
    skipped = queryset.count() - sent
    note = f" {_plural(skipped, 'cancelled registration')} skipped." if skipped else ""
    modeladmin.message_user(
        request, f"Queued {_plural(sent, 'confirmation')}.{note}", messages.SUCCESS
    )
    warn_about_waiting_email(admin=modeladmin, request=request)


class BookingChangeInline(admin.TabularInline):
    """The delegate's booking history, newest first; written only by the booking service."""

    model = BookingChange
    fk_name = "delegate"
    verbose_name = "booking change"
    verbose_name_plural = "booking history"
    fields = ["at", "action", "session_label", "from_session_label", "by", "override", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="by")
    def by(self, change):
        return change.by

    @admin.display(description="over capacity allowed")
    def override(self, change):
        return change.capacity_override or ""


class CapacityOverrideFilter(admin.SimpleListFilter):
    title = "capacity override"
    parameter_name = "override"

    def lookups(self, request, model_admin):
        return [("yes", "Moved over capacity")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(capacity_override__gt=0)
        return queryset


@admin.register(BookingChange)
class BookingChangeAdmin(admin.ModelAdmin):
    """Every seat booked, released or moved, by whom; read-only."""

    list_display = ["at", "delegate", "action", "session_label", "from_session_label", "by"]
    list_filter = ["action", CapacityOverrideFilter, "at"]
    list_select_related = ["delegate"]
    search_fields = ["delegate__first_name", "delegate__last_name", "delegate__email"]
    readonly_fields = [f.name for f in BookingChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Rows go only with their delegate (deleting a delegate cascades to the
        # history and the admin asks about each row), never on their own in bulk.
        return obj is not None and request.user.has_perm("registration.delete_delegate")
