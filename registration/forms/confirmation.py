"""The form that takes the 6-digit code we emailed."""

from functools import cache

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.conf import settings


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code",
        max_length=20,
        help_text="From the email we have just sent you. Spaces do not matter.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                # Its width from site.css: an inline style breaks the Content-Security-Policy.
                "class": "form-control-lg code-input",
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Type the 6 digits from the email.")
        return code


def code_form_html(form):
    """`form` as `{{ form|crispy }}` renders it; the blank one rendered once per process.

    A blank code form is the same for everyone (the CSRF token sits outside it), and
    rendering it through crispy-forms' templates was a third of the code page's CPU.
    A form with the code typed (and its errors) is rendered afresh, as is every form
    with DEBUG on (templates edited while the server runs).
    """
    if form.is_bound or settings.DEBUG:
        return as_crispy_form(form)
    return _blank_code_form_html()


@cache
def _blank_code_form_html():
    return as_crispy_form(ConfirmCodeForm())
