"""The data behind each download, read with a fixed number of queries.

Each function takes a queryset saying whose data to export and yields plain
dicts. The tabular ones run one query each and stream it in chunks
(`iterator()`), so neither the query count nor the memory held grows with the
number of delegates.
"""

from itertools import groupby
from operator import itemgetter

from django.db.models import Count, F, Q

from registration.models import Delegate
from workshops.models import Booking, Session, TimeSlot

CHUNK_SIZE = 2000
SURNAME_ORDER = ("last_name", "first_name", "pk")

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


def roster_queryset(sessions):
    """Seats in `sessions`, by slot, room and surname, as dicts (one query when iterated)."""
    return (
        Booking.objects.filter(session__in=sessions.order_by().values("pk"))
        .order_by(
            "time_slot__starts_at",
            "session__room__name",
            "session_id",
            "delegate__last_name",
            "delegate__first_name",
            "delegate_id",
        )
        .values(
            "session_id",
            slot=F("time_slot__name"),
            workshop_title=F("session__workshop__title"),
            room=F("session__room__name"),
            last_name=F("delegate__last_name"),
            first_name=F("delegate__first_name"),
            badge_name=F("delegate__badge_name"),
            job_title=F("delegate__job_title"),
            agency_name=F("delegate__agency__name"),
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
    """Yield what a badge shows, in surname order (one query)."""
    return (
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
