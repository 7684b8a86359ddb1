"""The report an organiser reads before publishing a ballot allocation.

`build_report` turns three allocations of the same rankings into plain JSON,
stored with the run, so the report reads the same later whatever changes in
the database. `report_rows` lays it out for the admin page and the command,
`explain_comparison` says in words why another column can look better than
the optimal one on some rows, and `preview_delegates` / `preview_rows` show
who gets what, delegate by delegate, before anything is booked.
"""

import math

from django.db.models import Q

from registration.models import Delegate, name_order
from workshops.allocation import AllocationResult
from workshops.models import Preference, Session

METHODS = (
    ("optimal", "Optimal (ballot)"),
    ("fcfs", "First come, first served"),
    ("rsd", "Random serial dictatorship"),
)


# The report is kept with the run for as long as the event's records are; it names
# delegates by id only, so erasure and retention leave no name or address in it.
PEOPLE = ("incomplete", "not_ranked", "already_booked")


def build_report(*, ballot, results):
    """Return the report for `results` (optimal, FCFS, RSD, in that order) of `ballot`. Pure."""
    instance = ballot.instance
    methods = []
    for (key, label), result in zip(METHODS, results, strict=True):
        result: AllocationResult
        stats = result.stats
        methods.append(
            {
                "key": key,
                "label": label,
                "status": result.status,
                "mip_gap": result.mip_gap,
                "solve_seconds": round(result.solve_seconds, 3),
                "delegates": stats.delegates,
                "completed": stats.completed,
                "incomplete": stats.incomplete,
                "all_top_k": stats.all_top_k,
                "at_least_k_minus_1": stats.at_least_k_minus_1,
                "mean_rank": stats.mean_rank,
                "worst_rank": stats.worst_rank,
                "rank_cost": stats.rank_cost,
                "unranked_seats": stats.unranked_seats,
                "rank_counts": {str(r): n for r, n in stats.rank_counts.items()},
                "incomplete_ids": list(result.incomplete),
            }
        )
    fills = [r.stats.session_fill for r in results]
    sessions = []
    for session_id, session in ballot.sessions.items():
        sessions.append(
            {
                "id": session_id,
                "slot": session.time_slot.name,
                "workshop": session.workshop.title,
                "room": session.room.name,
                "capacity": session.capacity,
                "free": max(session.places_left, 0),
                "taken": [fill[session_id][0] for fill in fills],
            }
        )
    optimal = results[0]
    return {
        "k": instance.k,
        "seed": instance.seed,
        "delegates": len(instance.delegates),
        "seats_free": sum(s.capacity for s in instance.sessions),
        "methods": methods,
        "sessions": sessions,
        "incomplete": [ballot.delegates[d].pk for d in optimal.incomplete],
        "not_ranked": [d.pk for d in ballot.not_ranked],
        "already_booked": [d.pk for d in ballot.already_booked],
    }


def describe_solution(*, mip_gap, allocated=True, tolerance=1e-4):
    """Say in words how good the solver proved its allocation to be. Pure.

    `allocated` says whether the run gives anyone seats at all.
    """
    if not allocated:
        return "The solver found no allocation in time."
    if mip_gap is None or not math.isfinite(mip_gap):
        return (
            "Not proven optimal: the time limit stopped the solver before it could prove "
            "that no allocation places more delegates. A longer limit may do better."
        )
    if mip_gap <= tolerance:
        return "Proven optimal."
    return f"Within {mip_gap:.2%} of optimal: the time limit stopped the solver first."


def describe_run(*, run):
    """Say in words how good an `AllocationRun`'s allocation is proven to be. Pure."""
    return describe_solution(mip_gap=run.mip_gap, allocated=any(run.assignment.values()))


def _share(value):
    return f"{value:.1%}"


def _number(value, places=2):
    return "—" if value is None else f"{value:.{places}f}"


def report_rows(*, report):
    """Return (label, [value per method]) rows comparing the methods side by side. Pure."""
    methods = report["methods"]
    k = report["k"]
    return [
        ("Delegates in the ballot", [str(m["delegates"]) for m in methods]),
        (f"Given {k} seats", [str(m["completed"]) for m in methods]),
        ("Left without seats", [str(m["incomplete"]) for m in methods]),
        (f"Got all of their top {k}", [_share(m["all_top_k"]) for m in methods]),
        (
            f"Got at least {k - 1} of their top {k}",
            [_share(m["at_least_k_minus_1"]) for m in methods],
        ),
        ("Mean rank of a seat (1 = first choice)", [_number(m["mean_rank"]) for m in methods]),
        ("Worst rank given", [_number(m["worst_rank"], 0) for m in methods]),
        (
            "Seats in workshops the delegate did not rank",
            [str(m["unranked_seats"]) for m in methods],
        ),
        (
            "Rank cost (2^(rank-1) per seat; lower is better)",
            [str(m["rank_cost"]) for m in methods],
        ),
    ]


def people_in_report(*, report):
    """The delegates the report names, as they are now: {list name: [delegate]} (one query).

    Names and addresses are read from the delegates themselves, so an erased or
    anonymised delegate shows as such.
    """
    ids = {pk for key in PEOPLE for pk in report.get(key, [])}
    by_id = Delegate.objects.in_bulk(ids)
    return {key: [by_id[pk] for pk in report.get(key, []) if pk in by_id] for key in PEOPLE}


