"""The programme's admin forms: a session's places never below the seats already held."""

from django import forms
from django.forms.models import BaseInlineFormSet

from workshops.models import TimeSlot
from workshops.services.capacity import seats_held_message, seats_over_capacity


def places_asked(form):
    """The capacity a session form would save (empty means the room's), or None if unknown."""
    capacity = form.cleaned_data.get("capacity")
    room = form.cleaned_data.get("room")
    if capacity:
        return capacity
    return room.capacity if room is not None else None


def refuse_overbooking(form, held):
    field = "capacity" if form.cleaned_data.get("capacity") else "room"
    message = seats_held_message(held)
    if field == "room":
        room = form.cleaned_data["room"]
        message = f"{room.name} holds {room.capacity}; {message}"
    form.add_error(field, message)


class SessionAdminForm(forms.ModelForm):
    """The session page: refuses fewer places (capacity, or a smaller room) than seats held.

    Checked holding the session's lock (`seats_over_capacity`), which the admin's
    transaction keeps until the new capacity is saved.
    """

    def clean(self):
        cleaned = super().clean()
        asked = places_asked(self)
        if self.instance.pk and asked is not None:
            over = seats_over_capacity(capacities={self.instance.pk: asked})
            if over:
                refuse_overbooking(self, over[self.instance.pk])
        return cleaned


class SessionInlineFormSet(BaseInlineFormSet):
    """The workshop page's session rows: each as `SessionAdminForm` checks it, under one lock.

    Every existing session of the page is locked in one call, in id order (the
    rows deleted have their seated delegates locked first), so the save that
    follows takes no lock out of order.
    """

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.initial_forms
            if form.instance.pk and form not in self.deleted_forms and form.is_valid()
        ]
        capacities = {form.instance.pk: places_asked(form) for form in kept}
        deleting = [form.instance.pk for form in self.deleted_forms if form.instance.pk]
        if not (capacities or deleting):
            return
        over = seats_over_capacity(
            capacities=capacities, deleting=self.model.objects.filter(pk__in=deleting)
        )
        for form in kept:
            if form.instance.pk in over:
                refuse_overbooking(form, over[form.instance.pk])


class EventDatesForm(forms.ModelForm):
    """The event's page: new dates must still hold every time slot of the event."""

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        moved = {"starts_on", "ends_on"} & set(self.changed_data)
        if self.instance.pk and moved and starts_on and ends_on and starts_on <= ends_on:
            outside = TimeSlot.objects.filter(event=self.instance).outside(
                starts_on=starts_on, ends_on=ends_on
            )
            if outside:
                names = "; ".join(f"{slot.name} ({slot.when})" for slot in outside)
                raise forms.ValidationError(
                    f"These time slots would lie outside the event's dates: {names}. Move them "
                    "first, or choose dates that include them."
                )
        return cleaned
