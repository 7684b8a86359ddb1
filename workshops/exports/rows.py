"""The data behind each download, read with a fixed number of queries.

Each function takes a queryset saying whose data to export and yields plain
dicts. The tabular ones run one query each and stream it in chunks
(`iterator()`), so neither the query count nor the memory held grows with the
number of delegates.
"""

from datetime import datetime, time, timedelta
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, F, Q
from django.utils import timezone

from registration.models import Delegate, name_order
from workshops.models import Booking, CheckIn, Session, SurveyAnswer, TimeSlot

CHUNK_SIZE = 2000
SURNAME_ORDER = name_order()

ATTENDEE_COLUMNS = (
    "pk",
    "last_name",
    "first_name",
    "badge_name",
    "email",
    "job_title",
    "agency_name",
    "agency_kind",
    "attends_day_one",
    "attends_day_two",
)


def exportable_delegates(delegates):
    """The registered delegates among `delegates`, as a fresh queryset.

    Cancelled registrations, those still awaiting approval and those whose
    address nobody has confirmed (anyone can type an address) are left out.

    Re-selecting by id drops whatever annotations an admin changelist added,
    which would otherwise multiply or group the joined rows.
    """
    return Delegate.objects.email_confirmed().filter(
        status=Delegate.Status.REGISTERED, pk__in=delegates.order_by().values("pk")
    )


def attendee_slots(delegates):
    """The time slots of the events `delegates` register for, in order (one query)."""
    return list(
        TimeSlot.objects.filter(event__in=delegates.order_by().values("event_id")).order_by(
            "starts_at"
        )
    )


def attendee_rows(delegates):
    """Yield one dict per delegate, in surname order, with `seats` keyed by time slot id.

    One query: delegates joined to their bookings, ordered so that each
    delegate's seats arrive together, grouped here as they stream past.
    """
    seat_columns = ("seat_slot", "seat_workshop", "seat_room")
    queryset = (
        delegates.order_by(*SURNAME_ORDER, "bookings__time_slot__starts_at")
        .annotate(
            agency_name=F("agency__name"),
            agency_kind=F("agency__kind"),
            seat_slot=F("bookings__time_slot_id"),
            seat_workshop=F("bookings__session__workshop__title"),
            seat_room=F("bookings__session__room__name"),
        )
        .values_list(*ATTENDEE_COLUMNS, *seat_columns)
    )
    width = len(ATTENDEE_COLUMNS)
    for _pk, lines in groupby(queryset.iterator(chunk_size=CHUNK_SIZE), key=itemgetter(0)):
        lines = list(lines)
        row = dict(zip(ATTENDEE_COLUMNS, lines[0][:width], strict=True))
        row["seats"] = {
            str(slot_id): f"{workshop} ({room})"
            for slot_id, workshop, room in (line[width:] for line in lines)
            if slot_id is not None
        }
        yield row


