"""The event, agencies, delegates, confirmation codes, invitations and booking links.

One file per model family.
"""

from registration.models.agency import Agency
from registration.models.confirmation import (
    EmailConfirmation,
    hash_confirmation_code,
    new_confirmation_code,
)
from registration.models.delegate import Delegate, name_begins, name_order, new_checkin_reference
from registration.models.detail_change import DetailChange
from registration.models.event import Event
from registration.models.handover import Handover
from registration.models.invitation import (
    Invitation,
    new_invitation_code,
    normalise_invitation_code,
)
from registration.models.link import ManageLink, SingleUseLink, hash_token

__all__ = [
    "Agency",
    "Delegate",
    "DetailChange",
    "EmailConfirmation",
    "Event",
    "Handover",
    "Invitation",
    "ManageLink",
    "SingleUseLink",
    "hash_confirmation_code",
    "hash_token",
    "name_begins",
    "name_order",
    "new_checkin_reference",
    "new_confirmation_code",
    "new_invitation_code",
    "normalise_invitation_code",
]
