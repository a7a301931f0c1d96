"""The load run as evidence when it ran outside pytest (``locust -f loadtests/locustfile.py ...``).

Its outcome is then only in ``reports/carga/resultado.json``: this module turns it into one more Allure result, rule
R6 ("Carga do go-live"), passed or failed as the load run judged it, with the apuração and the Locust HTML report
attached. The same result is used for the verdict, the summary, the report (in the temporary copy of the results
given to Allure) and, from the package's ``carga/`` folder, by ``homologa verificar``: the load counts the same
everywhere. When a test already attached the tally to the results, nothing is added (the test is the evidence).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homologa.report.results import Results, parse_result, read_results
from homologa.report.tally import LoadTally, attached_tally, file_tally

EPIC = "Contrato v1 — cadastro de clientes"
FEATURE = "R6 · Carga do go-live"
NAME = "Carga de go-live (apuração da rodada Locust)"
FULL_NAME = "homologa.carga#go-live"  # the synthetic result's fullName: not a scenario of the suite run
# files of reports/carga/ attached to the synthetic result: (file name, attachment name, MIME type)
ATTACHED_FILES = (
    ("resultado.txt", "apuração da carga", "text/plain"),
    ("resultado.json", "resultado.json", "application/json"),
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


def load_result(tally: LoadTally, load_dir: Path) -> tuple[dict[str, Any], list[tuple[Path, str]]]:
    """The Allure result (JSON) standing for a load run, and the files to copy next to it as its attachments."""
    attachments = []
    files = []
    for file_name, label, mime in ATTACHED_FILES:
        path = load_dir / file_name
        if path.is_file():
            source = f"{uuid.uuid5(_NAMESPACE, file_name)}-attachment{path.suffix}"
            attachments.append({"name": label, "source": source, "type": mime})
            files.append((path, source))
    reasons = "; ".join(tally.reasons)
    message = f"carga reprovada: {reasons or 'veja a apuração'}" if tally.passed is False else "carga aprovada"
    return (
        {
            "uuid": str(uuid.uuid5(_NAMESPACE, "carga")),
            "historyId": str(uuid.uuid5(_NAMESPACE, "carga-historico")),
            "name": NAME,
            "fullName": FULL_NAME,
            "status": "passed" if tally.passed else "failed",
            "statusDetails": {"message": message},
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


def session_of(results: Results, load_dir: Path | None) -> Session:
    """As :func:`session`, for results already read (and filtered to one run)."""
    tally = attached_tally(results)
    if tally is not None:
        return Session(results, tally)
    tally = file_tally(load_dir)
    if tally is None or tally.passed is None or load_dir is None or any(t.rule == "R6" for t in results.tests):
        return Session(results, tally)
    data, files = load_result(tally, load_dir)
    extended = Results(results.folder, (*results.tests, parse_result(data)), results.environment)
    return Session(extended, tally, data, files)
