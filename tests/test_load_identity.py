"""The plan identity master and workers compare before a slice changes hands: equal only for the same plan, and a
process of another plan is refused with a pt-BR reason instead of sending customers the other plan does not have."""

from __future__ import annotations

import dataclasses

import pytest

from homologa.load.record import foreign_plan, plan_identity, plan_summary
from homologa.load.settings import LoadSettings

HOST = "http://127.0.0.1:9/erp"
BASE = LoadSettings(customers=1000, cep_ranges=("01000000-01999999",), seed=7, first_index=0)


def test_the_same_plan_has_the_same_identity_in_every_process() -> None:
    assert plan_identity(HOST, BASE, "pack") == plan_identity(HOST, dataclasses.replace(BASE), "pack")
    # what only shapes the run (rate, chunk, report folder) is not the plan
    paced = dataclasses.replace(BASE, rate=50.0, chunk=10, report_dir="outra")
    assert plan_identity(HOST, paced, "pack") == plan_identity(HOST, BASE, "pack")


@pytest.mark.parametrize(
    "change",
    [
        {"customers": 10_000},
        {"cep_ranges": ("20000000-20999999",)},
        {"seed": 8},
        {"first_index": 500},
        {"resend_share": 0.1},
        {"replay": True},
    ],
    ids=lambda c: next(iter(c)),
)
def test_any_change_of_what_each_index_means_changes_the_identity(change: dict[str, object]) -> None:
    other = dataclasses.replace(BASE, **change)  # type: ignore[arg-type]
    assert plan_identity(HOST, other, "pack") != plan_identity(HOST, BASE, "pack")


def test_another_target_or_contract_pack_is_another_plan() -> None:
    ours = plan_identity(HOST, BASE, "pack")
    assert plan_identity("http://127.0.0.1:9/outro", BASE, "pack") != ours
    assert plan_identity(HOST, BASE, "outro-pacote") != ours


def test_a_process_of_the_same_plan_is_not_refused() -> None:
    ours = plan_identity(HOST, BASE, "pack")
    assert foreign_plan(ours, ours, "o mestre", "este trabalhador", plan_summary(BASE)) is None


def test_a_process_of_another_plan_is_refused_in_one_portuguese_line() -> None:
    ours = plan_identity(HOST, BASE, "pack")
    theirs = plan_identity(HOST, dataclasses.replace(BASE, customers=10_000), "pack")
    reason = foreign_plan(theirs, ours, "o trabalhador w1", "o mestre", plan_summary(BASE))
    assert reason is not None and "\n" not in reason
    assert reason.startswith(f"o trabalhador w1 é de outro plano ({theirs}) que o mestre ({ours}: 1000 clientes")
    assert "reinicie os trabalhadores depois do mestre" in reason


@pytest.mark.parametrize("theirs", [None, "", 3])
def test_a_process_without_plan_identity_is_refused_as_another_version(theirs: object) -> None:
    reason = foreign_plan(theirs, "abc", "o mestre", "este trabalhador", plan_summary(BASE))
    assert reason is not None and "sem identificação" in reason
