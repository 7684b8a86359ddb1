"""Doors and who works them: the entrance on a day, or a session's room; an account or a link.

`DoorStaff` is who scans: a signed-in account holding `workshops.check_in`, a
check-in link (`workshops.services.checkin_devices`), a facilitator signed in
by their emailed link (their own sessions' doors only, never the entrance), or
the system (the no-show release run by the worker); the history and the
booking history name it.
`doors_for` lists the doors it may work, `find_door` reads a door's name
("entrance:2019-05-23", "session:12") and refuses any other.
"""

from dataclasses import dataclass
from datetime import date

from registration.errors import UserFacingError
from registration.models import Event
from workshops.models import CheckinDevice, Facilitator, Session
from workshops.services.booking import SystemActor
from workshops.services.standby import day_bounds, day_of

PERMISSION = "workshops.check_in"
ENTRANCE = "entrance"
SESSION = "session"


class CheckinError(UserFacingError):
    """A check-in request cannot be done; `message` says why, to the person holding the phone."""


@dataclass(frozen=True)
class DoorStaff:
    """Who is scanning: an account holding `workshops.check_in`, a device link, a
    facilitator, or the system."""

    user: object = None
    device: CheckinDevice | None = None
    facilitator: Facilitator | None = None
    system: str = ""

    @property
    def name(self):
        if self.device is not None:
            return self.device.label
        if self.facilitator is not None:
            return f"{self.facilitator.name} (facilitator)"
        return self.system or self.user.get_username()

    @property
    def actor(self):
        """The booking history's actor for seats this door books or releases."""
        if self.user is not None:
            return self.user
        return SystemActor(f"check-in: {self.name}")

    def event(self):
        if self.device is not None:
            return self.device.event
        if self.facilitator is not None:
            return self.facilitator.event
        return Event.objects.current()

    def days(self, event):
        return [self.device.day] if self.device is not None else event.days

    def sessions(self, event):
        """The sessions whose doors this staff may work, with what a door's name needs."""
        sessions = Session.objects.for_event(event).select_related("time_slot", "workshop", "room")
        if self.facilitator is not None:
            sessions = sessions.filter(workshop__facilitators=self.facilitator)
        if self.device is not None:
            start, end = day_bounds(self.device.day)
            sessions = sessions.filter(
                room__in=self.device.rooms.all(),
                time_slot__starts_at__gte=start,
                time_slot__starts_at__lt=end,
            )
        return sessions.order_by("time_slot__starts_at", "room__name")

    def may_use_entrance(self):
        if self.facilitator is not None:
            return False
        return self.device is None or self.device.entrance


@dataclass(frozen=True)
class Door:
    """The entrance on `day`, or `session`'s room."""

    event: Event
    day: date
    session: Session | None = None

    @property
    def key(self):
        return f"{SESSION}:{self.session.pk}" if self.session else f"{ENTRANCE}:{self.day:%Y-%m-%d}"

    @property
    def label(self):
        if self.session is None:
            return f"Entrance, {self.day:%A %-d %B}"
        session = self.session
        # The time first: a phone's closed picker shows only the start of the label, and
        # the time tells apart the four sessions in one room.
        return (
            f"{session.time_slot.times} {session.room.name}: {session.workshop.title} "
            f"({session.time_slot.name})"
        )


def doors_for(*, staff, event):
    """Every door `staff` may work at `event`, entrances first (two queries)."""
    doors = (
        [Door(event=event, day=day) for day in staff.days(event)]
        if staff.may_use_entrance()
        else []
    )
    doors += [
        Door(event=event, day=day_of(session), session=session) for session in staff.sessions(event)
    ]
    return doors


def find_door(*, staff, key):
    """The door named `key` ("entrance:2019-05-23" or "session:12"), if `staff` may work it.

    Raises `CheckinError` otherwise.
    """
    event = staff.event()
    kind, _, value = (key or "").partition(":")
    refused = CheckinError("Choose one of your doors from the list.")
    if event is None:
        raise CheckinError("There is no current event.")
    if kind == ENTRANCE and staff.may_use_entrance():
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise refused from None
        if day in staff.days(event):
            return Door(event=event, day=day)
    elif kind == SESSION and value.isascii() and value.isdigit() and len(value) < 19:
        session = staff.sessions(event).filter(pk=int(value)).first()
        if session is not None:
            return Door(event=event, day=day_of(session), session=session)
    raise refused
