"""The optimiser's progress callback: what it reports, and stopping the solve from it."""

import pytest

from workshops.allocation import allocate_optimal, generate_instance

INSTANCE = dict(delegates=400, workshops=16, slots=8, runs_per_workshop=2, ranked=8, k=4, seed=2)


def test_progress_reports_each_column_generation_round_with_its_bound():
    updates = []
    result = allocate_optimal(
        instance=generate_instance(**INSTANCE), time_limit=60, progress=updates.append
    )
    assert updates[0].stage == "reading the rankings"
    rounds = [u for u in updates if u.stage == "column generation"]
    assert [u.round for u in rounds] == list(range(1, len(rounds) + 1))
    assert all(u.bound <= u.value + 1e-6 for u in rounds)
    assert [u.elapsed for u in updates] == sorted(u.elapsed for u in updates)
    # The rounds stop once the master reaches the bound: the last gap is (nearly) nothing.
    assert rounds[-1].gap == pytest.approx(0, abs=1e-6)
    assert rounds[-1].bound <= result.stats.rank_cost + 1


class Stop(Exception):
    pass


def test_an_exception_raised_by_the_callback_stops_the_solve():
    seen = []

    def stop_at_second_round(update):
        seen.append(update)
        if update.round == 2:
            raise Stop

    with pytest.raises(Stop):
        allocate_optimal(
            instance=generate_instance(**INSTANCE), time_limit=60, progress=stop_at_second_round
        )
    assert [u.round for u in seen] == [0, 1, 2]
