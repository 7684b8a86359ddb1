"""The booking history: who gained, gave up or moved which seat, and when.

Only `workshops.services` calls `record_booking_changes`, inside the
transaction that changes the seats, so the history and the seats never
disagree.
"""

from django.utils import timezone

from workshops.models import BookingChange, Session


def session_label(session):
    """The name a history row keeps for a session (needs `workshop` and `time_slot` loaded)."""
    return f"{session.workshop.title} ({session.time_slot.name})"


def actor_fields(actor):
    """`actor` and `actor_name` for a history row; None means the delegate acted themselves."""
    if actor is None:
        return {}
    return {"actor": actor, "actor_name": actor.get_username()}


def record_booking_changes(*, delegate, actor=None, booked=(), released_ids=(), now=None):
    """Record one row per seat booked (sessions) or released (session ids).

    Side effects: inserts the rows with one `bulk_create`, after one query that
    names the released sessions; nothing at all when no seat changed.
    """
    now = now or timezone.now()
    released = []
    if released_ids:
        released = Session.objects.filter(pk__in=released_ids).select_related(
            "workshop", "time_slot"
        )
    rows = [
        BookingChange(
            delegate=delegate,
            action=action,
            session=session,
            session_label=session_label(session),
            at=now,
            **actor_fields(actor),
        )
        for action, sessions in (
            (BookingChange.Action.RELEASED, released),
            (BookingChange.Action.BOOKED, booked),
        )
        for session in sessions
    ]
    if rows:
        BookingChange.objects.bulk_create(rows)
    return rows
