"""One run's evidence as a report sees it: the run's own record, its own results, and the load run bound to it.

A report describes exactly one ``pytest suites`` run (:mod:`homologa.runs`): what the run recorded while it ran —
target, options, selection, verdict — never what ``homologacao.toml`` says today. Results that carry another run's
``execucao`` label (a shared ``--alluredir``) are left out. A load run is attached only when it is the run's own
(``pytest suites --with-load`` writes into the run folder) or when its ``resultado.json`` names the same target
identity (:func:`homologa.target.target_identity`); otherwise the report says why it was not attached. A folder whose
files are not of one finished burst (:func:`homologa.report.burst.inconsistency`: a journal without a result, of
another plan, or changed after the result) is refused when named (``--carga``) and left out, with the reason, when it
is only the shared default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homologa.burst_files import RESULT
from homologa.report import burst
from homologa.report.results import Results, ResultsError, read_results
from homologa.runs import RUN_LABEL, Run, RunError, base_dir, find_run

LOAD_RESULT = RESULT  # a load folder is one with a burst's result


class EvidenceError(Exception):
    """The run's evidence cannot be used as asked; the message is pt-BR."""


@dataclass(frozen=True)
class LoadBinding:
    """The load folder attached to the report (or None) and a pt-BR line saying why."""

    folder: Path | None
    note: str


def choose_run(ref: str | None, base: Path | None = None) -> Run:
    """The run named by ``ref`` (id, id prefix or folder), else the latest finished one."""
    try:
        return find_run(base or base_dir(), ref)
    except RunError as exc:
        raise EvidenceError(str(exc)) from None


def own_results(run: Run) -> tuple[Results, int]:
    """The run's results (only those labelled with its id) and how many other results were left out."""
    results = read_results(run.results_dir)
    mine = tuple(t for t in results.tests if t.label(RUN_LABEL) == run.id)
    if not mine:
        raise ResultsError(
            f"nenhum resultado da execução {run.id} em {run.results_dir} "
            f"({len(results.tests)} resultado(s) de outras execuções ignorados)"
        )
    return Results(results.folder, mine, results.environment), len(results.tests) - len(mine)


def load_identity(folder: Path) -> dict[str, Any] | None:
    """What ``resultado.json`` says of its target (None when there is no readable result)."""
    try:
        data = json.loads((folder / LOAD_RESULT).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _other_contract(run: Run, data: dict[str, Any]) -> str | None:
    """Why a burst in another contract pack than the run's cannot stand for this run's R6, or ``None``."""
    found, recorded = data.get("contrato"), run.record.get("contrato")
    theirs: dict[str, Any] = found if isinstance(found, dict) else {}
    ours: dict[str, Any] = recorded if isinstance(recorded, dict) else {}
    a, b = theirs.get("sha256"), ours.get("sha256")
    if a and b and a != b:
        return (
            f"a carga falou outro pacote de contrato ({theirs.get('nome', '?')}, SHA-256 {str(a)[:12]}) que esta "
            f"execução ({ours.get('nome', '?')}, SHA-256 {str(b)[:12]}): rode a rajada com o mesmo --contract"
        )
    return None


def bind_load(run: Run, explicit: Path | None, shared: Path | None) -> LoadBinding:
    """The load evidence for this run: its own ``carga/`` first; else ``explicit`` or ``shared``, same target only.

    An explicitly named folder about another target is refused (an error); the shared default is then only left
    out, with the reason.
    """
    if explicit is None and (run.load_dir / LOAD_RESULT).is_file():
        why = burst.inconsistency(run.load_dir)
        if why:
            raise EvidenceError(f"carga desta execução ({run.load_dir}) não anexada: {why}")
        return LoadBinding(run.load_dir, f"carga desta execução ({run.load_dir})")
    folder = explicit or shared
    if folder is None or not (folder / LOAD_RESULT).is_file():
        why = burst.inconsistency(folder) if folder is not None else None
        if explicit is not None:
            raise EvidenceError(f"--carga {explicit}: " + (why or f"não há {LOAD_RESULT} nessa pasta"))
        if why:
            return LoadBinding(None, f"carga não anexada ({folder}): {why}")
        return LoadBinding(None, "a carga não fez parte desta execução")
    data = load_identity(folder)
    wanted = str((run.record.get("alvo") or {}).get("id") or "")
    found = str((data or {}).get("alvo_id") or "")
    if found and found == wanted:
        why = burst.inconsistency(folder) or _other_contract(run, data or {})
        if why is None:
            return LoadBinding(folder, f"carga de {folder} — mesmo alvo: {(data or {}).get('alvo', '?')}")
        if explicit is not None:
            raise EvidenceError(f"--carga {explicit}: {why}")
        return LoadBinding(None, f"carga não anexada ({folder}): {why}")
    if not found:
        why = f"{folder / LOAD_RESULT} não diz qual alvo recebeu a carga (gerado por versão anterior do homologa?)"
    else:
        why = (
            f"a carga em {folder} foi contra outro alvo ({(data or {}).get('alvo', '?')}), não o desta execução "
            f"({(run.record.get('alvo') or {}).get('url', '?')})"
        )
    if explicit is not None:
        raise EvidenceError(why)
    return LoadBinding(None, f"carga não anexada: {why}")
