"""The choose form: its fields, labels and rounds, as Django's own `ChoiceField` made them."""

from django import forms
from django.utils.html import format_html

from workshops.forms.booking import ChooseWorkshopsForm, SessionRadioSelect
from workshops.models import Session


def _form(programme, data=None, **kwargs):
    sessions = list(Session.objects.on_offer(programme["event"]))
    return ChooseWorkshopsForm(data, event=programme["event"], sessions=sessions, **kwargs)


def test_choose_form_slot_field_has_the_choices_and_widget_a_choice_field_would(programme):
    form = _form(programme)

    for _, bound, sessions, _ in form.slots:
        field = bound.field
        pairs = [(str(s.pk), s.workshop.title) for s in sessions]
        made = forms.ChoiceField(
            required=False,
            choices=pairs,
            widget=SessionRadioSelect(sessions={str(s.pk): s for s in sessions}),
        )
        assert field.choices == made.choices == pairs
        assert field.widget.choices == made.widget.choices == pairs
        assert type(field.widget) is SessionRadioSelect
        assert field.widget.sessions == {str(s.pk): s for s in sessions}
        assert str(bound) == str(made.get_bound_field(form, bound.name))


def test_choose_form_slot_label_is_format_htmls_escaping_the_slot_name(programme):
    slot = programme["slots"][0]
    slot.name = "Round <1> & “one”"
    slot.save()

    form = _form(programme)

    first = next(s for s in form.slots if s.slot.pk == slot.pk)
    assert first.field.label == format_html(
        "{} <span class='fw-normal'>{}</span>", slot.name, slot.times
    )
    assert first.times == slot.times


def test_choose_form_preselects_an_open_choice_and_ignores_an_unknown_one(programme):
    sessions = programme["sessions"]
    open_one, other = sessions[(0, 0)], sessions[(1, 4)]
    slot_one = f"slot_{open_one.time_slot_id}"
    slot_two = f"slot_{other.time_slot_id}"

    form = _form(programme, preselected={slot_one: str(open_one.pk), slot_two: "999999"})

    assert form[slot_one].value() == str(open_one.pk)
    assert form[slot_two].value() is None
