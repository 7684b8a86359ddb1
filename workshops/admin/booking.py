"""Seats and their history in the admin."""

from django.contrib import admin

from registration.admin.protected import ProtectsFields
from workshops.models import Booking, BookingChange
from workshops.services.booking import release_bookings


@admin.register(Booking)
class BookingAdmin(ProtectsFields, admin.ModelAdmin):
    """A read-only list of seats; change them from the delegate's page."""

    list_display = ["delegate", "workshop", "time_slot", "session_room", "created_at"]
    list_filter = ["time_slot", "workshop"]
    list_select_related = ["delegate", "workshop", "time_slot", "session__room"]
    search_fields = ["delegate__first_name", "delegate__last_name", "delegate__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deleting seats goes through the booking service, which records the organiser
    # in the history and hands the freed seats to the people waiting.
    def delete_model(self, request, obj):
        release_bookings(bookings=[obj], actor=request.user)

    def delete_queryset(self, request, queryset):
        release_bookings(bookings=list(queryset), actor=request.user)

    @admin.display(description="room")
    def session_room(self, booking):
        return booking.session.room.name


class BookingChangeInline(ProtectsFields, admin.TabularInline):
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
class BookingChangeAdmin(ProtectsFields, admin.ModelAdmin):
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