def catering_rows(delegates):
    """Yield name, day attendance and dietary requirements, in surname order (one query)."""
    return (
        delegates.order_by(*SURNAME_ORDER)
        .values(
            "last_name", "first_name", "attends_day_one", "attends_day_two", "dietary_requirements"
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


def catering_totals(delegates):
    """Return how many eat each diet on each day: a list of dicts, the usual diet first (one query).

    Dietary requirements are free text, so answers differing only in capitals or
    spaces ("vegetarian", "Vegetarian ") count as one, under the most common spelling.
    Each dict has `diet` ("" for none stated), `day_one` and `day_two`; the last
    dict (`diet` None) holds everyone attending each day.
    """
    answers = (
        delegates.order_by()
        .values("dietary_requirements")
        .annotate(
            day_one=Count("pk", filter=Q(attends_day_one=True)),
            day_two=Count("pk", filter=Q(attends_day_two=True)),
            said=Count("pk"),
        )
    )
    diets = {}
    for answer in answers:
        text = " ".join(answer["dietary_requirements"].split())
        totals = diets.setdefault(text.casefold(), {"spellings": {}, "day_one": 0, "day_two": 0})
        totals["spellings"][text] = totals["spellings"].get(text, 0) + answer["said"]
        totals["day_one"] += answer["day_one"]
        totals["day_two"] += answer["day_two"]
    rows = [
        {
            # The most common spelling; among equals, the first in alphabetical order.
            "diet": min(totals["spellings"].items(), key=lambda s: (-s[1], s[0]))[0],
            "day_one": totals["day_one"],
            "day_two": totals["day_two"],
        }
        for totals in diets.values()
    ]
    rows.sort(key=lambda r: (r["diet"] != "", -(r["day_one"] + r["day_two"]), r["diet"]))
    rows.append(
        {
            "diet": None,
            "day_one": sum(r["day_one"] for r in rows),
            "day_two": sum(r["day_two"] for r in rows),
        }
    )
    return rows


def access_rows(delegates):
    """Yield the delegates who stated accessibility needs, in surname order (one query)."""
    return (
        delegates.exclude(accessibility_needs="")
        .order_by(*SURNAME_ORDER)
        .values(
            "last_name", "first_name", "attends_day_one", "attends_day_two", "accessibility_needs"
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


# A seat's session and holder as the roster and attendance lists name them (`.values()`).
SEAT_COLUMNS = {
    "slot": F("time_slot__name"),
    "workshop_title": F("session__workshop__title"),
    "room": F("session__room__name"),
    "last_name": F("delegate__last_name"),
    "first_name": F("delegate__first_name"),
    "badge_name": F("delegate__badge_name"),
    "agency_name": F("delegate__agency__name"),
}


def roster_queryset(sessions):
    """Seats in `sessions`, by slot, room and surname, as dicts (one query when iterated)."""
    return (
        Booking.objects.filter(session__in=sessions.order_by().values("pk"))
        .order_by(
            "time_slot__starts_at",
            "session__room__name",
            "session_id",
            *name_order("delegate__"),
        )
        .values(
            "session_id",
            **SEAT_COLUMNS,
            job_title=F("delegate__job_title"),
        )
    )


def roster_rows(sessions):
    """Yield one dict per seat in `sessions` (one query, streamed)."""
    return roster_queryset(sessions).iterator(chunk_size=CHUNK_SIZE)


def ordered_sessions(sessions):
    """`sessions` in slot and room order, with workshop, slot and room (one query)."""
    return list(
        Session.objects.filter(pk__in=sessions.order_by().values("pk"))
        .select_related("workshop", "time_slot", "room")
        .order_by("time_slot__starts_at", "room__name", "pk")
    )


def rosters_by_session(sessions):
    """Yield `(session, seats)` for every session, in slot and room order (two queries).

    `seats` streams that session's rows from one query over all of them, so
    read each before asking for the next; an empty session yields no seats.
    """
    ordered = ordered_sessions(sessions)
    groups = groupby(roster_rows(sessions), key=itemgetter("session_id"))
    current = next(groups, None)
    for session in ordered:
        if current is not None and current[0] == session.pk:
            yield session, current[1]
            current = next(groups, None)
        else:
            yield session, iter(())


def sessions_with_rosters(sessions):
    """Return `(session, seats)` pairs in slot and room order (two queries).

    For the sign-in sheets: every session is listed, even an empty one.
    """
    sessions = ordered_sessions(sessions)
    seats = {
        session_id: list(group)
        for session_id, group in groupby(
            roster_queryset(Session.objects.filter(pk__in=[s.pk for s in sessions])),
            key=itemgetter("session_id"),
        )
    }
    return [(session, seats.get(session.pk, [])) for session in sessions]


def badge_rows(delegates):
    """Yield what a badge shows, in surname order (one query).

    A badge name that is only the full name cut at the field's length (as the
    model fills it in when none was given) comes back as the whole full name,
    so the badge can print the surname the cut dropped.
    """
    rows = (
        delegates.order_by(*SURNAME_ORDER)
        .values(
            "first_name",
            "last_name",
            "badge_name",
            "checkin_reference",
            agency_name=F("agency__name"),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    cut_at = Delegate._meta.get_field("badge_name").max_length
    for row in rows:
        full_name = f"{row['first_name']} {row['last_name']}".strip()
        if len(row["badge_name"]) == cut_at and full_name[:cut_at] == row["badge_name"]:
            row["badge_name"] = full_name
        yield row


ADMISSION_LABELS = {
    CheckIn.Outcome.ADMITTED: "Arrived",
    CheckIn.Outcome.WALK_IN: "Walk-in",
    CheckIn.Outcome.FROM_STANDBY: "From standby",
}
NOT_ARRIVED = "Not arrived"
# A door that has not opened yet: nobody is missing from it so far.
NOT_STARTED = "Not started yet"


def _admission_fields(admission, *, started=True):
    if admission is None:
        status = NOT_ARRIVED if started else NOT_STARTED
        return {"status": status, "arrived_at": "", "checked_in_by": ""}
    return {
        "status": ADMISSION_LABELS[admission["outcome"]],
        "arrived_at": f"{timezone.localtime(admission['at']):%H:%M}",
        "checked_in_by": admission["by_name"],
    }


def attendance_rows(delegates, *, only_missing=False):
    """Yield who was expected at each door and whether they came (four queries).

    The entrance, for each day a delegate comes, in surname order; then each
    seat, by slot, room and surname, with how they came in (arrived, walk-in,
    from standby) or not, or that the door has not opened yet (a day still to
    come, a session not started). With `only_missing`, only those who never
    came to a door that has opened.
    """
    now, today = timezone.now(), timezone.localdate()
    admissions = CheckIn.objects.filter(
        delegate__in=delegates.order_by().values("pk"), admitted=True
    ).values("delegate_id", "door", "day", "session_id", "outcome", "at", "by_name")
    entrance, doors = {}, {}
    for row in admissions:
        if row["door"] == CheckIn.Door.ENTRANCE:
            entrance[(row["delegate_id"], row["day"])] = row
        else:
            doors[(row["delegate_id"], row["session_id"])] = row
    people = list(
        delegates.order_by(*SURNAME_ORDER).values(
            "pk",
            "last_name",
            "first_name",
            "badge_name",
            "attends_day_one",
            "attends_day_two",
            "event__starts_on",
            agency_name=F("agency__name"),
        )
    )
    names = ("last_name", "first_name", "badge_name", "agency_name")
    for offset, flag in enumerate(("attends_day_one", "attends_day_two")):
        for person in people:
            if not person[flag]:
                continue
            day = person["event__starts_on"] + timedelta(days=offset)
            row = {
                "day": f"{day:%A %-d %B %Y}",
                "door": "Entrance",
                **{name: person[name] for name in names},
                **_admission_fields(entrance.get((person["pk"], day)), started=day <= today),
            }
            if not only_missing or row["status"] == NOT_ARRIVED:
                yield row
    seats = (
        Booking.objects.filter(delegate__in=delegates.order_by().values("pk"))
        .order_by(
            "time_slot__starts_at",
            "session__room__name",
            *name_order("delegate__"),
        )
        .values(
            "delegate_id",
            "session_id",
            "time_slot__starts_at",
            **SEAT_COLUMNS,
        )
    )
    for seat in seats.iterator(chunk_size=CHUNK_SIZE):
        starts = timezone.localtime(seat["time_slot__starts_at"])
        row = {
            "day": f"{starts:%A %-d %B %Y}",
            "door": f"{seat['slot']} {starts:%H:%M}: {seat['workshop_title']} ({seat['room']})",
            **{name: seat[name] for name in names},
            **_admission_fields(
                doors.get((seat["delegate_id"], seat["session_id"])),
                started=seat["time_slot__starts_at"] <= now,
            ),
        }
        if not only_missing or row["status"] == NOT_ARRIVED:
            yield row


def door_list(delegates, *, event, day):
    """Everyone expected at the entrance on `day`, alphabetical, with that day's seats (two
    queries): a list of dicts with `sessions`, a list of "10:00 Room" strings."""
    people = list(
        Delegate.objects.attending_on(event=event, day=day)
        .filter(pk__in=delegates.order_by().values("pk"))
        .order_by(*SURNAME_ORDER)
        .values("pk", "last_name", "first_name", "badge_name", agency_name=F("agency__name"))
    )
    start = timezone.make_aware(datetime.combine(day, time.min))
    seats = (
        Booking.objects.filter(
            delegate_id__in=[p["pk"] for p in people],
            time_slot__starts_at__gte=start,
            time_slot__starts_at__lt=start + timedelta(days=1),
        )
        .order_by("time_slot__starts_at")
        .values_list("delegate_id", "time_slot__starts_at", "session__room__name")
    )
    by_person = {}
    for delegate_id, starts, room in seats:
        by_person.setdefault(delegate_id, []).append(f"{timezone.localtime(starts):%H:%M} {room}")
    for person in people:
        person["sessions"] = by_person.get(person["pk"], [])
    return people


def feedback_rows(sessions):
    """One dict per survey answer to `sessions`, by round, room and rating.

    The name is filled only for answers whose delegate ticked "you may show my name".
    """
    answers = (
        SurveyAnswer.objects.filter(session__in=sessions)
        .select_related(
            "named_delegate", "session__workshop", "session__time_slot", "session__room"
        )
        .order_by("session__time_slot__starts_at", "session__room__name", "-rating", "first_answer")
    )
    for answer in answers:
        session, named = answer.session, answer.named_delegate
        yield {
            "slot": f"{session.time_slot.name} ({session.time_slot.times})",
            "workshop_title": session.workshop.title,
            "room": session.room.name,
            "rating": answer.rating,
            "first_answer": answer.first_answer,
            "second_answer": answer.second_answer,
            "shown_name": f"{named.first_name} {named.last_name}" if named else "",
            "submitted_on": answer.submitted_on.isoformat(),
        }
