import re
from html import escape
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.safestring import mark_safe

from workshops.services.choices import can_complete_choices, choice_problems

SLOT_FIELD = re.compile(r"slot_\d{1,10}")


def unsaved_choices(data):
    """The choose page's choices in `data` (a POST): {field name: session id}, well-formed only."""
    return {
        name: value
        for name, value in data.items()
        if SLOT_FIELD.fullmatch(name) and value.isascii() and value.isdigit() and len(value) <= 10
    }


def choose_url_keeping(data):
    """The choose page's address carrying the choices in `data`, for a button that left it.

    A waiting-list button posts the whole form; the page it returns to shows the
    delegate's unsaved choices again (`ChooseWorkshopsForm(preselected=...)`).
    """
    # In time slot id order, as numbers: "slot_1000" sorts before "slot_999" as text.
    kept = sorted(unsaved_choices(data).items(), key=lambda item: int(item[0][len("slot_") :]))
    url = reverse("workshops:choose")
    return f"{url}?{urlencode(kept)}" if kept else url


class SessionRadioSelect(forms.RadioSelect):
    """Radio buttons whose full sessions are shown but cannot be chosen.

    Each option carries its `session`; the choose page renders the options with
    `workshops.templatetags.session_options`, not one widget template each.
    """

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = sessions or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        session = self.sessions.get(str(value))
        if session is not None:
            option["session"] = session
            if session.is_full_for_chooser:
                option["attrs"]["disabled"] = True
            # Places left, then what the workshop is about, as the ballot page reads it.
            option["attrs"]["aria-describedby"] = (
                f"session-{session.pk}-places session-{session.pk}-summary"
            )
        return option


class SessionChoiceField(forms.ChoiceField):
    """A time slot's sessions as radio buttons: `sessions` maps each session's id (text) to it.

    Its choices, (session id, workshop title) pairs of text, are already what Django's
    `normalize_choices` would make of them, so they are set on the field and its widget
    as they are; `ChoiceField` normalised them twice (field, then widget) and the widget,
    given as an instance, was deep-copied: about 0.1 ms of every choose form's 0.35.
    """

    def __init__(self, *, sessions, **kwargs):
        super().__init__(widget=SessionRadioSelect, **kwargs)
        choices = [(pk, session.workshop.title) for pk, session in sessions.items()]
        self._choices = self.widget._choices = choices
        self.widget.sessions = sessions


class Slot(NamedTuple):
    """One round of the choose form: its `TimeSlot`, bound field, sessions and local times."""

    slot: object
    field: forms.BoundField
    sessions: list
    # `TimeSlot.times` formats two local times on every call: worked out once per form.
    times: str


class ChooseWorkshopsForm(forms.Form):
    """One group of radio buttons per time slot; the rules across slots are checked in clean()."""

    def __init__(self, *args, event, sessions, held_ids=(), preselected=None, **kwargs):
        """`sessions` come from `Session.objects.with_seats()`; `held_ids` are the chooser's.

        `preselected` (field name -> session id, as `choose_url_keeping` carries them)
        selects choices the delegate made but has not booked; any that are not an
        open option of that round are ignored.
        """
        super().__init__(*args, **kwargs)
        self.event = event
        self.sessions_by_id = {}
        self.slots = []
        # Grouped by slot id, not TimeSlot: hashing a model instance looks its pk up each time.
        by_slot, slot_of = {}, {}
        for session in sessions:
            # A seat the chooser already holds is theirs to keep, even in a full session.
            session.is_held = session.pk in held_ids
            session.is_full_for_chooser = session.places_left <= 0 and not session.is_held
            self.sessions_by_id[str(session.pk)] = session
            if session.time_slot_id not in by_slot:
                by_slot[session.time_slot_id] = []
                slot_of[session.time_slot_id] = session.time_slot
            by_slot[session.time_slot_id].append(session)
        for slot_id, slot_sessions in sorted(
            by_slot.items(), key=lambda item: slot_of[item[0]].starts_at
        ):
            slot = slot_of[slot_id]
            times = slot.times  # local time, formatted: worked out once
            name = f"slot_{slot_id}"
            options = {str(s.pk): s for s in slot_sessions}
            initial = next((pk for pk, s in options.items() if s.is_held), None)
            wanted = (preselected or {}).get(name)
            if wanted in options and not options[wanted].is_full_for_chooser:
                initial = wanted
            self.fields[name] = SessionChoiceField(
                # As format_html would make it, without its checks.
                label=mark_safe(
                    f"{escape(slot.name)} <span class='fw-normal'>{escape(times)}</span>"
                ),
                sessions=options,
                required=False,
                initial=initial,
                error_messages={
                    "invalid_choice": (
                        f"Choose one of the workshops listed for {slot.name} ({times})."
                    )
                },
            )
            self.slots.append(Slot(slot, self[name], slot_sessions, times))

    def full_slots(self):
        """Time slots in which every session is full for this chooser."""
        return [
            slot
            for slot, _, sessions, _ in self.slots
            if all(s.is_full_for_chooser for s in sessions)
        ]

    def can_be_completed(self):
        """Whether the places left still make a full set of different workshops."""
        return can_complete_choices(
            options_by_slot=[
                [s for s in sessions if not s.is_full_for_chooser]
                for _, _, sessions, _ in self.slots
            ],
            required=self.event.choices_required,
        )

    def clean(self):
        data = super().clean()
        chosen = []
        missing = False
        for slot, bound, _, times in self.slots:
            value = data.get(bound.name)
            if not value:
                if bound.name in self.errors:
                    missing = True  # not a workshop of this round: it says so already
                elif len(self.slots) <= self.event.choices_required:
                    missing = True
                    self.add_error(bound.name, f"Choose a workshop for {slot.name} ({times}).")
                continue
            session = self.sessions_by_id[value]
            if session.is_full_for_chooser:
                self.add_error(
                    bound.name,
                    f"“{session.workshop.title}” is full in {slot.name}: choose another.",
                )
            chosen.append(session)
        for problem in choice_problems(event=self.event, sessions=chosen, check_count=not missing):
            self.add_error(None, problem)
        self.chosen_sessions = chosen
        return data
