"""The burst's durable journal: what --resume trusts (confirmed slices and their tallies, for one plan only),
bounded by compaction whatever the number of customers, and safe when a compaction is cut by a reboot."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from homologa.load.journal import NAME, PREVIOUS, Confirmed, Journal, JournalError, read_plan
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
    journal = Journal.create(tmp_path, {**PLAN, "clientes": 10_000_000})
    seen: list[tuple[int, int]] = []
    _burst(journal, 10_000_000, 500, in_flight=100, seen=seen)  # 20 000 confirmations, 100 slices in flight
    journal.close()
    assert max(size for size, _ in seen) < 1_000_000  # ~20 MB without compaction
    assert max(ranges for _, ranges in seen) <= 100  # the holes of the slices in flight, never one per slice
    assert journal.compactions >= 19 and not (tmp_path / PREVIOUS).exists()
    resumed, done, total = Journal.resume(tmp_path, {**PLAN, "clientes": 10_000_000})
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
    journal = Journal.create(tmp_path, PLAN, compact_every=2)
    for start in range(0, 100, 10):  # ten confirmations, no sync: five compactions before any fsync
        journal.confirm(Slice(start, start + 10), _tally(10))
    assert journal.compactions == 5 and (tmp_path / NAME).stat().st_size < 2000
    assert not (tmp_path / (NAME + ".novo")).exists()
    _, done, total = Journal.resume(tmp_path, PLAN)  # killed now: the current file is whole
    assert done == [Slice(0, 100)] and total.sent == 100


def test_after_a_reboot_that_lost_every_unsynced_compaction_the_durable_file_is_resumed(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, PLAN, compact_every=2)
    for start in range(0, 100, 10):
        journal.confirm(Slice(start, start + 10), _tally(10))
    (tmp_path / NAME).unlink()  # never reached the disk
    _, done, total = Journal.resume(tmp_path, PLAN)
    assert done == [Slice(0, 20)] and total.sent == 20  # the state of the file before the first compaction
