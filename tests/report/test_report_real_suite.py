"""The report reads what the real contract suite writes: run ``pytest suites`` (embedded reference distributor)
and check the rule labels, statuses and environment that the summary and the verdict are built from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from homologa.report.results import read_results
from homologa.report.verdict import APPROVED, RULE_NAMES, overall_verdict, rule_verdicts

REPO = Path(__file__).resolve().parents[2]


def test_real_suite_results_give_rules_titles_and_verdict(tmp_path: Path) -> None:
    results_dir = tmp_path / "allure-results"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(REPO / "suites"), "-q", "-p", "no:cacheprovider",
         "--alluredir", str(results_dir), "--protected-fields", "telefone,endereco"],  # R3 exists only when declared
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    results = read_results(results_dir)
    table = {v.rule: v for v in rule_verdicts(results)}
    for rule in ("R1", "R2", "R3", "B1", "B2"):
        assert table[rule].passed > 0 and table[rule].failed == 0, rule
        assert table[rule].title == RULE_NAMES[rule], (rule, table[rule].title)
    for rule in ("R4", "R5"):  # checked on every answer, no scenario of their own
        assert table[rule].verdict == "passou (verificada em toda resposta)"
    assert "outros" not in table
    assert overall_verdict(results) == APPROVED
    assert results.environment["contrato.versao"] == "1"
    assert results.environment["estrito"] == "não"
