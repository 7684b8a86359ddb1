"""The event admin with seats: what switching to a ballot means for delegates who hold seats.

Extends `registration.admin.event.EventAdmin`, which knows nothing of seats.
"""

from django.contrib import admin, messages

from registration.admin import event as registration_admin
from registration.models import Event
from workshops.forms.programme import EventDatesForm
from workshops.services.ballot import count_seat_holders


def seat_holders_in_ballot(*, event, holders):
    """What a ballot does to `holders` (`count_seat_holders`), in an organiser's words."""
    holding, complete = holders["holding"], holders["complete"]
    one = holding == 1
    who = f"{holding} delegate{'' if one else 's'} of {event.name} hold{'s' if one else ''} seats"
    if complete == holding:
        sets = f"all with a full set of {event.choices_required}"
    else:
        sets = f"{complete} with a full set of {event.choices_required}"
    return (
        f"{who} ({sets}). In ballot mode they keep their seats and are left out of the "
        "ballot: their seats are not offered to it, their booking page shows their timetable "
        "and says they keep it, and they cannot change their workshops until an allocation "
        "is published and booking is live again. Only delegates without seats rank the "
        "workshops and are allocated."
    )


# Registration registered its own EventAdmin; this one adds what the booking mode does to seats.
admin.site.unregister(Event)


@admin.register(Event)
class EventAdmin(registration_admin.EventAdmin):
    form = EventDatesForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        field = form.base_fields.get("booking_mode")
        if obj is not None and field is not None:
            holders = count_seat_holders(event=obj)
            if holders["holding"]:
                field.help_text = (
                    f"{field.help_text} {seat_holders_in_ballot(event=obj, holders=holders)}"
                )
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "booking_mode" in form.changed_data and obj.is_ballot:
            holders = count_seat_holders(event=obj)
            if holders["holding"]:
                what = seat_holders_in_ballot(event=obj, holders=holders)
                messages.warning(request, f"Switched to ballot mode. {what}")
