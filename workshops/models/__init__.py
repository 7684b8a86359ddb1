"""The programme, seats, waiting lists, the ballot and announcements: one file per model family."""

from workshops.models.announcement import Announcement, AnnouncementRecipient
from workshops.models.ballot import AllocationRun, Preference
from workshops.models.booking import Booking, BookingChange
from workshops.models.export import ExportRecord
from workshops.models.programme import Room, Session, TimeSlot, Workshop
from workshops.models.waitlist import WaitlistEntry

__all__ = [
    "AllocationRun",
    "Announcement",
    "AnnouncementRecipient",
    "Booking",
    "BookingChange",
    "ExportRecord",
    "Preference",
    "Room",
    "Session",
    "TimeSlot",
    "WaitlistEntry",
    "Workshop",
]
