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
million customers; ``--resume`` starts from a compacted file too.

**Trusted only when whole and of the same burst.** The plan holds what decides which message each index is and
what the burst is judged against (contract pack by content, shape, p95 budget, accepted failure ratio, collapse
settings): ``--resume`` with anything else is refused (:func:`verify`), so a failed burst cannot be re-judged with
looser limits. The header also keeps the burst's first start (``inicio``: :attr:`Journal.started`,
:func:`first_start`). Slices outside the plan, overlapping ones, or a tally that does not count one answer per
index are refused with the file and line (:func:`inspect`), never counted; a burst with nothing left to send is
not resumed. A new burst never destroys an interrupted one's journal: :func:`keep_interrupted` moves it to a
folder of its own, from where ``--resume`` continues it. :func:`lock_folder` keeps a second burst out of a report
folder in use. Pure: no locust.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from homologa.burst_files import JOURNAL, PLAN_LABELS, RESULT, START
from homologa.load.plan import PlanShape, Slice
from homologa.load.tally import Tally
from homologa.oserrors import why

NAME = JOURNAL
PREVIOUS = NAME + ".anterior"  # the file before the last compaction, until the new one is durable
TEMPORARY = NAME + ".novo"  # a compacted file being written, renamed to NAME when whole
INTERRUPTED = "rajada-interrompida-"  # + UTC timestamp: the folder an interrupted burst's journal is moved to
COMPANIONS = (START,)  # files of the journal's burst that move with it
# 3: the plan holds the contract pack and the limits, the header the first start; 2: a summary line may follow the
# plan; version 1 and 2 journals are still resumed (their missing plan entries are shown as such and refused)
VERSION = 3
READABLE = (1, 2, 3)
COMPACT_EVERY = 1000  # confirmations between two compactions: ~0.5 MB of lines at most
# the plan entries a resumed burst must share with the journal, and how a refusal names them
LABELS = PLAN_LABELS  # the plan entry's keys and their pt-BR labels (homologa.burst_files)
TARGET = "alvo"  # the masked target (homologa.secrets.mask_url), shown instead of alvo_id; never compared
CONTRACT_NAME = "contrato_nome"  # the pack's name, shown with its hash; never compared


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

    def overlaps(self, start: int, stop: int) -> bool:
        """Does ``[start, stop)`` share an index with the set (touching is not sharing)?"""
        i = bisect_right(self._starts, start)
        if i and self._stops[i - 1] > start:
            return True
        return i < len(self._starts) and self._starts[i] < stop

    def slices(self) -> list[Slice]:
        return [Slice(a, b) for a, b in zip(self._starts, self._stops, strict=True)]

    def __len__(self) -> int:
        """How many ranges (not indices)."""
        return len(self._starts)

    @property
    def indices(self) -> int:
        return sum(b - a for a, b in zip(self._starts, self._stops, strict=True))


