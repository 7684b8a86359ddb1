import secrets

from django.db import models
from django.urls import reverse

from registration.models.delegate import Delegate
from registration.validators import validate_single_line
from socex.site_url import site_url


class Handover(models.Model):
    """A delegate's offer of their place to a colleague, until the colleague accepts it.

    The colleague accepts by opening the emailed link, which proves the
    address is theirs. Only the token's hash is stored. The row goes when the
    offer is accepted, withdrawn, replaced by another, or the delegate's data
    is erased; the colleague's details then live only on their own registration.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="handovers")
    first_name = models.CharField(max_length=100, validators=[validate_single_line])
    last_name = models.CharField(max_length=100, validators=[validate_single_line])
    email = models.EmailField("work email")
    job_title = models.CharField(max_length=150, validators=[validate_single_line])
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Handover of {self.delegate} (expires {self.expires_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    @staticmethod
    def url_for(raw_token):
        return site_url() + reverse("registration:accept_handover", args=[raw_token])
