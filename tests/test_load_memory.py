"""What a burst keeps in memory does not grow with the number of customers: the master's dispenser holds only the
slices in flight, the tally a bounded latency histogram, a worker's pool at most the slices it was granted."""

from __future__ import annotations

import random

from homologa.load.plan import Dispenser, PlanShape, Slice, SlicePool
from homologa.load.tally import Tally


def test_a_tally_of_300_thousand_answers_keeps_a_bounded_histogram() -> None:
    rng = random.Random(1)
    tally = Tally()
    for _ in range(300_000):
        tally.record(None, "PEN", rng.uniform(0, 60_000), 1.0, 2.0)  # up to a 60 s timeout
    # 1 ms buckets below 100 ms, 10 ms below 1 s, 100 ms above: at most 100 + 91 + 591, whatever the count
    assert tally.sent == 300_000 and len(tally.latency) <= 782
    assert set(tally.statuses) == {"PEN"} and not tally.failures


def test_the_master_holds_only_the_slices_in_flight_over_ten_million_customers() -> None:
    rng = random.Random(2)
    workers = [f"w{i}" for i in range(100)]
    dispenser = Dispenser(PlanShape(10_000_000), 500)
    held: dict[str, list[Slice]] = {w: [] for w in workers}
    peak = 0
    while not dispenser.finished:
        worker = rng.choice(workers)
        grant = dispenser.take(worker, len(workers)) if len(held[worker]) < 2 else None
        if isinstance(grant, Slice):
            held[worker].append(grant)
        elif held[worker]:  # holding two, or nothing more to take yet: answer one
            dispenser.complete(held[worker].pop(rng.randrange(len(held[worker]))))
        peak = max(peak, len(dispenser._outstanding))
    assert dispenser.completed == 10_000_000
    assert peak <= 2 * len(workers)  # never one entry per slice or per customer


def test_a_worker_pool_holds_at_most_the_indices_it_was_granted() -> None:
    pool = SlicePool()
    peak = 0
    for start in range(0, 200_000, 500):
        pool.add(Slice(start, start + 500))
        while (item := pool.take()) is not None:
            peak = max(peak, pool.queued + pool.in_flight)
            pool.done(item[1])
    assert peak <= 500 and pool.queued == 0 and pool.in_flight == 0
