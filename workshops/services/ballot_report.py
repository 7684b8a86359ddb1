"""The report an organiser reads before publishing a ballot allocation.

`build_report` turns three allocations of the same rankings into plain JSON,
stored with the run, so the report reads the same later whatever changes in
the database. `report_rows` lays it out for the admin page and the command.
"""

import math

from registration.models import Delegate
from workshops.allocation import AllocationResult

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
