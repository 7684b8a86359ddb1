"""The rules a set of chosen sessions must keep. Pure: no queries, no writes."""

from collections import Counter


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
    `workshops.allocation.full_sets`, for one delegate, found here by augmenting
    paths over a few slots in microseconds (the network flow took 0.3 ms of
    every choose page). Pure: no queries.
    """
    if required <= 0:
        return True
    workshop_in_slot = {}  # workshop id -> index of the slot it is matched to
    matched = 0
    for index in range(len(options_by_slot)):
        if _augment(index, options_by_slot, workshop_in_slot, seen=set()):
            matched += 1
            if matched >= required:
                return True
    return False


def _augment(index, options_by_slot, workshop_in_slot, *, seen):
    """Match slot `index` to a workshop, moving earlier slots along if need be (Kuhn)."""
    for session in options_by_slot[index]:
        workshop = session.workshop_id
        if workshop in seen:
            continue
        seen.add(workshop)
        holder = workshop_in_slot.get(workshop)
        if holder is None or _augment(holder, options_by_slot, workshop_in_slot, seen=seen):
            workshop_in_slot[workshop] = index
            return True
    return False
