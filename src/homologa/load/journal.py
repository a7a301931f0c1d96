"""The burst's durable journal (``diario.jsonl`` in the report folder): what ``--resume`` trusts.

Line 1 is the plan (target identity, CEP ranges, customers, re-send share, seed, first index, replay); every other
line is one **confirmed** slice — its ``[start, stop)`` and the tally of its answers — written and flushed to the
operating system when the master receives the confirmation (so it survives Ctrl+C and ``kill -9``), and
``fsync``-ed by :meth:`Journal.sync`, which the master runs off its event loop at least once a second (a blocking
``fsync`` inside the gevent loop would freeze the master, heartbeats included, whenever the disk is slow); a
reboot can lose at most the last second of confirmations, which are then sent again as retries. A burst
interrupted in any way (Ctrl+C, ``kill -9``, a reboot, its last worker lost) leaves the slices whose answers were
counted; ``--resume``
sends everything else again with the same indices (the same IdMensagem: for the ERP, retries of what it may have
received, B1) and starts its tally from the journal's, so the final tally covers the whole burst once.

A line cut by the interruption (the last one, without its newline) is dropped and overwritten. Size: one line of
at most ~1 KB per slice (``--chunk``, 500 by default): about 20 MB for 10 million customers. Pure: no locust.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from homologa.load.plan import Slice
from homologa.load.tally import Tally

NAME = "diario.jsonl"
VERSION = 1
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


def read_plan(folder: Path) -> dict[str, Any]:
    """The plan in ``folder``'s journal (its first line)."""
    path = folder / NAME
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
    except FileNotFoundError:
        raise JournalError(f"--resume: não há diário de rajada em {path} (rode sem --resume para começar)") from None
    except OSError as exc:
        raise JournalError(f"--resume: não foi possível ler {path}: {exc.strerror}") from None
    try:
        header = json.loads(first)
        plan = header["plano"]
        if header.get("diario") != VERSION or not isinstance(plan, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise JournalError(f"--resume: {path} não é um diário de rajada do homologa") from None
    return plan


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


class Journal:
    """Appends confirmed slices, durably."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle = handle
        self._fd = handle.fileno()
        self._written = 0  # lines written ...
        self._synced = 0  # ... and known to be on disk

    @classmethod
    def create(cls, folder: Path, plan: dict[str, Any]) -> Journal:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / NAME
        handle = path.open("w", encoding="utf-8")
        journal = cls(path, handle)
        journal._write({"diario": VERSION, "plano": plan})
        journal.sync()
        return journal

    @classmethod
    def resume(cls, folder: Path, plan: dict[str, Any]) -> tuple[Journal, list[Slice], Tally]:
        """Open ``folder``'s journal for ``plan``: (journal, confirmed slices, their tally)."""
        verify(folder, plan)
        path = folder / NAME
        done: list[Slice] = []
        total = Tally()
        keep = 0  # bytes of whole, valid lines
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    break  # cut by the interruption: dropped
                if number > 1:
                    try:
                        entry = json.loads(raw)
                        done.append(Slice(int(entry["s"]), int(entry["e"])))
                        total.merge(Tally.from_dict(entry["t"]))
                    except (ValueError, KeyError, TypeError):
                        raise JournalError(f"--resume: linha {number} de {path} ilegível") from None
                keep += len(raw)
        handle_w = path.open("r+", encoding="utf-8")
        handle_w.truncate(keep)
        handle_w.seek(keep)
        return cls(path, handle_w), done, total

    def confirm(self, done: Slice, tally: Tally) -> None:
        self._write({"s": done.start, "e": done.stop, "t": tally.to_dict()})

    def _write(self, data: dict[str, Any]) -> None:
        self._handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._handle.flush()  # in the OS now: survives the process being killed
        self._written += 1

    def sync(self) -> None:
        """Make every written line durable (``fsync``); may run in another OS thread than :meth:`confirm`."""
        written = self._written
        if written != self._synced and not self._handle.closed:
            os.fsync(self._fd)
            self._synced = written

    def close(self) -> None:
        if not self._handle.closed:
            self.sync()
            self._handle.close()
