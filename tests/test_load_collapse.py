"""When a burst stops early because the ERP collapsed: sustained p95 far above the budget, or a window of failures."""

from __future__ import annotations

from homologa.load.collapse import CollapseWatch


def test_p95_far_above_the_budget_must_last_the_whole_window() -> None:
    watch = CollapseWatch(p95_budget_ms=100, p95_factor=5, failure_ratio=0, window_s=3)
    assert watch.observe(1, 10, 0, 900) is None
    assert watch.observe(2, 20, 0, 200) is None  # back under 500 ms: the clock restarts
    assert [watch.observe(t, 10 * t, 0, 900) for t in (3, 4, 5)] == [None, None, None]
    reason = watch.observe(6, 60, 0, 900)
    assert reason == "ERP em colapso: p95 recente de 900 ms acima de 5× o orçamento (500 ms) por 3 s seguidos"


def test_a_window_of_mostly_failed_answers_stops_but_a_few_failures_do_not() -> None:
    watch = CollapseWatch(p95_budget_ms=100, p95_factor=0, failure_ratio=0.5, window_s=2)
    assert watch.observe(0, 0, 0, None) is None
    assert watch.observe(1, 100, 10, 50) is None
    assert watch.observe(2, 200, 20, 50) is None  # 10% over the window
    assert watch.observe(3, 300, 110, 50) is None  # 90 of 200 since t=1: 45%
    reason = watch.observe(4, 400, 210, 50)  # 190 of 200 since t=2
    assert reason is not None and reason.startswith("ERP em colapso: 190 falhas em 200 respostas nos últimos 2 s")


def test_too_few_answers_or_switched_off_never_stop() -> None:
    few = CollapseWatch(p95_budget_ms=100, failure_ratio=0.5, window_s=1, min_answers=20)
    assert [few.observe(t, t * 5, t * 5, None) for t in range(6)] == [None] * 6
    off = CollapseWatch(p95_budget_ms=100, p95_factor=0, failure_ratio=0, window_s=1)
    assert all(off.observe(t, t * 100, t * 100, 10_000) is None for t in range(10))
