"""Registering a delegate through the service, as the registration page does after it answers."""

from registration.services.registration import register_delegate


def register(event, email, *, agency_id=None, other_agency="", invitation_code="", **details):
    """Register `email` for `event` as Sam Taylor, analyst, both days, unless `details` differ."""
    return register_delegate(
        event=event,
        details={
            "first_name": "Sam",
            "last_name": "Taylor",
            "email": email,
            "job_title": "Analyst",
            "attends_day_one": True,
            "attends_day_two": True,
            **details,
        },
        agency_id=agency_id,
        other_agency=other_agency,
        invitation_code=invitation_code,
    )
