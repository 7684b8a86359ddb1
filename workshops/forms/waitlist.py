from django import forms

from workshops.models import Session


class WaitlistSessionForm(forms.Form):
    """The session a delegate's join or leave button posts: one of their event's sessions.

    The field parses the posted id itself, so text such as “²” (a digit to
    `str.isdigit`, not to `int`) or an id of thousands of digits is simply
    not a choice.
    """

    session = forms.ModelChoiceField(queryset=Session.objects.none())

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.for_event(event).select_related(
            "workshop", "time_slot"
        )
