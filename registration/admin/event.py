"""The event's settings in the admin: dates, deadlines, booking mode."""

from django.contrib import admin, messages
from django.utils import timezone

from registration.admin.protected import ProtectsFields
from registration.models import Event
from registration.templatetags.deadlines import deadline_phrase


def deadline_warnings(event, now=None):
    """What an organiser should know about `event`'s deadlines: defaults in use, or passed."""
    now = now or timezone.now()
    registration_ends = deadline_phrase(event.registration_deadline)
    changes_end = deadline_phrase(event.changes_deadline)
    warnings = []
    if now >= event.registration_deadline:
        warnings.append(
            f"Registration for {event.name} closed at {registration_ends}: the public site "
            "takes no registrations. To open it, set a later “Registration closes at” under "
            "Deadlines, or move the event's dates."
        )
    elif not event.registration_closes_at:
        warnings.append(
            f"“Registration closes at” is empty, so registration for {event.name} closes when "
            f"the event starts: it is open until {registration_ends}."
        )
    if now >= event.changes_deadline:
        warnings.append(
            f"Changes for {event.name} closed at {changes_end}: delegates can no "
            "longer change or cancel online (you still can, here). To reopen them, set a later "
            "“Changes close at”."
        )
    elif not event.changes_close_at:
        warnings.append(
            f"“Changes close at” is empty, so delegates of {event.name} can change or cancel "
            f"online until {changes_end}, a day before day two."
        )
    return warnings


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

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            event = Event.objects.current()
            for warning in deadline_warnings(event) if event else ():
                messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            event = self.get_object(request, object_id)
            for warning in deadline_warnings(event) if event else ():
                messages.warning(request, warning)
        return super().change_view(request, object_id, form_url, extra_context)
