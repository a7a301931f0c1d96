"""The load run as evidence when it ran outside pytest (``locust -f loadtests/locustfile.py ...``).

Its outcome is then only in ``reports/carga/resultado.json``: this module turns it into one more Allure result, rule
R6 ("Carga do go-live"), passed or failed as the load run judged it, with the apuração and the Locust HTML report
attached. The same result is used for the verdict, the summary, the report (in the temporary copy of the results
given to Allure) and, from the package's ``carga/`` folder, by ``homologa verificar``: the load counts the same
everywhere.

R6 is judged from every burst the evidence holds: the run's own R6 test (``pytest suites --with-load``) and the
burst attached from a load folder (``--carga``, or ``reports/carga`` about the same target). The attached burst is
one more R6 result unless it *is* the run's test's burst (its ``resultado.json`` attached, byte for byte, to an R6
test): so a failed rehearsal can never hide behind a passing short burst. Only a complete go-live burst passes
(:func:`homologa.report.burst.r6_judgement`); a capacity search or a burst that did not answer every planned
customer is INCONCLUSIVO (skipped), a failed one REPROVADO. The summary's load figures are the attached burst's.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homologa.burst_files import RESULT, RESULT_TEXT
from homologa.report import burst
from homologa.report.results import Results, parse_result, read_results
from homologa.report.tally import LoadTally, attached_tally, file_tally

EPIC = "Contrato v1 — cadastro de clientes"
FEATURE = "R6 · Carga do go-live"
NAME = "Carga de go-live (apuração da rodada Locust)"
FULL_NAME = "homologa.carga#go-live"  # the synthetic result's fullName: not a scenario of the suite run
# files of reports/carga/ attached to the synthetic result: (file name, attachment name, MIME type)
ATTACHED_FILES = (
    (RESULT_TEXT, "apuração da carga", "text/plain"),
    (RESULT, RESULT, "application/json"),
    ("carga.html", "relatório do Locust", "text/html"),
)
# fixed identities: the same load output gives the same result
_NAMESPACE = uuid.UUID("6f2b1c1e-2d55-4c1e-9a0e-6f6d6f6c6f61")


@dataclass(frozen=True)
class Session:
    """What a homologation session's evidence says: the results (with the load result if added) and the tally."""

    results: Results
    tally: LoadTally | None
    load_result: dict[str, Any] | None = None  # Allure result JSON added for a load run outside pytest
    load_files: list[tuple[Path, str]] = field(default_factory=list)  # (file to copy, attachment source name)
    burst: dict[str, Any] | None = None  # the attached burst's resultado.json (which burst it was)
    load_problem: str | None = None  # why the packaged load folder does not hold one burst (verificar), if it does not


def load_result(
    tally: LoadTally, load_dir: Path, data: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[tuple[Path, str]]]:
    """The Allure result (JSON) standing for a load run, and the files to copy next to it as its attachments."""
    attachments = []
    files = []
    for file_name, label, mime in ATTACHED_FILES:
        path = load_dir / file_name
        if path.is_file():
            source = f"{uuid.uuid5(_NAMESPACE, file_name)}-attachment{path.suffix}"
            attachments.append({"name": label, "source": source, "type": mime})
            files.append((path, source))
    if data is None:
        data = {**tally.to_json(), "forma": None}
    status, message = burst.r6_judgement(data)
    which = "\n".join(f"{label}: {value}" for label, value in burst.facts(data))
    return (
        {
            "uuid": str(uuid.uuid5(_NAMESPACE, "carga")),
            "historyId": str(uuid.uuid5(_NAMESPACE, "carga-historico")),
            "name": NAME,
            "fullName": FULL_NAME,
            "status": status,
            "statusDetails": {"message": message},
            "description": f"Qual rajada:\n{which}",
            "stage": "finished",
            "labels": [
                {"name": "epic", "value": EPIC},
                {"name": "feature", "value": FEATURE},
                {"name": "severity", "value": "blocker"},
                {"name": "tag", "value": "R6"},
            ],
            "attachments": attachments,
        },
        files,
    )


def session(results_dir: Path, load_dir: Path | None) -> Session:
    """Read the results and the tally; add the load result when the load ran outside pytest and judged itself."""
    return session_of(read_results(results_dir), load_dir)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _own_burst(results: Results, result_file: Path) -> bool:
    """Whether ``result_file`` is the very ``resultado.json`` an R6 test of the run attached (the run's own burst)."""
    wanted = _digest(result_file)
    return wanted is not None and any(
        _digest(results.attachment_path(a)) == wanted
        for t in results.tests
        if t.rule == "R6" and t.full_name != FULL_NAME
        for a in t.attachments
    )


def _result_data(load_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((load_dir / RESULT).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def session_of(results: Results, load_dir: Path | None) -> Session:
    """As :func:`session`, for results already read (and filtered to one run)."""
    attached = attached_tally(results)
    tally = file_tally(load_dir)
    if tally is None or load_dir is None:
        return Session(results, attached)
    data = _result_data(load_dir)
    if tally.passed is None or _own_burst(results, load_dir / RESULT):
        return Session(results, tally, burst=data)
    result, files = load_result(tally, load_dir, data)
    extended = Results(results.folder, (*results.tests, parse_result(result)), results.environment)
    return Session(extended, tally, result, files, data)
