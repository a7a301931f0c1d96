"""The environment block the Allure report shows: target (masked), contract version and hash, harness version,
date and who ran it. The suite writes ``environment.properties``; what it left out is added here, in a temporary
copy of the results, so the raw results (the evidence in the package) stay exactly as the run wrote them."""

from __future__ import annotations

import getpass
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from homologa.report.results import Results

ENV_FILE = "environment.properties"
RUNNER_VARIABLE = "HOMOLOGA_EXECUTADO_POR"


def runner() -> str:
    """Who ran the homologation: ``$HOMOLOGA_EXECUTADO_POR``, else the login name."""
    explicit = os.environ.get(RUNNER_VARIABLE, "").strip()
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "desconhecido"


def _escape(text: str, key: bool = False) -> str:
    text = text.replace("\\", "\\\\").replace("\n", " ")
    if key:
        text = text.replace(" ", "\\ ").replace("=", "\\=").replace(":", "\\:")
    return text


def _norm(key: str) -> str:
    return key.strip().lower().replace("_", ".").replace(" ", ".")


def additions(results: Results, wanted: Mapping[str, str]) -> dict[str, str]:
    """The entries of ``wanted`` whose key the suite did not write (``contrato.sha256`` = ``Contrato_SHA256``)."""
    present = {_norm(key) for key in results.environment}
    return {key: value for key, value in wanted.items() if value and _norm(key) not in present}


def render(entries: Mapping[str, str]) -> str:
    return "".join(f"{_escape(k, key=True)}={_escape(v)}\n" for k, v in entries.items())


def default_entries(target: str, contract_version: str, contract_sha256: str, harness_version: str) -> dict[str, str]:
    return {
        "alvo": target,
        "contrato.versao": contract_version,
        "contrato.sha256": contract_sha256,
        "homologa.versao": harness_version,
        "relatorio.gerado.em": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "executado.por": runner(),
    }


@contextmanager
def results_for_allure(
    results: Results,
    extra: Mapping[str, str],
    added_result: Mapping[str, Any] | None = None,
    added_files: Sequence[tuple[Path, str]] = (),
) -> Iterator[Path]:
    """The results folder to give Allure: the original one if nothing is to be added, else a temporary copy whose
    ``environment.properties`` also has ``extra`` and which holds ``added_result`` (with its attachment files)."""
    if not extra and added_result is None:
        yield results.folder
        return
    with TemporaryDirectory(prefix="homologa-resultados-") as tmp:
        copy = Path(tmp) / "allure-results"
        shutil.copytree(results.folder, copy)
        env = copy / ENV_FILE
        existing = env.read_text(encoding="utf-8", errors="replace") if env.is_file() else ""
        if existing and not existing.endswith("\n"):
            existing += "\n"
        env.write_text(existing + render(extra), encoding="utf-8")
        if added_result is not None:
            (copy / f"{added_result['uuid']}-result.json").write_text(
                json.dumps(added_result, ensure_ascii=False), encoding="utf-8"
            )
            for source, name in added_files:
                shutil.copyfile(source, copy / name)
        yield copy
