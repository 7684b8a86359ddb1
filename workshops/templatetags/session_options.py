"""The choose page's radio buttons, one card per session, built in Python.

Each option was a widget template (and two includes) rendered through the form
renderer: about 0.3 ms an option, 16 on every choose page. Built here with
`format_html` from the same option data (`SessionRadioSelect.create_option`),
the markup is the same and costs a few microseconds.
"""

from django import template
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def session_options(bound_field):
    """The HTML of every option of `bound_field`, a slot field with `SessionRadioSelect`."""
    urls = {
        "leave": reverse("workshops:leave_waitlist"),
        "join": reverse("workshops:join_waitlist"),
    }
    return mark_safe("".join(_option(radio.data, urls) for radio in bound_field))


def _option(option, urls):
    session = option["session"]
    attrs = option["attrs"]
    return format_html(
        '<div class="form-check session-option{}">\n'
        '  <input type="{}" name="{}" class="form-check-input"{}{}>\n'
        '  <label class="form-check-label"{}>\n'
        '    <span class="fw-semibold">{}</span>\n'
        '    <span class="d-block small text-body-secondary">{}</span>\n'
        '    <span class="d-block small" id="session-{}-places">{}</span>\n'
        "  </label>\n"
        '  <p class="small mb-0 mt-1 session-summary" id="session-{}-summary">{}{}</p>\n'
        "{}</div>",
        " is-full" if session.is_full_for_chooser else "",
        option["type"],
        option["name"],
        "" if option["value"] is None else format_html(' value="{}"', option["value"]),
        _attributes(attrs),
        format_html(' for="{}"', attrs["id"]) if attrs.get("id") else "",
        session.workshop.title,
        session.room.name,
        session.pk,
        _places(session),
        session.pk,
        session.workshop.summary,
        format_html(
            ' <span class="text-body-secondary">Led by {}.</span>', session.workshop.facilitator
        )
        if session.workshop.facilitator
        else "",
        _waitlist(session, urls),
    )


def _attributes(attrs):
    """As Django's `attrs.html`: `True` gives a bare name, `False` leaves the attribute out."""
    return format_html_join(
        "",
        "{}{}",
        (
            (f" {name}", "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _places(session):
    if session.is_held:
        return "Your current choice"
    if session.is_full_for_chooser:
        return mark_safe('<span class="badge text-bg-secondary">Full</span>')
    return format_html("{} place{} left", session.places_left, pluralize(session.places_left))


def _waitlist(session, urls):
    if session.waiting_place:
        return format_html(
            '  <p class="small mb-0 mt-1">You are number {} on the waiting list. '
            '<button type="submit" class="btn btn-link btn-sm p-0 align-baseline" '
            'formaction="{}" name="session" value="{}">Leave the waiting list</button></p>\n',
            session.waiting_place,
            urls["leave"],
            session.pk,
        )
    if session.can_wait:
        return format_html(
            '  <button type="submit" class="btn btn-outline-secondary btn-sm mt-2" '
            'formaction="{}" name="session" value="{}" '
            'aria-describedby="session-{}-places">Join the waiting list</button>\n',
            urls["join"],
            session.pk,
            session.pk,
        )
    return ""
