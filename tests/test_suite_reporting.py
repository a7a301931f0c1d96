"""Allure evidence: the committed report configuration matches the code, metadata files are masked and standard."""

from __future__ import annotations

import json
import re
from pathlib import Path

from homologa.suite.errors import CATEGORIES
from homologa.suite.options import RawOptions, resolve
from homologa.suite.reporting import allurerc_text, categories, categories_json_text, write_run_metadata

REPORTS = Path(__file__).resolve().parents[1] / "reports"


def test_committed_report_configuration_is_current():
    # regenerate with: python -m homologa.suite.reporting reports
    assert (REPORTS / "categories.json").read_text(encoding="utf-8") == categories_json_text()
    assert (REPORTS / "allurerc.mjs").read_text(encoding="utf-8") == allurerc_text()


def test_every_failure_category_matches_its_messages_only():
    regexes = {c["name"]: re.compile(c["messageRegex"]) for c in categories() if c["name"] in CATEGORIES}
    assert set(regexes) == set(CATEGORIES)
    for name in regexes:
        message = f"homologa.suite.errors.ContractViolation: [{name}] R1 — título\nRegra R1: ...\nReproduza: curl"
        assert [n for n, r in regexes.items() if r.fullmatch(message)] == [name]


def test_run_metadata_is_written_and_masked(tmp_path: Path):
    settings = resolve(RawOptions(target="https://erp/c?token=abc123", bearer="segredo-xyz"), env={})
    write_run_metadata(tmp_path, settings, "1", "f" * 64, 42)
    props = (tmp_path / "environment.properties").read_text(encoding="utf-8")
    assert "alvo=https://erp/c?token=***" in props and "contrato.sha256=" + "f" * 64 in props
    assert "semente.clientes=42" in props and "homologa.versao=" in props
    assert "abc123" not in props and "segredo-xyz" not in props
    props.encode("ascii")  # .properties: non-ASCII escaped
    assert json.loads((tmp_path / "executor.json").read_text(encoding="utf-8"))["name"] == "homologa"
    assert json.loads((tmp_path / "categories.json").read_text(encoding="utf-8")) == categories()
