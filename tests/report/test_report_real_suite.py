"""The report reads what the real contract suite writes: run ``pytest suites`` (embedded reference distributor)
and check the rule labels, statuses, record and environment that the summary and the verdict are built from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from homologa.report.run_evidence import own_results
from homologa.report.verdict import APPROVED, RULE_NAMES, judge_results, rule_verdicts
from homologa.runs import list_runs

REPO = Path(__file__).resolve().parents[2]


def test_real_suite_results_give_rules_titles_and_verdict(tmp_path: Path) -> None:
    base = tmp_path / "execucoes"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(REPO / "suites"), "-q", "-p", "no:cacheprovider",
         "--protected-fields", "telefone,endereco"],  # R3 exists only when declared
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
        env={**os.environ, "HOMOLOGA_EXECUCOES": str(base)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    (run,) = list_runs(base)
    results, ignored = own_results(run)
    assert ignored == 0
    table = {v.rule: v for v in rule_verdicts(results)}
    for rule in ("R1", "R2", "R3", "B1", "B2"):
        assert table[rule].passed > 0 and table[rule].failed == 0, rule
        assert table[rule].title == RULE_NAMES[rule], (rule, table[rule].title)
    for rule in ("R4", "R5"):  # checked on every answer, no scenario of their own
        assert table[rule].verdict == "passou (verificada em toda resposta)"
    assert "outros" not in table
    assert judge_results(results, run.record).verdict == APPROVED == run.verdict
    assert run.record["opcoes"]["campos_protegidos"] == ["telefone", "endereco"]
    assert run.record["alvo"]["embutido"] is True
    assert results.environment["contrato.versao"] == "1"
    assert results.environment["estrito"] == "não"
