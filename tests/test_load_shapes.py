"""The shapes' tick(): go-live ramps and holds until every customer is answered; steps stop at the break."""

from __future__ import annotations

from homologa.load.shapes import GoLive, StepSearch


def test_golive_ramps_then_holds_until_finished() -> None:
    shape = GoLive(users=40, ramp_seconds=4)
    assert shape.tick(0, finished=False) == (40, 10.0)
    assert shape.tick(3600, finished=False) == (40, 10.0)  # no time limit: holds until the plan is done
    assert shape.tick(5, finished=True) is None


def test_golive_time_limit_and_instant_ramp() -> None:
    assert GoLive(users=3, ramp_seconds=0, time_limit=10).tick(10, finished=False) is None
    assert GoLive(users=3, ramp_seconds=0).tick(1, finished=False) == (3, 3.0)
    assert GoLive(users=2, ramp_seconds=10).tick(1, finished=False) == (2, 1.0)  # spawn rate never below 1/s


def test_steps_raise_users_until_p95_breaks() -> None:
    search = StepSearch(users_per_step=10, step_seconds=10, p95_budget_ms=500, accepted_failure_ratio=0.0)
    assert search.tick(0, 0, 0, None, False) == (10, 10.0)
    assert search.tick(9.9, 900, 0, 100, False) == (10, 10.0)
    assert search.tick(10, 1000, 0, 120, False) == (20, 10.0)
    assert search.tick(20, 3000, 0, 300, False) == (30, 10.0)
    assert search.tick(30, 6000, 0, 900, False) is None  # the 30-user step broke the budget
    result = search.result()
    assert result.last_good_users == 20 and result.broken_at_users == 30 and "p95" in (result.reason or "")
    assert search.tick(31, 6100, 0, 100, False) is None  # stays stopped


def test_steps_stop_on_the_failure_ratio_of_the_step_alone() -> None:
    search = StepSearch(users_per_step=5, step_seconds=1, p95_budget_ms=10_000, accepted_failure_ratio=0.01)
    search.tick(0, 0, 0, None, False)
    assert search.tick(1, 100, 1, 50, False) == (10, 5.0)  # 1% of the first step: accepted
    assert search.tick(2, 200, 3, 50, False) is None  # 2 of the second step's 100: 2% > 1%
    assert search.result().last_good_users == 5 and "falhas" in (search.result().reason or "")


def test_steps_end_when_the_plan_is_done_or_max_steps() -> None:
    search = StepSearch(users_per_step=1, step_seconds=1, p95_budget_ms=100, accepted_failure_ratio=0, max_steps=2)
    assert search.tick(0.5, 0, 0, None, finished=True) is None
    search = StepSearch(users_per_step=1, step_seconds=1, p95_budget_ms=100, accepted_failure_ratio=0, max_steps=2)
    search.tick(1, 10, 0, 10, False)
    assert search.tick(2, 20, 0, 10, False) is None and search.result().broken_at_users is None


def test_steps_stop_when_the_rate_is_not_sustained_and_keep_the_achieved_rate() -> None:
    # 10 users per step at 2 customers/s each: nominal 20, 40, 60 customers/s
    search = StepSearch(users_per_step=10, step_seconds=10, p95_budget_ms=10_000, accepted_failure_ratio=0, user_rate=2)
    search.tick(0, 0, 0, None, False)
    assert search.tick(10, 195, 0, 10, False) == (20, 10.0)  # 19.5/s of 20: sustained
    assert search.tick(20, 195 + 390, 0, 10, False) == (30, 10.0)  # 39/s of 40
    assert search.tick(30, 585 + 400, 0, 10, False) is None  # 40/s of 60: not sustained
    result = search.result()
    assert result.last_good_users == 20 and result.last_good_rate == 39.0
    assert "taxa não sustentada" in (result.reason or "")
