"""The burst's durable journal: what --resume trusts (confirmed slices and their tallies, for one plan only),
bounded by compaction whatever the number of customers, and safe when a compaction is cut by a reboot."""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homologa.load.journal import (
    NAME,
    PREVIOUS,
    Confirmed,
    Journal,
    JournalError,
    first_start,
    keep_interrupted,
    lock_folder,
    read_plan,
)
from homologa.load.plan import Slice
from homologa.load.tally import Tally

PLAN = {"alvo_id": "abc", "faixas_cep": ["01000000-19999999"], "clientes": 100, "reenvios": 0.0, "semente": 7,
        "primeiro_indice": 0, "repeticao": False}  # fmt: skip


def _tally(n: int) -> Tally:
    t = Tally()
    for i in range(n):
        t.record(None, "PEN", 10 + i, 1.0, 2.0)
    return t


def test_confirmed_slices_and_tallies_come_back_and_a_cut_last_line_is_dropped(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, PLAN)
    journal.confirm(Slice(0, 10), _tally(10))
    journal.confirm(Slice(20, 25), _tally(5))
    journal.close()
    with (tmp_path / NAME).open("a", encoding="utf-8") as handle:
        handle.write('{"s":10,"e":20,"t":{"se')  # kill -9 in the middle of a write
    resumed, done, total = Journal.resume(tmp_path, PLAN)
    assert done == [Slice(0, 10), Slice(20, 25)] and total.sent == 15 and total.pen == 15
    resumed.confirm(Slice(10, 20), _tally(10))  # appended after the last whole line
    resumed.close()
    _, done, total = Journal.resume(tmp_path, PLAN)
    assert done == [Slice(0, 25)] and total.sent == 25  # the confirmed slices come back as disjoint ranges
    assert read_plan(tmp_path) == PLAN


def test_resuming_another_plan_or_nothing_is_refused_in_portuguese(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="não há diário de rajada"):
        Journal.resume(tmp_path, PLAN)
    Journal.create(tmp_path, PLAN).close()
    with pytest.raises(JournalError, match=r"outra rajada \(clientes: diário 100, agora 200; semente: diário 7"):
        Journal.resume(tmp_path, {**PLAN, "clientes": 200, "semente": 8})
    (tmp_path / NAME).write_text("isto não é um diário\n", encoding="utf-8")
    with pytest.raises(JournalError, match="não é um diário de rajada"):
        Journal.resume(tmp_path, PLAN)


def test_confirmations_reach_the_file_at_once_and_the_disk_on_sync(tmp_path: Path) -> None:
    """A killed process loses nothing written (flushed to the OS); sync() is the fsync, idempotent."""
    journal = Journal.create(tmp_path, PLAN)
    journal.confirm(Slice(0, 10), _tally(10))
    assert len((tmp_path / NAME).read_text(encoding="utf-8").splitlines()) == 2  # before any sync
    journal.sync()
    journal.sync()
    journal.close()
    journal.close()
    journal.sync()  # after close: nothing to do, no error


def test_confirmed_ranges_are_the_union_of_the_slices_in_any_order() -> None:
    rng = random.Random(3)
    slices = [Slice(a, a + rng.randint(1, 9)) for a in range(0, 2000, 10)]
    rng.shuffle(slices)
    confirmed = Confirmed()
    expected: set[int] = set()
    for s in slices[:150]:
        confirmed.add(s)
        expected.update(s)
    got = {i for s in confirmed.slices() for i in s}
    assert got == expected and confirmed.indices == len(expected)
    ranges = confirmed.slices()
    assert all(a.stop < b.start for a, b in itertools.pairwise(ranges))  # disjoint, not touching


def _burst(journal: Journal, customers: int, chunk: int, in_flight: int, seen: list[tuple[int, int]]) -> None:
    """Confirm ``customers`` in slices of ``chunk``, out of order within ``in_flight`` slices (workers racing)."""
    rng = random.Random(11)
    per_slice = Tally.from_dict({"sent": chunk, "statuses": {"PEN": chunk}, "latency": {str(ms): chunk // 50 for ms in
                                 range(0, 100, 2)}, "first_sent": 1.0, "last_answer": 2.0})  # fmt: skip
    window: list[Slice] = []
    start = 0
    while start < customers or window:
        while start < customers and len(window) < in_flight:
            window.append(Slice(start, min(start + chunk, customers)))
            start += chunk
        journal.confirm(window.pop(rng.randrange(len(window))), per_slice)
        if journal.compactions and rng.random() < 0.01:
            journal.sync()  # the master's once-a-second fsync
        seen.append((journal.path.stat().st_size, len(journal.confirmed)))


