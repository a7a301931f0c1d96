"""The burst's durable journal (``diario.jsonl`` in the report folder): what ``--resume`` trusts.

Line 1 is the plan (target identity, CEP ranges, customers, re-send share, seed, first index, replay); every other
line is one **confirmed** slice — its ``[start, stop)`` and the tally of its answers — written and flushed to the
operating system when the master receives the confirmation (so it survives Ctrl+C and ``kill -9``), and
``fsync``-ed by :meth:`Journal.sync`, which the master runs off its event loop at least once a second (a blocking
``fsync`` inside the gevent loop would freeze the master, heartbeats included, whenever the disk is slow); a
reboot can lose at most the last second of confirmations, which are then sent again as retries. A burst
interrupted in any way (Ctrl+C, ``kill -9``, a reboot, its last worker lost) leaves the slices whose answers were
counted; ``--resume`` sends everything else again with the same indices (the same IdMensagem: for the ERP, retries
of what it may have received, B1) and starts its tally from the journal's, so the final tally covers the whole
burst once. A line cut by the interruption (the last one, without its newline) is dropped and overwritten.

**Bounded.** Every ``compact_every`` confirmations (:data:`COMPACT_EVERY`) the journal starts a new file: the plan,
then one *summary* line — the confirmed slices as disjoint ranges (:class:`Confirmed`: slices are handed out in
order, so the ranges are as many as the holes left by slices still in flight, a few per worker) and their merged
tally (bounded: :class:`~homologa.load.tally.Tally`) — then the next confirmations. The old file is renamed
``diario.jsonl.anterior`` and kept until the new one is on disk (``fsync`` of the file and of the folder, in
:meth:`Journal.sync`, off the loop); ``--resume`` reads the new file when its summary line is whole, else the old
one. So the file stays under ~1 MB and the master holds only the ranges and one tally, for 10 thousand or 10
million customers; ``--resume`` starts from a compacted file too. Pure: no locust.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from homologa.load.plan import Slice
from homologa.load.tally import Tally

NAME = "diario.jsonl"
PREVIOUS = NAME + ".anterior"  # the file before the last compaction, until the new one is durable
VERSION = 2  # 2: a summary line may follow the plan; version 1 journals (no summary) are still resumed
READABLE = (1, 2)
COMPACT_EVERY = 1000  # confirmations between two compactions: ~0.5 MB of lines at most
LABELS = {
    "alvo_id": "alvo",
    "faixas_cep": "faixas de CEP",
    "clientes": "clientes",
    "reenvios": "fração de reenvios",
    "semente": "semente",
    "primeiro_indice": "índice inicial",
    "repeticao": "repetição (--replay)",
}


class JournalError(ValueError):
    """The journal cannot be resumed (missing, unreadable, another plan): a pt-BR message, exit 2."""


class Confirmed:
    """A set of indices kept as sorted, disjoint, non-touching ``[start, stop)`` ranges."""

    def __init__(self, slices: list[Slice] | None = None) -> None:
        self._starts: list[int] = []
        self._stops: list[int] = []
        for s in slices or ():
            self.add(s)

    def add(self, s: Slice) -> None:
        start, stop = s.start, s.stop
        if start >= stop:
            return
        starts, stops = self._starts, self._stops
        lo = hi = bisect_right(starts, start)
        if lo and stops[lo - 1] >= start:  # touches or overlaps the range on its left
            lo -= 1
            start = starts[lo]
            stop = max(stop, stops[lo])
        while hi < len(starts) and starts[hi] <= stop:  # swallows the ranges it reaches on its right
            stop = max(stop, stops[hi])
            hi += 1
        starts[lo:hi] = [start]
        stops[lo:hi] = [stop]

    def slices(self) -> list[Slice]:
        return [Slice(a, b) for a, b in zip(self._starts, self._stops, strict=True)]

    def __len__(self) -> int:
        """How many ranges (not indices)."""
        return len(self._starts)

    @property
    def indices(self) -> int:
        return sum(b - a for a, b in zip(self._starts, self._stops, strict=True))


def _header(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        header = json.loads(raw)
        plan = header["plano"]
        if header.get("diario") not in READABLE or not isinstance(plan, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise JournalError(f"--resume: {path} não é um diário de rajada do homologa") from None
    return plan


def _summary(raw: bytes) -> dict[str, Any] | None:
    """The summary line's content, or None when ``raw`` is not a whole, valid one."""
    if not raw.endswith(b"\n"):
        return None
    try:
        entry = json.loads(raw)
        summary = entry["resumo"]
        for a, b in summary["faixas"]:
            Slice(int(a), int(b))
        Tally.from_dict(summary["t"])
    except (ValueError, KeyError, TypeError):
        return None
    return summary if isinstance(summary, dict) else None


