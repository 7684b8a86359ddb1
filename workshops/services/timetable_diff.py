"""What a timetable change did to one seat: the round as it was before, and as it is now.

The admin notes, when an organiser saves, how each changed round or session
was before (`time_slot_was`, `session_was`) and when it changed; the worker,
minutes later, compares that with the round as it is then (`round_change`).
Only a change made after the delegate took the seat counts: whoever booked
later saw the new times already. JSON-ready dicts, since they travel in the
job's arguments.
"""

import datetime
from dataclasses import dataclass, replace

from django.utils import dateformat, timezone


def time_slot_was(*, starts_at, ends_at):
    """A round's times before a change, for the job's arguments."""
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def session_was(*, title, room, location):
    """A session's workshop title, room name and directions before a change."""
    return {"title": title, "room": room, "location": location}


def noted(was, *, at):
    """`{id: was}` as the job keeps it: string keys, each with when it changed."""
    return {str(pk): {**state, "changed_at": at.isoformat()} for pk, state in was.items()}


def merge_changes(kept, new):
    """`kept` with the ids of `new` it lacks: an id keeps how it was before its FIRST change."""
    return {
        kind: {**new.get(kind, {}), **kept.get(kind, {})} for kind in ("time_slots", "sessions")
    }


@dataclass(frozen=True)
class RoundState:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    title: str
    room: str
    location: str


@dataclass(frozen=True)
class RoundChange:
    """One seat's round, `was` (None if not known) and `now`, and how to say each."""

    booking: object
    was: RoundState | None
    now: RoundState

    @property
    def heading(self):
        name = self.booking.time_slot.name
        if self.was is None or self.was.title == self.now.title:
            return f"{name}, “{self.now.title}”"
        return name

    @property
    def was_text(self):
        return self._describe(self.was, location=self.was.location != self.now.location)

    @property
    def now_text(self):
        return self._describe(self.now, location=True)

    def _describe(self, state, *, location):
        start, end = timezone.localtime(state.starts_at), timezone.localtime(state.ends_at)
        when = f"{start:%H:%M}–{end:%H:%M}"
        if self.was is not None and _day(self.was) != _day(self.now):
            when = f"{dateformat.format(start, 'D j M')} {when}"
        text = f"{when} in {state.room}"
        if location and state.location:
            text = f"{text} ({state.location})"
        if self.was is not None and self.was.title != self.now.title:
            text = f"“{state.title}”, {text}"
        return text


def round_change(booking, *, time_slots, sessions):
    """How `booking`'s round changed after it was taken, or None if it is as it was then.

    `booking` has its time slot, session, workshop and room loaded; `time_slots`
    and `sessions` map ids to what the admin noted (`noted`). An entry without
    a "was" (a job queued before they were noted) reports the round as it is.
    """
    session, slot = booking.session, booking.time_slot
    now = RoundState(
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        title=session.workshop.title,
        room=session.room.name,
        location=session.room.location,
    )
    slot_entry = time_slots.get(str(booking.time_slot_id))
    session_entry = sessions.get(str(booking.session_id))
    if any(
        entry is not None and "changed_at" not in entry for entry in (slot_entry, session_entry)
    ):
        return RoundChange(booking=booking, was=None, now=now)
    was = now
    if _after_seat_taken(booking, slot_entry):
        was = replace(
            was,
            starts_at=datetime.datetime.fromisoformat(slot_entry["starts_at"]),
            ends_at=datetime.datetime.fromisoformat(slot_entry["ends_at"]),
        )
    if _after_seat_taken(booking, session_entry):
        was = replace(
            was,
            title=session_entry["title"],
            room=session_entry["room"],
            location=session_entry["location"],
        )
    if was == now:
        return None
    return RoundChange(booking=booking, was=was, now=now)


def _after_seat_taken(booking, entry):
    return entry is not None and booking.created_at < datetime.datetime.fromisoformat(
        entry["changed_at"]
    )


def _day(state):
    return timezone.localtime(state.starts_at).date()