def test_ten_million_customers_leave_a_journal_under_one_megabyte_and_a_few_ranges_in_memory(tmp_path: Path) -> None:
    plan = {**PLAN, "clientes": 10_000_500}  # one slice left: a finished burst is not resumed
    journal = Journal.create(tmp_path, plan)
    seen: list[tuple[int, int]] = []
    _burst(journal, 10_000_000, 500, in_flight=100, seen=seen)  # 20 000 confirmations, 100 slices in flight
    journal.close()
    assert max(size for size, _ in seen) < 1_000_000  # ~20 MB without compaction
    assert max(ranges for _, ranges in seen) <= 100  # the holes of the slices in flight, never one per slice
    assert journal.compactions >= 19 and not (tmp_path / PREVIOUS).exists()
    resumed, done, total = Journal.resume(tmp_path, plan)
    resumed.close()
    assert done == [Slice(0, 10_000_000)] and total.sent == 10_000_000 and total.pen == 10_000_000
    assert len((tmp_path / NAME).read_text(encoding="utf-8").splitlines()) == 2  # resumed from plan + summary


def _compacted_without_sync(folder: Path) -> Journal:
    journal = Journal.create(folder, PLAN, compact_every=3)
    for start in (0, 20, 10):
        journal.confirm(Slice(start, start + 10), _tally(10))
    assert journal.compactions == 1 and (folder / PREVIOUS).exists()  # kept until the new file is on disk
    journal.confirm(Slice(30, 40), _tally(10))
    return journal


def test_a_compaction_cut_before_reaching_the_disk_resumes_from_the_previous_file(tmp_path: Path) -> None:
    _compacted_without_sync(tmp_path)  # a reboot now: the new file may be empty or cut
    (tmp_path / NAME).write_text((tmp_path / NAME).read_text(encoding="utf-8")[:40], encoding="utf-8")
    assert read_plan(tmp_path) == PLAN
    resumed, done, total = Journal.resume(tmp_path, PLAN)
    assert done == [Slice(0, 30)] and total.sent == 30  # the confirmation after the compaction is sent again
    resumed.close()
    assert not (tmp_path / PREVIOUS).exists()


def test_a_whole_compacted_file_wins_over_the_previous_one(tmp_path: Path) -> None:
    _compacted_without_sync(tmp_path)  # killed after writing, before the fsync that drops the previous file
    resumed, done, total = Journal.resume(tmp_path, PLAN)
    assert done == [Slice(0, 40)] and total.sent == 40 and total.pen == 40  # counted once, not twice
    resumed.close()


def test_a_journal_of_the_previous_version_is_still_resumed(tmp_path: Path) -> None:
    lines = [{"diario": 1, "plano": PLAN}, {"s": 0, "e": 10, "t": _tally(10).to_dict()}]
    (tmp_path / NAME).write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    resumed, done, total = Journal.resume(tmp_path, PLAN)
    resumed.close()
    assert done == [Slice(0, 10)] and total.sent == 10


def test_compactions_faster_than_the_disk_keep_the_last_durable_file_as_the_fallback(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, {**PLAN, "clientes": 200}, compact_every=2)
    for start in range(0, 100, 10):  # ten confirmations, no sync: five compactions before any fsync
        journal.confirm(Slice(start, start + 10), _tally(10))
    assert journal.compactions == 5 and (tmp_path / NAME).stat().st_size < 2000
    assert not (tmp_path / (NAME + ".novo")).exists()
    _, done, total = Journal.resume(tmp_path, {**PLAN, "clientes": 200})  # killed now: the current file is whole
    assert done == [Slice(0, 100)] and total.sent == 100


def test_after_a_reboot_that_lost_every_unsynced_compaction_the_durable_file_is_resumed(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, PLAN, compact_every=2)
    for start in range(0, 100, 10):
        journal.confirm(Slice(start, start + 10), _tally(10))
    (tmp_path / NAME).unlink()  # never reached the disk
    _, done, total = Journal.resume(tmp_path, PLAN)
    assert done == [Slice(0, 20)] and total.sent == 20  # the state of the file before the first compaction


# --resume trusts only the same burst, whole: same contract and limits, nothing invented, something left to send

FULL = {**PLAN, "alvo": "http://erp.exemplo/clientes?chave=***", "contrato": "a" * 64, "contrato_nome": "v1",
        "forma": "golive", "orcamento_p95_ms": 1.0, "falhas_aceitas": 0.0, "fracao_validada": 1.0, "colapso_p95": 5.0,
        "colapso_falhas": 0.5, "colapso_janela": 30.0}  # fmt: skip


