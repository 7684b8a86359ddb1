"""The ballot report in words: why another column can beat the optimal one on a row."""

import pytest

from workshops.services.ballot_report import explain_comparison

BASE = {
    "completed": 10,
    "unranked_seats": 0,
    "rank_cost": 100,
    "all_top_k": 0.5,
    "worst_rank": 5,
}


def report(optimal=None, fcfs=None):
    return {
        "k": 4,
        "methods": [
            {**BASE, "label": "Optimal (ballot)", **(optimal or {})},
            {**BASE, "label": "First come, first served", **(fcfs or {})},
            {**BASE, "label": "Random serial dictatorship", "rank_cost": 120, "all_top_k": 0.4},
        ],
    }


def test_no_note_when_the_optimal_column_is_best_on_every_row():
    assert explain_comparison(report=report()) == []


def test_a_lower_rank_cost_from_leaving_people_out_is_explained():
    notes = explain_comparison(report=report(fcfs={"completed": 8, "rank_cost": 80}))
    assert notes == [
        "First come, first served gives 2 fewer delegates a full timetable (8 against 10). "
        "Its rank cost adds up only the seats it gives, so leaving people out makes it look "
        "cheaper; the optimiser never leaves someone without workshops to give others "
        "better ones."
    ]


def test_a_lower_rank_cost_from_unranked_seats_is_explained():
    notes = explain_comparison(report=report(fcfs={"unranked_seats": 1, "rank_cost": 90}))
    assert notes == [
        "First come, first served puts delegates in 1 more workshop they did not rank; the "
        "optimiser avoids those before it looks at rank cost."
    ]


def test_more_delegates_with_their_top_four_is_explained_by_the_worst_rank():
    notes = explain_comparison(report=report(fcfs={"all_top_k": 0.7, "worst_rank": 7}))
    assert len(notes) == 1
    assert notes[0].startswith(
        "First come, first served gives more delegates all of their top 4 (70.0% against "
        "50.0%) by sending others further down their lists (worst rank given: 7 against 5)."
    )


def test_a_cheaper_baseline_on_equal_terms_means_the_solver_stopped_early():
    notes = explain_comparison(report=report(fcfs={"rank_cost": 95}))
    assert notes == [
        "First come, first served gives as many delegates a full timetable, with no more "
        "unranked seats, at a lower rank cost (95 against 100): the solver stopped before it "
        "found the best allocation. Run the allocation again with a longer time limit."
    ]


@pytest.mark.parametrize("completed", [8, 10])
def test_each_method_gets_its_own_notes(completed):
    notes = explain_comparison(
        report=report(
            optimal={"rank_cost": 130, "all_top_k": 0.3},
            fcfs={"completed": completed, "rank_cost": 90},
        )
    )
    assert [note.split(" ")[0] for note in notes] == (
        ["First", "Random", "Random"] if completed == 8 else ["First", "First", "Random", "Random"]
    )
