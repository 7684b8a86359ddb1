"""The programme, seats, waiting lists, ballot, announcements, check-in, feedback and
certificates: a file per family."""

from workshops.models.announcement import Announcement, AnnouncementRecipient
from workshops.models.ballot import AllocationRun, Preference
from workshops.models.booking import Booking, BookingChange, SeatTally
from workshops.models.calendar import CalendarEntry, CalendarFeed
from workshops.models.certificate import Certificate
from workshops.models.checkin import CheckIn, CheckinDevice, NoShowRelease, StandbyEntry
from workshops.models.export import ExportFile, ExportRecord
from workshops.models.facilitator import Facilitator, FacilitatorLink
from workshops.models.feedback import SurveyAnswer, SurveyInvitation, SurveyQuestions
from workshops.models.programme import (
    Room,
    Session,
    TimeSlot,
    Workshop,
    sessions_on_offer_held_by,
)
from workshops.models.waitlist import WaitlistEntry

__all__ = [
    "AllocationRun",
    "Announcement",
    "AnnouncementRecipient",
    "Booking",
    "BookingChange",
    "CalendarEntry",
    "CalendarFeed",
    "Certificate",
    "CheckIn",
    "CheckinDevice",
    "ExportFile",
    "ExportRecord",
    "Facilitator",
    "FacilitatorLink",
    "NoShowRelease",
    "Preference",
    "Room",
    "SeatTally",
    "Session",
    "StandbyEntry",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyQuestions",
    "TimeSlot",
    "WaitlistEntry",
    "Workshop",
    "sessions_on_offer_held_by",
]
