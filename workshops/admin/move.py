"""Moving a delegate between two sessions of one time slot, from a session's roster."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from workshops.models import Booking, BookingChange, Session
from workshops.services.booking import BookingError, move_delegate

OVERRIDE_PERMISSION = "workshops.override_capacity"


class MoveDelegateForm(forms.Form):
    to_session = forms.ModelChoiceField(
        queryset=Session.objects.none(), label="Move to", empty_label=None
    )
    override = forms.IntegerField(
        label="Allow over capacity by",
        min_value=0,
        max_value=50,
        initial=0,
        help_text="Seats beyond the target's capacity you allow for this move (0 = none).",
    )
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=BookingChange._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you allow a session over its capacity; kept in the history.",
    )

    def __init__(self, *args, source, delegate, can_override, **kwargs):
        """Offer the slot's other sessions, less workshops `delegate` holds in another slot."""
        super().__init__(*args, **kwargs)
        held_elsewhere = Booking.objects.filter(delegate=delegate).exclude(session=source)
        targets = (
            Session.objects.filter(time_slot_id=source.time_slot_id)
            .exclude(pk=source.pk)
            .exclude(workshop_id__in=held_elsewhere.values("workshop_id"))
            .with_seats()
            .select_related("workshop", "room")
            .order_by("workshop__title")
        )
        self.fields["to_session"].queryset = targets
        self.fields["to_session"].label_from_instance = lambda s: (
            f"{s.workshop.title}, {s.room.name}: {s.seats_taken} of {s.capacity} taken"
            + (" (full)" if s.places_left <= 0 else "")
        )
        if not can_override:
            del self.fields["override"]

    def clean(self):
        data = super().clean()
        # A reason refused already (too long) needs no second message.
        if data.get("override") and "reason" in data and not data["reason"].strip():
            self.add_error("reason", "Say why the session may go over its capacity.")
        return data


def move_delegate_view(model_admin, request, session_id, delegate_id):
    """GET shows the form; POST moves the seat through `move_delegate` or shows why not."""
    booking = get_object_or_404(
        Booking.objects.select_related("delegate", "session__workshop", "session__time_slot"),
        session_id=session_id,
        delegate_id=delegate_id,
    )
    source = booking.session
    if not model_admin.has_change_permission(request, source):
        raise PermissionDenied
    can_override = request.user.has_perm(OVERRIDE_PERMISSION)
    form = MoveDelegateForm(
        request.POST or None, source=source, delegate=booking.delegate, can_override=can_override
    )
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["to_session"]
        try:
            move_delegate(
                delegate=booking.delegate,
                from_session=source,
                to_session=target,
                actor=request.user,
                override=form.cleaned_data.get("override") or 0,
                reason=form.cleaned_data["reason"],
            )
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            model_admin.message_user(
                request,
                f"Moved {booking.delegate} to “{target.workshop.title}” ({target.room.name}).",
                messages.SUCCESS,
            )
            return redirect("admin:workshops_session_change", source.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Move {booking.delegate}",
        "booking": booking,
        "source": source,
        "form": form,
        "can_override": can_override,
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/workshops/move_delegate.html", context)
