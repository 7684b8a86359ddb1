"""The rules a set of chosen sessions must keep. Pure: no queries, no writes."""

from collections import Counter

from workshops.allocation.full_sets import can_give_full_sets


def choice_problems(*, event, sessions, check_count=True):
    """Return the rules a set of chosen sessions breaks, as sentences for the delegate.

    Pure: reads the sessions' slots and workshops (select them with
    `select_related("time_slot", "workshop")` to avoid extra queries).
    """
    problems = []
    if any(s.time_slot.event_id != event.pk for s in sessions):
        problems.append("One of the chosen sessions is not part of this event.")
        return problems
    slots = Counter(s.time_slot_id for s in sessions)
    for slot_id, count in slots.items():
        if count > 1:
            slot = next(s.time_slot for s in sessions if s.time_slot_id == slot_id)
            problems.append(f"Choose only one session in {slot.name} ({slot.times}).")
    workshops = Counter(s.workshop_id for s in sessions)
    for workshop_id, count in workshops.items():
        if count > 1:
            title = next(s.workshop.title for s in sessions if s.workshop_id == workshop_id)
            problems.append(
                f"You chose “{title}” more than once; pick a different workshop for one of them."
            )
    if check_count and len(slots) != event.choices_required and not problems:
        problems.append(
            f"Choose exactly {event.choices_required} workshops; you chose {len(sessions)}."
        )
    return problems


def can_complete_choices(*, options_by_slot, required):
    """Whether `required` sessions can be picked: one per slot, all different workshops.

    `options_by_slot` lists, per time slot, the sessions still open to the
    chooser. Places can be left only in sessions of workshops the delegate
    would then hold twice (say, the last seats of one workshop in two slots),
    so a slot with places is not enough: this is the matching of
    `workshops.allocation.full_sets`, for one delegate. Pure: no queries.
    """
    free_seats = {
        (index, session.workshop_id): 1
        for index, options in enumerate(options_by_slot)
        for session in options
    }
    return can_give_full_sets(free_seats=free_seats, required=required, delegates=1)