def report_summary(*, report, people):
    """Return the report as plain text lines, for the management command.

    `people` is `people_in_report(report=report)`. Pure.
    """
    names = [m["label"] for m in report["methods"]]
    width = max(len(label) for label, _ in report_rows(report=report))
    lines = [f"{'':{width}}  " + "  ".join(f"{n:>26}" for n in names)]
    for label, values in report_rows(report=report):
        lines.append(f"{label:{width}}  " + "  ".join(f"{v:>26}" for v in values))
    if people["incomplete"]:
        lines.append("Left without seats by the optimal allocation:")
        lines += [f"  {d.full_name} <{d.email}>" for d in people["incomplete"]]
    return lines


def _plural(count, one, many=None):
    return f"{count} {one if count == 1 else (many or one + 's')}"


def explain_comparison(*, report):
    """Sentences saying why another method beats the optimal one on a row, if one does. Pure.

    The optimiser's priorities are lexicographic: delegates given a full
    timetable, then the fewest seats in workshops nobody ranked, then rank
    cost. A baseline can only look better on a later row by doing worse on an
    earlier one, or, when the time limit stopped the solver, by being better.
    """
    optimal, *others = report["methods"]
    k = report["k"]
    notes = []
    for other in others:
        label = other["label"]
        cheaper = other["rank_cost"] < optimal["rank_cost"]
        more_top = other["all_top_k"] > optimal["all_top_k"]
        if not (cheaper or more_top):
            continue
        fewer = optimal["completed"] - other["completed"]
        unranked = other["unranked_seats"] - optimal["unranked_seats"]
        if fewer > 0:
            notes.append(
                f"{label} gives {_plural(fewer, 'fewer delegate')} a full timetable "
                f"({other['completed']} against {optimal['completed']}). Its rank cost adds up "
                "only the seats it gives, so leaving people out makes it look cheaper; the "
                "optimiser never leaves someone without workshops to give others better ones."
            )
        elif unranked > 0:
            notes.append(
                f"{label} puts delegates in {_plural(unranked, 'more workshop')} they did not "
                "rank; the optimiser avoids those before it looks at rank cost."
            )
        elif cheaper:
            notes.append(
                f"{label} gives as many delegates a full timetable, with no more unranked "
                f"seats, at a lower rank cost ({other['rank_cost']} against "
                f"{optimal['rank_cost']}): the solver stopped before it found the best "
                "allocation. Run the allocation again with a longer time limit."
            )
        if more_top and fewer <= 0:
            notes.append(
                f"{label} gives more delegates all of their top {k} "
                f"({other['all_top_k']:.1%} against {optimal['all_top_k']:.1%}) by sending "
                "others further down their lists (worst rank given: "
                f"{_number(other['worst_rank'], 0)} against {_number(optimal['worst_rank'], 0)}). "
                "The optimiser does not count that figure: each step down a delegate's list "
                "costs double the step before, so it keeps everyone near the top of their "
                "list rather than some at the very top and others far down."
            )
    return notes


def preview_delegates(*, run, search="", only_incomplete=False, search_email=False):
    """The delegates `run` allocates (or leaves without seats), by surname, as a queryset.

    `search` matches first name, last name or their full name, and the email
    address only with `search_email` (for those who may read contact details).
    """
    ids = [int(pk) for pk in run.assignment]
    if only_incomplete:
        ids = [pk for pk in ids if not run.assignment[str(pk)]]
    delegates = Delegate.objects.filter(pk__in=ids).select_related("agency")
    for word in search.split():
        match = Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if search_email:
            match |= Q(email__icontains=word)
        delegates = delegates.filter(match)
    return delegates.order_by(*name_order())


def preview_slots(*, run):
    """The time slots of `run`'s sessions, by name, in the report's order. Pure."""
    return list(dict.fromkeys(s["slot"] for s in run.report.get("sessions", [])))


def preview_rows(*, run, delegates):
    """What each of `delegates` (a page of them) gets from `run` (two queries).

    Returns dicts with the `delegate`, their `seats` in slot order (slot,
    workshop and room named as in the report, and the rank the delegate gave
    that workshop), `cells` (their seat in each of `preview_slots`, or None)
    and whether they got all of their top k.
    """
    report_sessions = run.report.get("sessions", [])
    sessions = {s["id"]: s for s in report_sessions}
    order = {s["id"]: index for index, s in enumerate(report_sessions)}
    given = {d.pk: run.assignment.get(str(d.pk), []) for d in delegates}
    workshop_of = dict(
        Session.objects.filter(pk__in={s for ids in given.values() for s in ids}).values_list(
            "pk", "workshop_id"
        )
    )
    ranks = {}
    for delegate_id, workshop_id, rank in Preference.objects.filter(
        delegate__in=list(given)
    ).values_list("delegate_id", "workshop_id", "rank"):
        ranks[(delegate_id, workshop_id)] = rank
    k = run.report.get("k", 0)
    slots = preview_slots(run=run)
    rows = []
    for delegate in delegates:
        seats = [
            {
                "slot": sessions.get(session_id, {}).get("slot", ""),
                "workshop": sessions.get(session_id, {}).get("workshop", ""),
                "room": sessions.get(session_id, {}).get("room", ""),
                "rank": ranks.get((delegate.pk, workshop_of.get(session_id))),
            }
            for session_id in sorted(given[delegate.pk], key=lambda s: order.get(s, 0))
        ]
        by_slot = {seat["slot"]: seat for seat in seats}
        rows.append(
            {
                "delegate": delegate,
                "seats": seats,
                "cells": [by_slot.get(slot) for slot in slots],
                "all_top": bool(seats) and all(s["rank"] and s["rank"] <= k for s in seats),
            }
        )
    return rows
