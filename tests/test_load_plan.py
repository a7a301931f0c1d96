"""Slicing the burst: every index handed out exactly once (no overlap, no gap), also with late joiners."""

from __future__ import annotations

import random

import pytest

from homologa.load.plan import Dispenser, PlanShape, Slice, SlicePool, Wait


def drain(dispenser: Dispenser, workers: list[str], rng: random.Random, join_late: dict[str, int]) -> list[int]:
    """Run the protocol: random workers ask, answer a random held slice; some join only after N grants."""
    sent: list[int] = []
    pools = {w: SlicePool() for w in workers}
    grants = 0
    while not dispenser.finished:
        active = [w for w in workers if grants >= join_late.get(w, 0)]
        worker = rng.choice(active)
        pool = pools[worker]
        if rng.random() < 0.5:
            grant = dispenser.take(worker, len(active))
            if isinstance(grant, Slice):
                pool.add(grant)
                grants += 1
            continue
        item = pool.take()
        if item is None:
            continue
        index, owner = item
        sent.append(index)
        done = pool.done(owner)
        if done is not None:
            dispenser.complete(done)
    return sent


@pytest.mark.parametrize("customers,share,workers", [(1, 0.0, 1), (1000, 0.0, 3), (997, 0.3, 4), (50, 1.0, 2)])
def test_every_index_exactly_once(customers: int, share: float, workers: int) -> None:
    plan = PlanShape(customers, share)
    names = [f"w{i}" for i in range(workers)]
    sent = drain(Dispenser(plan, max_chunk=64), names, random.Random(customers), {"w1": 5})
    assert sorted(sent) == list(range(plan.total))


def test_resends_wait_for_every_new_customer_to_be_answered() -> None:
    plan = PlanShape(10, 0.5)
    dispenser = Dispenser(plan, max_chunk=10)
    first = dispenser.take("a")
    assert first == Slice(0, 2)  # guided size: 10 remaining // (4 × 1 worker)
    rest = []
    while isinstance(grant := dispenser.take("a"), Slice) and grant.stop <= 10:
        rest.append(grant)
    assert grant is Wait.WAIT
    for s in [first, *rest]:
        dispenser.complete(s)
    resend = dispenser.take("a")
    assert isinstance(resend, Slice) and resend.start == 10
    dispenser.complete(resend)
    while isinstance(grant := dispenser.take("a"), Slice):
        dispenser.complete(grant)
    assert grant is None and dispenser.finished


def test_slices_shrink_with_the_remaining_work_and_workers() -> None:
    dispenser = Dispenser(PlanShape(10_000), max_chunk=500)
    assert len(dispenser.take("a", workers=2)) == 500  # capped
    sizes = []
    while isinstance(grant := dispenser.take("a", workers=2), Slice):
        sizes.append(len(grant))
    assert sizes[-1] == 1 and sorted(sizes, reverse=True) == sizes


def test_resends_spread_over_distinct_customers() -> None:
    plan = PlanShape(100, 0.25)
    targets = [plan.customer_of(i) for i in range(100, plan.total)]
    assert plan.total == 125 and len(set(targets)) == 25 and all(0 <= t < 100 for t in targets)
    assert plan.is_resend(100) and not plan.is_resend(99)
    with pytest.raises(IndexError):
        plan.customer_of(125)


def test_completing_an_unknown_or_repeated_slice_is_refused() -> None:
    dispenser = Dispenser(PlanShape(10))
    grant = dispenser.take("a")
    assert isinstance(grant, Slice)
    dispenser.complete(grant)
    with pytest.raises(ValueError):
        dispenser.complete(grant)
    assert dispenser.held_by("a") == []


def test_pool_reports_a_slice_when_its_last_index_is_answered() -> None:
    pool = SlicePool()
    pool.add(Slice(0, 2))
    pool.add(Slice(2, 3))
    taken = [pool.take() for _ in range(3)]
    assert pool.take() is None and pool.queued == 0
    assert [t[0] for t in taken if t] == [0, 1, 2]
    assert pool.done(Slice(0, 2)) is None
    assert pool.done(Slice(2, 3)) == Slice(2, 3)
    assert pool.done(Slice(0, 2)) == Slice(0, 2)


