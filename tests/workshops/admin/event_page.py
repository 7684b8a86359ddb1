"""What the event's admin page posts: its fields as shown, with some changed."""


def event_page_data(event, **changes):
    """The event's change form as the admin would post it, with `changes` on top.

    Dates and datetimes in `changes` are sent as ISO text; the deadlines are empty
    unless `changes` gives their two halves (`ballot_closes_at_0`, `_1`, ...).
    """
    data = {
        "name": event.name,
        "tagline": event.tagline,
        "is_current": "on",
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "day_two_summary": event.day_two_summary,
        "choices_required": event.choices_required,
        "booking_mode": event.booking_mode,
        "no_show_release_minutes": event.no_show_release_minutes,
        "contact_email": event.contact_email,
    }
    for name in ("ballot_closes_at", "registration_opens_at", "registration_closes_at"):
        data |= {f"{name}_0": "", f"{name}_1": ""}
    data |= {"changes_close_at_0": "", "changes_close_at_1": ""}
    return data | {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in changes.items()
    }
