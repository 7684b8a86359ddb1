"""The choose page's radio buttons, one card per session, built in Python.

Each option was a widget template (and two includes) rendered through the form
renderer: about 0.2 ms an option, 16 on every choose page. Built here from the
same option data (`SessionRadioSelect.create_option`), every value escaped, the
markup is the same and costs about 15 microseconds an option.

Values are escaped with the standard library's `html.escape`, which Django's
`escape` calls after checking for lazy strings and before marking the result
safe: the same characters escaped, a third of the time (14 values an option).
Numbers (ids, places left) need no escaping.

A round of the choose form (`SessionChoiceField`: not required, not disabled, no
help text, no widget attributes, in a fieldset) has its options' attributes worked out here
from its sessions, the field's id, name and value, as `ChoiceWidget.optgroups`
and `SessionRadioSelect.create_option` make them, and its id and name escaped
once, not once an option: Django's per-option dictionaries and attribute
building were a third of the options' time. Any other field takes Django's way.
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
    field = bound_field.field
    widget = field.widget
    if (
        field.required
        or field.disabled
        or field.help_text
        or widget.attrs
        or not widget.use_fieldset
    ):
        # Safe: every value in the markup is escaped in `_option`.
        return mark_safe("".join(_option(radio.data, urls) for radio in bound_field))
    # Safe: every value in the markup is escaped here or in `_option_end`.
    return mark_safe("".join(_session_options(bound_field, urls)))


def _session_options(bound_field, urls):
    """Each option's HTML, its attributes as Django's widget would set them (see above)."""
    widget = bound_field.field.widget
    input_start = (
        f'  <input type="{escape(widget.input_type)}" name="{escape(bound_field.html_name)}" '
    )
    id_ = escape(bound_field.auto_id) if bound_field.auto_id else ""
    # As BoundField.build_widget_attrs for a field with errors.
    invalid = ' aria-invalid="true"' if bound_field.errors else ""
    values = widget.format_value(bound_field.value())
    has_selected = False
    for index, (value, _) in enumerate(widget.choices):
        session = widget.sessions[value]
        # As optgroups: the first option whose value is among the field's is checked.
        selected = not has_selected and str(value) in values
        has_selected |= selected
        option_id = f"{id_}_{index}" if id_ else ""
        pk = int(session.pk)
        attributes = (
            (f' id="{option_id}"' if id_ else "")
            + invalid
            + (" checked" if selected else "")
            + (" disabled" if session.is_full_for_chooser else "")
            + f' aria-describedby="session-{pk}-places session-{pk}-summary"'
        )
        yield (
            f"{_option_start(session)}{input_start}"
            f'class="form-check-input" value="{escape(str(value))}"{attributes}>\n'
            f"{_option_end(session, urls, option_id)}"
        )


def _option(option, urls):
    """One option from Django's option data (`SessionRadioSelect.create_option`)."""
    attrs = option["attrs"]
    value = "" if option["value"] is None else f' value="{escape(str(option["value"]))}"'
    label_id = escape(attrs["id"]) if attrs.get("id") else ""
    return (
        f"{_option_start(option['session'])}"
        f'  <input type="{escape(option["type"])}" name="{escape(option["name"])}" '
        f'class="form-check-input"{value}{_attributes(attrs)}>\n'
        f"{_option_end(option['session'], urls, label_id)}"
    )


def _option_start(session):
    full = " is-full" if session.is_full_for_chooser else ""
    return f'<div class="form-check session-option{full}">\n'


def _option_end(session, urls, label_id):
    """The option's label, summary and waiting-list button; `label_id` is escaped already."""
    # f-strings over escaped values: format_html's checks cost more than the markup here.
    # `escape` is html.escape: quotes too, as Django's.
    workshop = session.workshop
    label_for = f' for="{label_id}"' if label_id else ""
    led_by = (
        f' <span class="text-body-secondary">Led by {escape(str(workshop.facilitator))}.</span>'
        if workshop.facilitator
        else ""
    )
    pk = int(session.pk)
    places = f'id="session-{pk}-places">{_places(session)}'
    return (
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
    if getattr(session, "can_wait_once_booked", False):
        return (
            '  <p class="small mb-0 mt-1">This workshop has a waiting list: book a workshop '
            "in this round first, then join it here.</p>\n"
        )
    return ""
