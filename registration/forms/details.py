from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

from registration.forms.kept_layout import KeptLayout
from registration.forms.registration import RegistrationForm, check_needs_consent
from registration.models import Delegate
from registration.signals import ask_day_two_places_left


class DetailsForm(KeptLayout, forms.ModelForm):
    """A delegate's own details that they may change after registering.

    Name, address and agency are who holds the place, so they are not here: a
    different person is a handover, through the organisers.
    """

    needs_consent = RegistrationForm.base_fields["needs_consent"]

    class Meta:
        model = Delegate
        fields = [
            "badge_name",
            "job_title",
            "phone",
            "attends_day_one",
            "attends_day_two",
            "dietary_requirements",
            "accessibility_needs",
        ]
        labels = RegistrationForm._meta.labels
        help_texts = {
            **RegistrationForm._meta.help_texts,
            "attends_day_two": "Leaving day two gives up your workshops and waiting-list places.",
        }
        widgets = RegistrationForm._meta.widgets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["badge_name"].required = False
        self.fields["needs_consent"].initial = self.instance.needs_consent_at is not None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("About you", "badge_name", "job_title", "phone"),
            Fieldset("Which days will you attend?", "attends_day_one", "attends_day_two"),
            Fieldset(
                "Looking after you", "dietary_requirements", "accessibility_needs", "needs_consent"
            ),
            Submit("save", "Save my details"),
        )

    def clean(self):
        data = super().clean()
        check_needs_consent(self, data)
        if not data.get("attends_day_one") and not data.get("attends_day_two"):
            self.add_error(
                "attends_day_two",
                "Choose at least one day, or cancel your registration from your booking page.",
            )
        joining_day_two = data.get("attends_day_two") and not self.initial.get("attends_day_two")
        if joining_day_two and ask_day_two_places_left(event=self.instance.event) <= 0:
            self.add_error(
                "attends_day_two",
                "Day two is full: there is no full set of workshops left for another delegate.",
            )
        return data
