"""What the check-in page sends: scans, undo, searches, and an organiser's new check-in link."""

from django import forms
from django.utils import timezone

from workshops.models import CheckinDevice
from workshops.services.checkin_devices import CheckinLinkError, issue_checkin_link

# The most scans one request may carry (a phone's offline queue is sent in batches).
MAX_SCANS_PER_REQUEST = 50


class JSONForm(forms.Form):
    """A form fed a decoded JSON object: each field must arrive as text (or null, or absent).

    Django's fields expect what a browser posts; a number, boolean, list or
    object where text belongs gets this form's per-field error instead of
    reaching (and crashing) the field's parser.
    """

    wrong_type_message = "Send this as text."

    def __init__(self, data=None, **kwargs):
        data = dict(data) if data is not None else None
        self.wrong_types = [
            name
            for name in self.base_fields
            if data is not None and data.get(name) is not None and not isinstance(data[name], str)
        ]
        for name in self.wrong_types:
            data[name] = ""
        super().__init__(data, **kwargs)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.wrong_types:
            self.cleaned_data.pop(name, None)
            self._errors[name] = self.error_class([self.wrong_type_message])


class ScanForm(JSONForm):
    """One scan: the device's UUID for it, the door, what the badge said, when it was read."""

    id = forms.UUIDField()
    door = forms.CharField(max_length=40)
    reference = forms.CharField(max_length=64, required=False)
    at = forms.DateTimeField(required=False)

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at, timezone.utc)
        return at


class UndoForm(JSONForm):
    id = forms.UUIDField()


class DoorForm(forms.Form):
    door = forms.CharField(max_length=40)


class SearchForm(forms.Form):
    door = forms.CharField(max_length=40)
    q = forms.CharField(max_length=100, strip=True)


def first_error(form):
    """The first message of an invalid form, for a JSON answer."""
    for field, errors in form.errors.items():
        label = "" if field == "__all__" else f"{field}: "
        return f"{label}{errors[0]}"
    return "That request was not understood."


class CheckinDeviceForm(forms.ModelForm):
    """An organiser's new check-in link: who, which day, which doors."""

    class Meta:
        model = CheckinDevice
        fields = ["event", "label", "day", "entrance", "rooms"]
        widgets = {"rooms": forms.CheckboxSelectMultiple}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("entrance") and not cleaned.get("rooms"):
            raise forms.ValidationError("Choose the entrance, at least one room, or both.")
        event, day = cleaned.get("event"), cleaned.get("day")
        if event and day and day not in event.days:
            days = " or ".join(f"{d:%-d %B %Y}" for d in event.days)
            self.add_error("day", f"Choose a day of {event.name}: {days}.")
        return cleaned

    def issue(self, *, created_by):
        """Save the link and return its URL (shown once). Raises `CheckinLinkError`."""
        device = self.save(commit=False)
        url = issue_checkin_link(device=device, created_by=created_by)
        self.save_m2m()
        return url


__all__ = ["CheckinLinkError", "issue_checkin_link"]
