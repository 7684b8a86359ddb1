"""The programme, seats, waiting lists, ballot, announcements and check-in: a file per family."""

from workshops.models.announcement import Announcement, AnnouncementRecipient
from workshops.models.ballot import AllocationRun, Preference
from workshops.models.booking import Booking, BookingChange
from workshops.models.calendar import CalendarEntry, CalendarFeed
from workshops.models.checkin import CheckIn, CheckinDevice, NoShowRelease, StandbyEntry
from workshops.models.export import ExportRecord
from workshops.models.programme import Room, Session, TimeSlot, Workshop
from workshops.models.waitlist import WaitlistEntry

__all__ = [
    "AllocationRun",
    "Announcement",
    "AnnouncementRecipient",
    "Booking",
    "BookingChange",
    "CalendarEntry",
    "CalendarFeed",
    "CheckIn",
    "CheckinDevice",
    "ExportRecord",
    "NoShowRelease",
    "Preference",
    "Room",
    "Session",
    "StandbyEntry",
    "TimeSlot",
    "WaitlistEntry",
    "Workshop",
]
