"""The choose page's options, built from the sessions, against Django's option data."""

from socex.url_once import reverse_once
from tests.factories import DelegateFactory
from tests.workshops.views.test_waitlist import FULL_ROUND_ONE, MINE, booked
from workshops.forms.booking import ChooseWorkshopsForm
from workshops.models import sessions_on_offer_held_by
from workshops.services.waitlist import join_waitlist, mark_waitlist_options
from workshops.templatetags.session_options import _option, session_options


def _form(programme, delegate, data=None):
    event = programme["event"]
    sessions = sessions_on_offer_held_by(event=event, delegate=delegate)
    held_ids = {s.pk for s in sessions if s.held}
    form = ChooseWorkshopsForm(data, event=event, sessions=sessions, held_ids=held_ids)
    form.is_valid()
    mark_waitlist_options(delegate=delegate, sessions=sessions, held_ids=held_ids)
    return form


def _as_django_makes_them(bound_field):
    """The options from `SessionRadioSelect.create_option`'s data, the way other fields take."""
    urls = {
        "leave": reverse_once("workshops:leave_waitlist"),
        "join": reverse_once("workshops:join_waitlist"),
    }
    return "".join(_option(radio.data, urls) for radio in bound_field)


def test_session_options_are_djangos_for_held_full_and_waited_for_sessions(programme):
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    delegate = booked(programme, *MINE)
    join_waitlist(delegate=delegate, session=programme["sessions"][(0, 0)])

    form = _form(programme, delegate)

    html = "".join(session_options(s.field) for s in form.slots)
    assert html == "".join(_as_django_makes_them(s.field) for s in form.slots)
    assert html.count(" checked ") == 4
    assert html.count(" disabled ") == 4
    assert "You are number 1 on the waiting list" in html
    assert "Join the waiting list" in html


def test_session_options_are_djangos_for_a_form_with_errors(programme):
    sessions = programme["sessions"]
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    delegate = DelegateFactory(event=programme["event"])
    data = {
        f"slot_{sessions[(0, 0)].time_slot_id}": str(sessions[(0, 0)].pk),
        f"slot_{sessions[(1, 4)].time_slot_id}": "999999",
    }

    form = _form(programme, delegate, data)

    html = "".join(session_options(s.field) for s in form.slots)
    assert html == "".join(_as_django_makes_them(s.field) for s in form.slots)
    assert html.count(' aria-invalid="true"') == 16
    assert html.count(" checked ") == 1