def test_an_index_given_back_goes_first_again_and_its_slice_still_closes() -> None:
    """A user killed mid-exchange gives its index back: the same index is taken next, and the slice closes only
    once every index of it was answered (a lost index would keep it open for ever)."""
    pool = SlicePool()
    pool.add(Slice(0, 3))
    first, second = pool.take(), pool.take()
    assert first == (0, Slice(0, 3)) and second == (1, Slice(0, 3))
    pool.give_back(*first)
    assert pool.queued == 2 and pool.in_flight == 1
    assert pool.take() == (0, Slice(0, 3))
    assert [pool.done(Slice(0, 3)) for _ in range(2)] == [None, None]
    assert pool.take() == (2, Slice(0, 3))
    assert pool.done(Slice(0, 3)) == Slice(0, 3)
    pool.give_back(1, Slice(0, 3))  # a slice no longer open here (a later run): nothing comes back
    assert pool.take() is None


def test_bad_plans_are_refused_in_portuguese() -> None:
    with pytest.raises(ValueError, match="clientes"):
        PlanShape(0)
    with pytest.raises(ValueError, match="reenvios"):
        PlanShape(10, 1.5)


def test_a_lost_workers_slices_are_granted_again_whole_and_every_index_completes_once() -> None:
    plan = PlanShape(300, 0.2)
    dispenser = Dispenser(plan, max_chunk=25)
    held = [dispenser.take("morto", 2) for _ in range(3)]
    kept = dispenser.take("vivo", 2)
    assert all(isinstance(s, Slice) for s in [*held, kept])
    assert dispenser.holders == {"morto", "vivo"}
    assert dispenser.release("morto") == sorted(held)  # type: ignore[type-var]
    assert dispenser.holders == {"vivo"} and dispenser.release("ninguem") == []
    again = [dispenser.take("vivo", 1) for _ in range(3)]
    assert again == sorted(held)  # type: ignore[type-var]  # the same slices (same indices, same IdMensagem)
    answered: list[int] = []
    for granted in [kept, *again]:
        assert isinstance(granted, Slice)
        answered.extend(granted)
        dispenser.complete(granted)
    while not dispenser.finished:
        grant = dispenser.take("vivo", 1)
        assert isinstance(grant, Slice), grant
        answered.extend(grant)
        dispenser.complete(grant)
    assert sorted(answered) == list(range(plan.total))
    assert dispenser.take("vivo") is None


def test_a_worker_with_no_users_gives_back_only_what_it_still_holds() -> None:
    """A worker rebalancing left with no user empties its pool (every open slice, its queue) and the master grants
    those slices again; one it listed but confirmed meanwhile, or another worker's, stays where it is."""
    pool = SlicePool()
    pool.add(Slice(0, 3))
    pool.add(Slice(3, 5))
    pool.take()
    pool.done(Slice(0, 3))
    assert pool.drop_all() == [Slice(0, 3), Slice(3, 5)]
    assert pool.take() is None and pool.queued == 0 and pool.in_flight == 0 and pool.drop_all() == []

    dispenser = Dispenser(PlanShape(100), max_chunk=10)
    mine = [dispenser.take("a", 1) for _ in range(3)]
    theirs = dispenser.take("b", 1)
    assert all(isinstance(s, Slice) for s in [*mine, theirs])
    dispenser.complete(mine[0])  # type: ignore[arg-type]
    released = dispenser.release("a", only=[mine[0], mine[1], theirs])  # type: ignore[list-item]
    assert released == [mine[1]]
    assert dispenser.holders == {"a", "b"}  # mine[2], not listed, still held by "a"
    assert dispenser.take("b", 1) == mine[1]  # granted again first, whole


def test_a_worker_asking_while_slices_are_outstanding_waits_instead_of_ending() -> None:
    dispenser = Dispenser(PlanShape(4), max_chunk=10)
    grants = [dispenser.take("a"), dispenser.take("b")]
    while isinstance(grant := dispenser.take("b"), Slice):
        grants.append(grant)
    assert grant is Wait.WAIT and not dispenser.finished  # "a" may die: its slice would come back
    for lost in dispenser.release("a"):
        assert dispenser.take("b") == lost


def test_a_resumed_dispenser_never_hands_out_what_was_answered_and_sends_the_rest_once() -> None:
    plan = PlanShape(1000, 0.1)
    done = [Slice(0, 120), Slice(100, 300), Slice(500, 510), Slice(990, 1000)]  # overlapping, as a journal can't be
    dispenser = Dispenser(plan, max_chunk=64, done=done)
    assert dispenser.completed == 300 + 10 + 10
    sent = drain(dispenser, ["a", "b"], random.Random(3), {})
    answered = set(range(0, 300)) | set(range(500, 510)) | set(range(990, 1000))
    assert sorted(sent) == sorted(set(range(plan.total)) - answered)
    everything = Dispenser(plan, done=[Slice(0, plan.total)])
    assert everything.finished and everything.take("a") is None
