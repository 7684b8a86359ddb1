"""Facilitators' forms: asking for a sign-in link, an email to a session, the organisers' admin."""

from django import forms

from workshops.models import Announcement, Facilitator, Session
from workshops.services.facilitator import EMAIL_AUDIENCES


class RequestFacilitatorLinkForm(forms.Form):
    email = forms.EmailField(
        label="Your email",
        max_length=254,
        help_text="The address the organisers have for you as a facilitator.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SessionEmailForm(forms.Form):
    """What a facilitator writes to their session: checked again by the service on sending."""

    audience = forms.ChoiceField(
        label="Send to",
        choices=[(a.value, a.label) for a in EMAIL_AUDIENCES],
        initial=Announcement.Audience.ATTENDED,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Message",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. Each delegate's greeting and your name are added for you.",
    )


class FacilitatorAdminForm(forms.ModelForm):
    """The organisers' form: needs granted only at sessions of the facilitator's workshops."""

    class Meta:
        model = Facilitator
        fields = ["event", "name", "email", "workshops", "needs_sessions"]

    def clean(self):
        cleaned = super().clean()
        workshops = cleaned.get("workshops")
        granted = cleaned.get("needs_sessions")
        event = cleaned.get("event")
        if (
            event is not None
            and workshops is not None
            and any(workshop.event_id != event.pk for workshop in workshops)
        ):
            self.add_error("workshops", "Choose workshops of this facilitator's event.")
        if granted and workshops is not None:
            ours = {workshop.pk for workshop in workshops}
            outside = [session for session in granted if session.workshop_id not in ours]
            if outside:
                self.add_error(
                    "needs_sessions",
                    "Grant access needs only at sessions of this facilitator's workshops: "
                    + "; ".join(str(session) for session in outside)
                    + ".",
                )
        return cleaned


def session_choices():
    return Session.objects.select_related("workshop", "time_slot", "room").order_by(
        "time_slot__starts_at", "workshop__title"
    )
