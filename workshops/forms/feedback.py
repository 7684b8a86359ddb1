"""The session survey an attendee fills in, and the certificate check anyone may use."""

from django import forms

from registration.validators import validate_no_bidi_controls
from workshops.models.feedback import ANSWER_MAX_LENGTH
from workshops.services.feedback import RATINGS

RATING_LABELS = {1: "1 – not at all", 2: "2", 3: "3", 4: "4", 5: "5 – very"}


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(r, RATING_LABELS[r]) for r in RATINGS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a rating from 1 to 5.",
            "invalid_choice": "Choose a rating from 1 to 5.",
        },
    )
    first_answer = forms.CharField(
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_bidi_controls],
        error_messages={"max_length": "Keep this answer to %(limit_value)s characters or fewer."},
    )
    second_answer = forms.CharField(
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_bidi_controls],
        error_messages={"max_length": "Keep this answer to %(limit_value)s characters or fewer."},
    )
    show_name = forms.BooleanField(
        required=False,
        label="You may show my name with my answers",
        help_text="Unticked, nobody (facilitators and organisers included) sees who wrote them.",
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = questions.rating_question
        self.fields["first_answer"].label = questions.first_question
        self.fields["second_answer"].label = questions.second_question
        self.fields["first_answer"].help_text = f"Optional; up to {ANSWER_MAX_LENGTH} characters."
        self.fields["second_answer"].help_text = f"Optional; up to {ANSWER_MAX_LENGTH} characters."


class CertificateNameForm(forms.Form):
    name = forms.CharField(
        label="Name as printed on the certificate",
        max_length=201,
        error_messages={
            "required": "Type the name printed on the certificate.",
            "max_length": "A name printed on a certificate is at most %(limit_value)s characters.",
        },
    )


class CertificateCodeForm(forms.Form):
    code = forms.CharField(
        label="Certificate code",
        max_length=20,
        help_text="Printed under the QR code, such as 7KQ2-M9PD.",
        error_messages={"required": "Type the code printed on the certificate."},
    )
