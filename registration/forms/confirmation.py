"""The form that takes the 6-digit code we emailed."""

from django import forms


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
                "class": "form-control-lg",
                "style": "max-width: 10em",
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Type the 6 digits from the email.")
        return code
