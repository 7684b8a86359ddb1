"""The form that asks for a new booking link."""

from django import forms


class RequestLinkForm(forms.Form):
    email = forms.EmailField(
        label="Your work email",
        max_length=254,
        help_text="The address you registered with.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
