"""The registration app's admin, one module per model family, imported so the admin finds them."""

from registration.admin import agency, delegate, event, invitation, privacy

__all__ = ["agency", "delegate", "event", "invitation", "privacy"]
