"""The event's settings in the admin: dates, deadlines, booking mode."""

from django.contrib import admin

from registration.admin.protected import ProtectsFields
from registration.models import Event


@admin.register(Event)
class EventAdmin(ProtectsFields, admin.ModelAdmin):
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
        ("On the day", {"fields": ["no_show_release_minutes"]}),
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
