from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms

from registration.forms.kept_layout import KeptLayout
from registration.forms.registration import RegistrationForm, check_needs_consent
from registration.models import Delegate, Handover


class OfferHandoverForm(KeptLayout, forms.ModelForm):
    """The colleague a delegate hands their place to: who they are, and their work address."""

    class Meta:
        model = Handover
        fields = ["first_name", "last_name", "email", "job_title"]
        labels = {"email": "Their work email"}
        help_texts = {"email": "We email them a link to accept the place; it is yours until then."}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div("first_name", "last_name", css_class="row row-cols-1 row-cols-sm-2"),
            "email",
            "job_title",
            Submit("offer", "Offer my place"),
        )


class AcceptHandoverForm(KeptLayout, forms.ModelForm):
    """What the colleague adds when taking the place: badge, needs, and the privacy notice."""

    needs_consent = RegistrationForm.base_fields["needs_consent"]
    privacy_accepted = RegistrationForm.base_fields["privacy_accepted"]

    class Meta:
        model = Delegate
        fields = ["badge_name", "dietary_requirements", "accessibility_needs"]
        labels = RegistrationForm._meta.labels
        help_texts = RegistrationForm._meta.help_texts
        widgets = RegistrationForm._meta.widgets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["badge_name"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("Your badge", "badge_name"),
            Fieldset(
                "Looking after you", "dietary_requirements", "accessibility_needs", "needs_consent"
            ),
            Fieldset("Privacy", "privacy_accepted"),
            Submit("accept", "Accept the place"),
        )

    def clean(self):
        data = super().clean()
        check_needs_consent(self, data)
        return data
