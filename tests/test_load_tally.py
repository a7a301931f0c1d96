"""Counting a burst and judging it."""

from __future__ import annotations

from homologa.categories import ERRO_RETORNADO, STATUS_DIVERGENTE
from homologa.load.tally import Tally, bucket, judge, render, report_dict


def test_buckets_keep_the_histogram_bounded() -> None:
    assert [bucket(x) for x in (0.4, 42.4, 123, 1234.5, 98765)] == [0, 42, 120, 1200, 98800]


def test_percentiles_and_rate() -> None:
    tally = Tally()
    for i in range(100):
        tally.record(None, "PEN", latency_ms=i + 1, started=1000.0 + i / 100, ended=1000.0 + i / 100 + 0.001)
    assert tally.percentile(0.5) == 50 and tally.percentile(0.95) == 95 and tally.percentile(0.99) == 99
    assert tally.pen == 100 and tally.failed == 0
    assert 99 < tally.rate < 102  # 100 customers in ~0.99 s


def test_merge_and_dict_round_trip_keep_every_count() -> None:
    a, b = Tally(), Tally()
    a.record(None, "PEN", 5, 10.0, 10.1)
    b.record(None, "APV", 7, 9.0, 9.5)
    b.record(ERRO_RETORNADO, None, 3000, 11.0, 14.0)
    a.merge(Tally.from_dict(b.take().to_dict()))
    assert b.sent == 0 and b.first_sent is None
    assert (a.sent, a.pen, a.apv_rpv, a.failed) == (3, 1, 1, 1)
    assert a.failures[ERRO_RETORNADO] == 1 and a.first_sent == 9.0 and a.last_answer == 14.0


def test_verdict_fails_on_missing_customers_failures_and_latency() -> None:
    tally = Tally()
    for i in range(9):
        tally.record(None, "PEN", 10, float(i), float(i) + 0.01)
    tally.record(STATUS_DIVERGENTE, "APV", 5000, 9.0, 14.0)
    verdict = judge(tally, planned=11, accepted_failure_ratio=0.0, p95_budget_ms=2000)
    assert verdict.exit_code == 1 and len(verdict.reasons) == 3
    text = render(tally, verdict)
    assert "status divergente: 1" in text and "REPROVADO" in text and "10 de 11" in text
    assert judge(tally, planned=10, accepted_failure_ratio=0.1, p95_budget_ms=6000).ok
    assert report_dict(tally, verdict)["falhas"] == {STATUS_DIVERGENTE: 1}


def test_empty_tally_reports_nothing_sent() -> None:
    verdict = judge(Tally(), planned=5, accepted_failure_ratio=0, p95_budget_ms=100)
    assert not verdict.ok and "0 de 5" in verdict.reasons[0]
    assert Tally().percentile(0.95) is None and Tally().rate == 0.0


def test_step_search_verdict_does_not_require_every_customer() -> None:
    tally = Tally()
    tally.record(None, "PEN", 10, 0.0, 0.01)
    assert judge(tally, planned=1000, accepted_failure_ratio=0, p95_budget_ms=100, require_all=False).ok
    assert not judge(Tally(), planned=1000, accepted_failure_ratio=0, p95_budget_ms=100, require_all=False).ok


def test_live_rows_for_the_web_ui_tab() -> None:
    from homologa.load.tally import live_rows

    t = Tally()
    t.record(None, "PEN", 10, 0.0, 0.1)
    t.record("status divergente", "APV", 30, 0.1, 0.2)
    rows = live_rows(t, planned=4, p95_budget_ms=2000, situation="em andamento", verdict=None)
    table = {row["item"]: row["valor"] for row in rows}
    assert table["Enviados e respondidos"] == "2 (50.0%)" and table["PEN (novos)"] == "1"
    assert table["  status divergente"] == "1" and table["Veredito"] == "aguardando o fim da rajada"
    verdict = judge(t, planned=4, accepted_failure_ratio=0, p95_budget_ms=2000)
    final = live_rows(t, planned=4, p95_budget_ms=2000, situation="concluída", verdict=verdict)
    assert {"item": "Veredito", "valor": "REPROVADO"} in final
    assert any(row["item"] == "  motivo" and "nem todos" in row["valor"] for row in final)