def _lines(folder: Path, *entries: dict[str, object]) -> None:
    header = {"diario": 3, "plano": PLAN, "inicio": "2026-12-02T05:03:57+00:00"}
    (folder / NAME).write_text("".join(json.dumps(x) + "\n" for x in (header, *entries)), encoding="utf-8")


def test_resuming_with_another_contract_or_looser_limits_is_refused_naming_them(tmp_path: Path) -> None:
    Journal.create(tmp_path, FULL).close()
    looser = {**FULL, "orcamento_p95_ms": 100000.0, "falhas_aceitas": 0.5, "colapso_p95": 0.0, "fracao_validada": 0.1}
    with pytest.raises(JournalError) as refused:
        Journal.resume(tmp_path, looser)
    assert "orçamento p95 (--p95-budget-ms): diário 1.0, agora 100000.0" in str(refused.value)
    assert "fração de falhas aceita (--accepted-failure-ratio): diário 0.0, agora 0.5" in str(refused.value)
    assert "colapso por latência (--collapse-p95-factor): diário 5.0, agora 0.0" in str(refused.value)
    assert "validadas no XSD (--validate-share): diário 1.0, agora 0.1" in str(refused.value)
    soap = {**FULL, "contrato": "b" * 64, "contrato_nome": "v1-soap"}
    with pytest.raises(JournalError, match=r"pacote de contrato \(--contract\): diário 'v1' \(sha256 aaaaaaaaaaaa\),"
                       r" agora 'v1-soap' \(sha256 bbbbbbbbbbbb\)"):  # fmt: skip
        Journal.resume(tmp_path, soap)
    with pytest.raises(JournalError, match=r"forma \(--shape\): diário 'golive', agora 'degraus'"):
        Journal.resume(tmp_path, {**FULL, "forma": "degraus"})


def test_a_plan_mismatch_names_the_target_masked_never_the_secret_nor_only_a_hash(tmp_path: Path) -> None:
    Journal.create(tmp_path, FULL).close()
    other = {**FULL, "alvo_id": "outro", "alvo": "http://erp2.exemplo/clientes?chave=***"}
    with pytest.raises(JournalError) as refused:
        Journal.resume(tmp_path, other)
    text = str(refused.value)
    assert "alvo: diário 'http://erp.exemplo/clientes?chave=***', agora 'http://erp2.exemplo/clie" in text
    assert "'abc'" not in text  # the identity hash is not what a person is shown
    same_address = {**FULL, "alvo_id": "outra-credencial"}
    with pytest.raises(JournalError, match="mesmo endereço, com outra credencial"):
        Journal.resume(tmp_path, same_address)


def test_a_journal_without_the_limits_cannot_be_resumed_with_limits(tmp_path: Path) -> None:
    """A journal of homologa before version 3 does not say which limits judged it: resuming it is refused."""
    lines = [{"diario": 2, "plano": PLAN}, {"s": 0, "e": 10, "t": _tally(10).to_dict()}]
    (tmp_path / NAME).write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with pytest.raises(JournalError, match=r"orçamento p95 \(--p95-budget-ms\): diário \(não registrado"):
        Journal.resume(tmp_path, FULL)


def test_a_finished_burst_is_not_resumed_nor_re_judged(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, FULL)
    journal.confirm(Slice(0, 60), _tally(60))
    journal.confirm(Slice(60, 100), _tally(40))
    journal.close()
    with pytest.raises(JournalError, match=f"a rajada já terminou .*nada a retomar; o resultado está em {tmp_path}"):
        Journal.resume(tmp_path, FULL)
    assert (tmp_path / NAME).exists() and not (tmp_path / PREVIOUS).exists()  # left as it was


def test_the_first_start_of_the_burst_is_kept_across_resumes_and_compactions(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, PLAN, compact_every=1, started="2026-12-02T05:03:57+00:00")
    journal.confirm(Slice(0, 10), _tally(10))  # a compaction: a new file, the same first start
    journal.close()
    resumed, _, _ = Journal.resume(tmp_path, PLAN)
    resumed.confirm(Slice(10, 20), _tally(10))
    resumed.close()
    assert resumed.started == "2026-12-02T05:03:57+00:00"
    assert first_start(tmp_path) == "2026-12-02T05:03:57+00:00"
    assert first_start(tmp_path / "nenhuma") is None
    assert Journal.create(tmp_path / "nova", PLAN).started is not None  # now, by default