def _header(raw: bytes, path: Path) -> dict[str, Any]:
    """The whole first line: ``diario`` (version), ``plano`` and ``inicio`` (the burst's first start, from v3)."""
    try:
        header = json.loads(raw)
        plan = header["plano"]
        if header.get("diario") not in READABLE or not isinstance(plan, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise JournalError(f"--resume: {path} não é um diário de rajada do homologa") from None
    return dict(header)


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


def read_header(folder: Path) -> dict[str, Any]:
    """The first line of ``folder``'s journal: ``plano``, ``inicio`` (first start, ISO 8601 UTC), ``diario``."""
    path = _trusted(folder)
    try:
        with path.open("rb") as handle:
            first = handle.readline()
    except FileNotFoundError:
        shown = folder / NAME
        raise JournalError(f"--resume: não há diário de rajada em {shown} (rode sem --resume para começar)") from None
    except OSError as exc:
        raise JournalError(f"--resume: não foi possível ler {path}: {why(exc)}") from None
    return _header(first, path)


def read_plan(folder: Path) -> dict[str, Any]:
    """The plan in ``folder``'s journal (its first line)."""
    plan: dict[str, Any] = read_header(folder)["plano"]
    return plan


def first_start(folder: Path) -> str | None:
    """When the burst of ``folder``'s journal first started (ISO 8601 UTC), kept across ``--resume``; None for a
    journal written before version 3 or when there is no readable journal."""
    try:
        started = read_header(folder).get("inicio")
    except JournalError:
        return None
    return started if isinstance(started, str) else None


def _shown(key: str, plan: dict[str, Any]) -> str:
    """One side of a difference, for a person: the masked target, the pack's name, never a secret."""
    if key not in plan:
        return "(não registrado: diário de uma versão anterior do homologa)"
    if key == "alvo_id":
        target = plan.get(TARGET)
        return repr(target) if isinstance(target, str) else f"(identificação {plan[key]!r})"
    if key == "contrato" and isinstance(plan.get(CONTRACT_NAME), str):
        return f"{plan[CONTRACT_NAME]!r} (sha256 {str(plan[key])[:12]})"
    return repr(plan[key])


def verify(folder: Path, plan: dict[str, Any]) -> None:
    """``folder``'s journal exists and is of ``plan`` (else a :class:`JournalError` saying what differs)."""
    recorded = read_plan(folder)
    differences = []
    for key, label in LABELS.items():
        if recorded.get(key) == plan.get(key) and (key in recorded) == (key in plan):
            continue
        mine, theirs = _shown(key, recorded), _shown(key, plan)
        if key == "alvo_id" and mine == theirs:
            theirs += " (mesmo endereço, com outra credencial ou outro parâmetro)"
        differences.append(f"{label}: diário {mine}, agora {theirs}")
    if differences:
        raise JournalError(
            "--resume: o diário é de outra rajada (" + "; ".join(differences) + "); rode o mesmo comando da"
            " rajada interrompida, ou sem --resume para começar outra"
        )


def _total(plan: dict[str, Any], path: Path) -> int:
    """How many indices the plan has (customers + re-sends)."""
    try:
        return PlanShape(int(plan["clientes"]), float(plan.get("reenvios", 0.0))).total
    except (KeyError, TypeError, ValueError):
        raise JournalError(f"--resume: {path} não é um diário de rajada do homologa") from None


@dataclass
class Resumable:
    """What :func:`inspect` found in a journal that can be resumed."""

    path: Path  # the file read (diario.jsonl, or the previous one after a cut compaction)
    header: dict[str, Any]
    confirmed: Confirmed
    tally: Tally
    total: int  # indices in the plan

    @property
    def started(self) -> str | None:
        started = self.header.get("inicio")
        return started if isinstance(started, str) else None

    @property
    def finished(self) -> bool:
        return self.confirmed.indices >= self.total


def _corrupt(path: Path, number: int, why: str) -> JournalError:
    return JournalError(
        f"--resume: linha {number} de {path}: {why}; o diário foi alterado ou misturado com o de outra rajada e não"
        " pode ser retomado (rode sem --resume para começar outra rajada)"
    )


def _add(confirmed: Confirmed, a: Any, b: Any, total: int, *, path: Path, number: int) -> Slice:
    start, stop = int(a), int(b)
    if not 0 <= start < stop <= total:
        raise _corrupt(path, number, f"faixa [{start}, {stop}) fora do plano de {total} índices (0 a {total - 1})")
    if confirmed.overlaps(start, stop):
        raise _corrupt(path, number, f"a faixa [{start}, {stop}) repete índices já confirmados")
    done = Slice(start, stop)
    confirmed.add(done)
    return done


def _read(path: Path, total: int) -> tuple[Confirmed, Tally]:
    """The confirmed ranges and their tally in ``path``, every line checked (see :func:`inspect`)."""
    confirmed = Confirmed()
    merged = Tally()
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                break  # cut by the interruption: dropped
            if number == 1:
                continue
            try:
                entry = json.loads(raw)
                if "resumo" in entry:
                    pairs = [(a, b) for a, b in entry["resumo"]["faixas"]]
                    tally = Tally.from_dict(entry["resumo"]["t"])
                else:
                    pairs = [(entry["s"], entry["e"])]
                    tally = Tally.from_dict(entry["t"])
                for a, b in pairs:
                    int(a), int(b)
            except (ValueError, KeyError, TypeError, AttributeError):
                raise JournalError(f"--resume: linha {number} de {path} ilegível") from None
            size = 0
            for a, b in pairs:
                size += len(_add(confirmed, a, b, total, path=path, number=number))
            if tally.sent != size:
                raise _corrupt(path, number, f"{size} índices confirmados com {tally.sent} respostas contadas")
            merged.merge(tally)
    return confirmed, merged


def load(folder: Path, plan: dict[str, Any]) -> Resumable:
    """``folder``'s journal, read without changing anything: of ``plan`` (:func:`verify`), every slice inside the plan
    and confirmed once with one answer per index (else a :class:`JournalError` naming the file and line)."""
    verify(folder, plan)
    path = _trusted(folder)
    header = read_header(folder)
    total = _total(header["plano"], path)
    confirmed, tally = _read(path, total)
    return Resumable(path, header, confirmed, tally, total)


def inspect(folder: Path, plan: dict[str, Any]) -> Resumable:
    """:func:`load`, and something left to send: what ``--resume`` checks before touching anything."""
    found = load(folder, plan)
    total = found.total
    if found.finished:
        raise JournalError(
            f"--resume: a rajada já terminou ({total} de {total} clientes respondidos): nada a retomar; o resultado"
            f" está em {folder / RESULT} (rode sem --resume para começar outra rajada)"
        )
    return found


def keep_interrupted(folder: Path, now: datetime | None = None) -> tuple[Path, int, int] | None:
    """Before a new burst in ``folder``: move the journal of an interrupted one (not every index confirmed, or not
    readable) to a folder of its own, ``rajada-interrompida-<UTC time>/diario.jsonl``, where ``--report-dir`` that
    folder ``--resume`` continues it. Returns (moved journal, confirmed, planned), or None when there was nothing to
    keep (no journal, or a finished burst's)."""
    current, previous = folder / NAME, folder / PREVIOUS
    if not current.exists() and not previous.exists():
        return None
    path = _trusted(folder)
    done = planned = 0
    try:
        with path.open("rb") as handle:
            header = _header(handle.readline(), path)
        planned = _total(header["plano"], path)
        confirmed, _ = _read(path, planned)
        done = confirmed.indices
        if done >= planned:
            return None
    except (JournalError, OSError):
        pass  # unreadable or damaged: kept too, never destroyed silently
    stamp = (now or datetime.now(tz=UTC)).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{INTERRUPTED}{stamp}"
    suffix = 1
    while target.exists():
        suffix += 1
        target = folder / f"{INTERRUPTED}{stamp}-{suffix}"
    target.mkdir()
    os.replace(path, target / NAME)
    for companion in COMPANIONS:
        if (folder / companion).is_file():
            os.replace(folder / companion, target / companion)
    for leftover in (current, previous, folder / TEMPORARY):
        leftover.unlink(missing_ok=True)
    _fsync_folder(target)
    _fsync_folder(folder)
    return target / NAME, done, planned


def lock_folder(folder: Path) -> int:
    """Create ``folder`` if needed, check that files can be written in it, and take its lock for this process
    (``flock`` on the folder itself: no file left behind; released when the process ends, ``kill -9`` included).
    Returns the descriptor to keep open; a :class:`JournalError` when another burst holds it or the folder cannot
    be written."""
    import fcntl

    shown = f"a pasta do resultado (--report-dir {folder})"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise JournalError(f"--report-dir {folder} é um arquivo, não uma pasta: escolha uma pasta") from None
    except OSError as exc:
        raise JournalError(f"não foi possível criar {shown}: {why(exc)}") from None
    probe = folder / f".homologa-gravacao-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise JournalError(f"{shown} não aceita gravação ({why(exc)}): escolha outra com --report-dir") from None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise JournalError(
            f"outra rajada está rodando com {shown}: espere ela terminar ou escolha outra pasta com --report-dir"
        ) from None
    return fd


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
        *,
        started: str | None = None,
    ) -> None:
        self.path = folder / NAME
        self.previous = folder / PREVIOUS
        self.plan = plan
        self.started = started  # the burst's first start (ISO 8601 UTC), kept across --resume
        self.confirmed = confirmed or Confirmed()  # every slice confirmed so far, as ranges
        self.tally = tally or Tally()  # their merged tally
        self.compact_every = max(1, compact_every)
        self.compactions = 0
        self._since = 0  # confirmations written since the last summary
        self._file: _File | None = None

    @property
    def header(self) -> dict[str, Any]:
        return {"diario": VERSION, "plano": self.plan, "inicio": self.started}

    @classmethod
    def create(
        cls, folder: Path, plan: dict[str, Any], compact_every: int = COMPACT_EVERY, started: str | None = None
    ) -> Journal:
        """A new burst's journal (``started``: now by default). An interrupted burst's journal in ``folder`` is
        replaced: move it first with :func:`keep_interrupted`."""
        folder.mkdir(parents=True, exist_ok=True)
        when = started or datetime.now(tz=UTC).isoformat(timespec="seconds")
        journal = cls(folder, plan, compact_every=compact_every, started=when)
        journal.previous.unlink(missing_ok=True)  # an earlier burst's
        journal._file = _File(journal.path.open("w", encoding="utf-8"))
        journal._write(journal.header)
        journal.sync()
        return journal

    @classmethod
    def resume(
        cls, folder: Path, plan: dict[str, Any], compact_every: int = COMPACT_EVERY
    ) -> tuple[Journal, list[Slice], Tally]:
        """Open ``folder``'s journal for ``plan``: (journal, confirmed slices as disjoint ranges, their tally).

        Checked first (:func:`inspect`: same plan, whole, something left). The journal goes on in a compacted file
        (plan + summary), so a resumed burst starts small too; its first start stays."""
        found = inspect(folder, plan)
        journal = cls(folder, plan, found.confirmed, found.tally, compact_every, started=found.started)
        if found.path == journal.path:
            journal.previous.unlink(missing_ok=True)  # superseded by the current file's summary
            os.replace(journal.path, journal.previous)
        journal._start_file([])  # PREVIOUS, the file just read, stays until the new one is durable
        journal.sync()
        journal._settle()
        return journal, found.confirmed.slices(), Tally.from_dict(found.tally.to_dict())

    def _start_file(self, older: list[IO[str]]) -> None:
        """A new current file: the plan and the summary of everything confirmed so far, written under a temporary
        name and renamed, so ``diario.jsonl`` is never a file cut before its summary (``kill -9`` included)."""
        temporary = self.path.with_name(TEMPORARY)
        self._file = _File(temporary.open("w", encoding="utf-8"), retiring=True, older=older)
        self._write(self.header)
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
