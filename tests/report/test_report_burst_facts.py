"""Which burst the evidence shows: how far from the suite run it ran (an old rehearsal reads as old)."""

from __future__ import annotations

from homologa.report import burst


def test_an_old_rehearsal_is_shown_days_before_the_run() -> None:
    lines = dict(burst.facts({"fim": "2026-10-23T05:57:51+00:00"}, "2026-12-02T05:56:31+00:00"))
    assert lines["Quando, em relação à execução"] == "terminou 40 dias antes do início da execução da suíte"


def test_a_burst_of_the_same_session_reads_in_minutes_and_after() -> None:
    assert burst.distance("2026-12-02T06:10:00+00:00", "2026-12-02T06:00:00+00:00") == (
        "terminou 10 min depois do início da execução da suíte"
    )
    assert burst.distance("2026-12-02T03:00:00+00:00", "2026-12-02T06:00:00+00:00") == (
        "terminou 3 h antes do início da execução da suíte"
    )


def test_unknown_times_add_no_line() -> None:
    assert burst.distance(None, "2026-12-02T06:00:00+00:00") is None
    assert "Quando, em relação à execução" not in dict(burst.facts({"fim": "2026-12-02T06:00:00+00:00"}))
