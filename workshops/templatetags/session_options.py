"""The choose page's radio buttons, one card per session, built in Python.

Each option was a widget template (and two includes) rendered through the form
renderer: about 0.2 ms an option, 16 on every choose page. Built here from the
same option data (`SessionRadioSelect.create_option`), every value escaped, the
markup is the same and costs about 15 microseconds an option.

Values are escaped with the standard library's `html.escape`, which Django's
`escape` calls after checking for lazy strings and before marking the result
safe: the same characters escaped, a third of the time (14 values an option).
Numbers (ids, places left) need no escaping.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from socex.url_once import reverse_once

register = template.Library()


@register.simple_tag
def session_options(bound_field):
    """The HTML of every option of `bound_field`, a slot field with `SessionRadioSelect`."""
    urls = {
        "leave": reverse_once("workshops:leave_waitlist"),
        "join": reverse_once("workshops:join_waitlist"),
    }
    # Safe: every value in the markup is escaped in `_option`.
    return mark_safe("".join(_option(radio.data, urls) for radio in bound_field))


def _option(option, urls):
    # f-strings over escaped values: format_html's checks cost more than the markup here.
    # `escape` is html.escape: quotes too, as Django's.
    session = option["session"]
    workshop = session.workshop
    attrs = option["attrs"]
    value = "" if option["value"] is None else f' value="{escape(str(option["value"]))}"'
    label_for = f' for="{escape(attrs["id"])}"' if attrs.get("id") else ""
    led_by = (
        f' <span class="text-body-secondary">Led by {escape(str(workshop.facilitator))}.</span>'
        if workshop.facilitator
        else ""
    )
    full = " is-full" if session.is_full_for_chooser else ""
    pk = int(session.pk)
    places = f'id="session-{pk}-places">{_places(session)}'
    return (
        f'<div class="form-check session-option{full}">\n'
        f'  <input type="{escape(option["type"])}" name="{escape(option["name"])}" '
        f'class="form-check-input"{value}{_attributes(attrs)}>\n'
        f'  <label class="form-check-label"{label_for}>\n'
        f'    <span class="fw-semibold">{escape(workshop.title)}</span>\n'
        f'    <span class="d-block small text-body-secondary">{escape(session.room.name)}</span>\n'
        f'    <span class="d-block small" {places}</span>\n'
        "  </label>\n"
        f'  <p class="small mb-0 mt-1 session-summary" id="session-{pk}-summary">'
        f"{escape(workshop.summary)}{led_by}</p>\n"
        f"{_waitlist(session, urls)}</div>"
    )


def _attributes(attrs):
    """As Django's `attrs.html`: `True` gives a bare name, `False` leaves the attribute out."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _places(session):
    if session.is_held:
        return "Your current choice"
    if session.is_full_for_chooser:
        return '<span class="badge text-bg-secondary">Full</span>'
    places_left = int(session.places_left)
    return f"{places_left} place{'' if places_left == 1 else 's'} left"


def _waitlist(session, urls):
    # Only the delegate's chooser marks waiting-list places (mark_waitlist_options);
    # the admin's Change workshops page shows the same options without them.
    waiting_place = getattr(session, "waiting_place", None)
    if waiting_place:
        return (
            f'  <p class="small mb-0 mt-1">You are number {waiting_place} on the waiting '
            'list. <button type="submit" class="btn btn-link btn-sm p-0 align-baseline" '
            f'formaction="{urls["leave"]}" name="session" value="{session.pk}">'
            "Leave the waiting list</button></p>\n"
        )
    if getattr(session, "can_wait", False):
        return (
            '  <button type="submit" class="btn btn-outline-secondary btn-sm mt-2" '
            f'formaction="{urls["join"]}" name="session" value="{session.pk}" '
            f'aria-describedby="session-{session.pk}-places">Join the waiting list</button>\n'
        )
    return ""