@pytest.mark.parametrize(
    ("entries", "why"),
    [
        ([{"s": 0, "e": 10}, {"s": 0, "e": 10}], r"linha 3 de .*: a faixa \[0, 10\) repete índices já confirmados"),
        ([{"s": 0, "e": 10}, {"s": 5, "e": 15}], r"linha 3 de .*: a faixa \[5, 15\) repete"),
        ([{"s": 90, "e": 110}], r"linha 2 de .*: faixa \[90, 110\) fora do plano de 100 índices"),
        ([{"s": -5, "e": 5}], r"linha 2 de .*: faixa \[-5, 5\) fora do plano"),
        ([{"s": 10, "e": 5}], r"linha 2 de .*: faixa \[10, 5\) fora do plano"),
        ([{"s": 0, "e": 50, "n": 1}], r"linha 2 de .*: 50 índices confirmados com 1 respostas contadas"),
    ],
    ids=["duplicada", "sobreposta", "além-do-fim", "negativa", "invertida", "sem-respostas"],
)
def test_a_damaged_journal_is_refused_naming_file_and_line_never_counted(
    tmp_path: Path, entries: list[dict[str, int]], why: str
) -> None:
    lines = [{"s": e["s"], "e": e["e"], "t": _tally(e.get("n", max(e["e"] - e["s"], 0))).to_dict()} for e in entries]
    _lines(tmp_path, *lines)
    with pytest.raises(JournalError, match=why) as refused:
        Journal.resume(tmp_path, PLAN)
    assert str(tmp_path / NAME) in str(refused.value) and "não pode ser retomado" in str(refused.value)


def test_a_summary_line_overlapping_a_later_slice_is_refused(tmp_path: Path) -> None:
    _lines(tmp_path, {"resumo": {"faixas": [[0, 20]], "t": _tally(20).to_dict()}},
           {"s": 10, "e": 30, "t": _tally(20).to_dict()})  # fmt: skip
    with pytest.raises(JournalError, match=r"linha 3 .* repete índices"):
        Journal.resume(tmp_path, PLAN)


def test_a_new_burst_keeps_an_interrupted_burst_journal_aside_and_it_can_be_resumed_there(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, PLAN, started="2026-12-02T05:03:57+00:00")
    journal.confirm(Slice(0, 40), _tally(40))
    journal.close()
    (tmp_path / "partida.json").write_text('{"primeiro_inicio": "2026-12-02T05:03:57+00:00"}', encoding="utf-8")
    kept = keep_interrupted(tmp_path, datetime(2026, 12, 2, 5, 10, tzinfo=UTC))
    assert kept == (tmp_path / "rajada-interrompida-20261202-051000" / NAME, 40, 100)
    assert not (tmp_path / NAME).exists() and not (tmp_path / "partida.json").exists()
    assert (kept[0].parent / "partida.json").exists()  # the burst's own record of its start goes with it
    Journal.create(tmp_path, {**PLAN, "clientes": 5}).close()  # the new burst
    _, done, total = Journal.resume(kept[0].parent, PLAN)
    assert done == [Slice(0, 40)] and total.sent == 40
    assert first_start(kept[0].parent) == "2026-12-02T05:03:57+00:00"


def test_a_finished_journal_is_simply_replaced_and_a_damaged_one_is_kept(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, PLAN)
    journal.confirm(Slice(0, 100), _tally(100))
    journal.close()
    assert keep_interrupted(tmp_path) is None and (tmp_path / NAME).exists()
    (tmp_path / NAME).write_text("lixo\n", encoding="utf-8")
    kept = keep_interrupted(tmp_path)
    assert kept is not None and kept[0].read_text(encoding="utf-8") == "lixo\n"
    assert keep_interrupted(tmp_path) is None  # nothing left to keep


def test_a_second_burst_in_the_same_report_folder_is_refused_while_the_first_holds_it(tmp_path: Path) -> None:
    held = lock_folder(tmp_path / "carga")
    try:
        with pytest.raises(JournalError, match="outra rajada está rodando com a pasta do resultado"):
            lock_folder(tmp_path / "carga")
    finally:
        os.close(held)
    os.close(lock_folder(tmp_path / "carga"))  # free again once the first is gone
    assert list((tmp_path / "carga").iterdir()) == []  # no lock file left behind


def test_a_report_dir_that_is_a_file_is_one_portuguese_line(tmp_path: Path) -> None:
    (tmp_path / "arquivo").write_text("", encoding="utf-8")
    with pytest.raises(JournalError, match="é um arquivo, não uma pasta"):
        lock_folder(tmp_path / "arquivo")
