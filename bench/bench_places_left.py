"""Benchmark the day-two places-left rule: the exact full-set count, alone.

Run from the repository root with `python bench/bench_places_left.py` (or `make bench`).
Times `count_full_sets` (workshops/allocation/full_sets.py), the pure part of
`day_two_places_left`; the database part is three fixed queries, counted by
the tests. Shapes: SOCEX 2019 (eight workshops twice in four rounds of four
rooms of 50), the same nearly full with the last seats stranded, and a large
programme (50 workshops in 10 rounds, 10,000 seats a round, four sessions each).
Prints readable lines, then one JSON line (milliseconds per call, wall and CPU).
"""

import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshops.allocation.full_sets import count_full_sets

PLAN = [(0, 1, 2, 3), (4, 5, 6, 7), (2, 3, 4, 5), (0, 1, 6, 7)]


def socex(seats):
    return {(slot, w): seats for slot, row in enumerate(PLAN) for w in row}


def stranded():
    # One seat left in each round, all in workshops that would be held twice.
    free = {key: 0 for key in socex(0)}
    free.update({(0, 0): 1, (3, 0): 1, (1, 4): 1, (2, 4): 1})
    return free


def large(seed=1):
    rng = random.Random(seed)
    free = {}
    for slot in range(10):
        for w in rng.sample(range(50), 20):
            free[(slot, w)] = rng.randint(0, 1000)
    return free


def measure(name, free, required, repeat):
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        result = count_full_sets(free_seats=free, required=required)
    wall = (time.perf_counter() - wall) * 1000 / repeat
    cpu = (time.process_time() - cpu) * 1000 / repeat
    print(f"{name}: {result} full sets, {wall:.2f} ms wall, {cpu:.2f} ms CPU per call")
    return {"shape": name, "full_sets": result, "wall_ms": round(wall, 3), "cpu_ms": round(cpu, 3)}


def main():
    count_full_sets(free_seats=socex(1), required=4)  # warm up scipy
    results = [
        measure("socex_empty", socex(50), 4, 200),
        measure("socex_stranded", stranded(), 4, 200),
        measure("large_10_rounds_50_workshops", large(), 4, 50),
    ]
    print(json.dumps({"benchmark": "places_left", "results": results}))


if __name__ == "__main__":
    main()