def _trusted(folder: Path) -> Path:
    """The file ``--resume`` reads: the current one, unless a compaction was cut before it reached the disk."""
    current, previous = folder / NAME, folder / PREVIOUS
    if not previous.exists():
        return current
    try:
        with current.open("rb") as handle:
            handle.readline()
            if _summary(handle.readline()) is not None:
                return current
    except OSError:
        pass
    return previous


def read_plan(folder: Path) -> dict[str, Any]:
    """The plan in ``folder``'s journal (its first line)."""
    path = _trusted(folder)
    try:
        with path.open("rb") as handle:
            first = handle.readline()
    except FileNotFoundError:
        shown = folder / NAME
        raise JournalError(f"--resume: não há diário de rajada em {shown} (rode sem --resume para começar)") from None
    except OSError as exc:
        raise JournalError(f"--resume: não foi possível ler {path}: {exc.strerror}") from None
    return _header(first, path)


def verify(folder: Path, plan: dict[str, Any]) -> None:
    """``folder``'s journal exists and is of ``plan`` (else a :class:`JournalError` saying what differs)."""
    recorded = read_plan(folder)
    differences = [
        f"{label}: diário {recorded.get(key)!r}, agora {plan.get(key)!r}"
        for key, label in LABELS.items()
        if recorded.get(key) != plan.get(key)
    ]
    if differences:
        raise JournalError(
            "--resume: o diário é de outra rajada (" + "; ".join(differences) + "); rode o mesmo comando da"
            " rajada interrompida, ou sem --resume para começar outra"
        )


