"""What a booking history row says: labels, actors and the rows for each kind of change.

Private to `workshops.services.booking`, the one module that writes seats and
their history (a lint test holds every other module to that): it builds the
`BookingChange` rows here and saves them itself, in the transaction that
changes the seats, so the history and the seats never disagree. Kept apart
because none of it touches the database, and so that booking.py stays about
the rules. Nothing here saves anything.
"""

from dataclasses import dataclass

from django.utils import timezone

from workshops.models import BookingChange


@dataclass(frozen=True)
class SystemActor:
    """Something other than a person that changes seats, named in the history as `name`."""

    name: str


def session_label(session):
    """The name a history row keeps for a session (needs `workshop` and `time_slot` loaded)."""
    return f"{session.workshop.title} ({session.time_slot.name})"


def actor_fields(actor):
    """`actor` and `actor_name` for a history row.

    `actor` is a user, a `SystemActor`, or None: the delegate acted themselves.
    """
    if actor is None:
        return {}
    if isinstance(actor, SystemActor):
        return {"actor_name": actor.name}
    return {"actor": actor, "actor_name": actor.get_username()}


def seat_rows(*, delegate_id, actor, booked=(), released=(), at=None):
    """Unsaved rows for the sessions `booked` and `released` by one delegate, all at `at`."""
    at = at or timezone.now()
    return [
        BookingChange(
            delegate_id=delegate_id,
            action=action,
            session=session,
            session_label=session_label(session),
            at=at,
            **actor_fields(actor),
        )
        for action, sessions in (
            (BookingChange.Action.RELEASED, released),
            (BookingChange.Action.BOOKED, booked),
        )
        for session in sessions
    ]


def move_row(*, delegate_id, actor, source, target, capacity_override=0, reason=""):
    """An unsaved row for a seat moved from session `source` to `target`."""
    return BookingChange(
        delegate_id=delegate_id,
        action=BookingChange.Action.MOVED,
        session=target,
        session_label=session_label(target),
        from_session=source,
        from_session_label=session_label(source),
        capacity_override=capacity_override,
        reason=reason,
        **actor_fields(actor),
    )
