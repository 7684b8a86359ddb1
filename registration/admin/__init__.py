"""The registration app's admin, one module per model family, imported so the admin finds them."""

from registration.admin import agency, event, invitation, privacy

__all__ = ["agency", "event", "invitation", "privacy"]