def _fsync_folder(folder: Path) -> None:
    """Make the folder's entries (a new file, a rename) durable; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder: the data itself is synced
    finally:
        os.close(fd)


@dataclass(eq=False)
class _File:
    """One file of the journal: written by the loop, synced by :meth:`Journal.sync` (maybe in another thread)."""

    handle: IO[str]
    written: int = 0  # lines written ...
    synced: int = 0  # ... and known to be on disk
    retiring: bool = False  # PREVIOUS is the fallback until this file (plan + summary) is on disk
    durable: bool = False  # set by sync(): this file and its name are on disk; the loop then drops PREVIOUS
    older: list[IO[str]] = field(default_factory=list)  # handles of replaced files, closed by the loop once durable
    fd: int = field(init=False)

    def __post_init__(self) -> None:
        self.fd = self.handle.fileno()


class Journal:
    """Appends confirmed slices durably, and compacts them (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        plan: dict[str, Any],
        confirmed: Confirmed | None = None,
        tally: Tally | None = None,
        compact_every: int = COMPACT_EVERY,
    ) -> None:
        self.path = folder / NAME
        self.previous = folder / PREVIOUS
        self.plan = plan
        self.confirmed = confirmed or Confirmed()  # every slice confirmed so far, as ranges
        self.tally = tally or Tally()  # their merged tally
        self.compact_every = max(1, compact_every)
        self.compactions = 0
        self._since = 0  # confirmations written since the last summary
        self._file: _File | None = None

    @classmethod
    def create(cls, folder: Path, plan: dict[str, Any], compact_every: int = COMPACT_EVERY) -> Journal:
        folder.mkdir(parents=True, exist_ok=True)
        journal = cls(folder, plan, compact_every=compact_every)
        journal.previous.unlink(missing_ok=True)  # an earlier burst's
        journal._file = _File(journal.path.open("w", encoding="utf-8"))
        journal._write({"diario": VERSION, "plano": plan})
        journal.sync()
        return journal

    @classmethod
    def resume(
        cls, folder: Path, plan: dict[str, Any], compact_every: int = COMPACT_EVERY
    ) -> tuple[Journal, list[Slice], Tally]:
        """Open ``folder``'s journal for ``plan``: (journal, confirmed slices as disjoint ranges, their tally).

        The journal goes on in a compacted file (plan + summary), so a resumed burst starts small too."""
        verify(folder, plan)
        path = _trusted(folder)
        confirmed = Confirmed()
        total = Tally()
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    break  # cut by the interruption: dropped
                if number == 1:
                    continue
                try:
                    entry = json.loads(raw)
                    if "resumo" in entry:
                        for a, b in entry["resumo"]["faixas"]:
                            confirmed.add(Slice(int(a), int(b)))
                        total.merge(Tally.from_dict(entry["resumo"]["t"]))
                    else:
                        confirmed.add(Slice(int(entry["s"]), int(entry["e"])))
                        total.merge(Tally.from_dict(entry["t"]))
                except (ValueError, KeyError, TypeError):
                    raise JournalError(f"--resume: linha {number} de {path} ilegível") from None
        journal = cls(folder, plan, confirmed, total, compact_every)
        if path == journal.path:
            journal.previous.unlink(missing_ok=True)  # superseded by the current file's summary
            os.replace(journal.path, journal.previous)
        journal._start_file([])  # PREVIOUS, the file just read, stays until the new one is durable
        journal.sync()
        journal._settle()
        return journal, confirmed.slices(), Tally.from_dict(total.to_dict())

    def _start_file(self, older: list[IO[str]]) -> None:
        """A new current file: the plan and the summary of everything confirmed so far, written under a temporary
        name and renamed, so ``diario.jsonl`` is never a file cut before its summary (``kill -9`` included)."""
        temporary = self.path.with_name(NAME + ".novo")
        self._file = _File(temporary.open("w", encoding="utf-8"), retiring=True, older=older)
        self._write({"diario": VERSION, "plano": self.plan})
        faixas = [[s.start, s.stop] for s in self.confirmed.slices()]
        self._write({"resumo": {"faixas": faixas, "t": self.tally.to_dict()}})
        os.replace(temporary, self.path)
        self._since = 0

    def _settle(self) -> None:
        """Loop: once the current file is durable (:meth:`sync` said so), drop PREVIOUS and the replaced files."""
        current = self._file
        if current is not None and current.retiring and current.durable:
            self.previous.unlink(missing_ok=True)
            for handle in current.older:
                handle.close()
            current.older.clear()
            current.retiring = False

    def compact(self) -> None:
        """Start a new, compacted file now. PREVIOUS keeps the last durable state: the current file becomes it, unless
        the last compaction is not on disk yet (then the current file is only replaced; PREVIOUS stays)."""
        current = self._file
        if current is None or current.handle.closed:
            return
        self._settle()
        if not current.retiring:
            os.replace(self.path, self.previous)  # the open handle follows the file
        self._start_file([*current.older, current.handle])
        self.compactions += 1

    def confirm(self, done: Slice, tally: Tally) -> None:
        self._settle()
        self.confirmed.add(done)
        self.tally.merge(tally)
        self._write({"s": done.start, "e": done.stop, "t": tally.to_dict()})
        self._since += 1
        if self._since >= self.compact_every:
            self.compact()

    def _write(self, data: dict[str, Any]) -> None:
        current = self._file
        assert current is not None
        current.handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        current.handle.flush()  # in the OS now: survives the process being killed
        current.written += 1

    def sync(self) -> None:
        """Make every written line durable (``fsync``), and a new file's name with it (``fsync`` of the folder). May run
        in another OS thread than the loop: it only syncs and sets flags; the loop alone renames and deletes."""
        current = self._file
        if current is None or current.handle.closed:
            return
        written = current.written
        if written != current.synced:
            os.fsync(current.fd)
            current.synced = written
        if current.retiring and not current.durable and current.synced >= 2:
            _fsync_folder(self.path.parent)
            current.durable = True

    def close(self) -> None:
        current = self._file
        if current is not None and not current.handle.closed:
            self.sync()
            self._settle()
            current.handle.close()
            for handle in current.older:
                handle.close()
