"""The event, agencies, delegates, invitations and booking links: one file per model family."""

from registration.models.agency import Agency
from registration.models.delegate import Delegate, new_checkin_reference
from registration.models.event import Event
from registration.models.invitation import (
    Invitation,
    new_invitation_code,
    normalise_invitation_code,
)
from registration.models.link import ManageLink, hash_token

__all__ = [
    "Agency",
    "Delegate",
    "Event",
    "Invitation",
    "ManageLink",
    "hash_token",
    "new_checkin_reference",
    "new_invitation_code",
    "normalise_invitation_code",
]
