"""The burst's durable journal: what --resume trusts (confirmed slices and their tallies, for one plan only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from homologa.load.journal import NAME, Journal, JournalError, read_plan
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
    assert done == [Slice(0, 10), Slice(20, 25), Slice(10, 20)] and total.sent == 25
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
