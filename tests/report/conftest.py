"""Session fixtures for the tests of homologa.report: one stand-in suite run, one real ``homologa relatorio``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import report_support as support

from homologa import cli
from homologa.profile import load_profile
from homologa.report import load_evidence, secretscan
from homologa.report.build import ReportOutcome, context_for, write_summary
from homologa.report.run_evidence import LoadBinding, own_results
from homologa.report.verdict import judge_results
from homologa.runs import read_run


@dataclass(frozen=True)
class Generated:
    root: Path
    results: Path
    profile: Path
    load: Path
    index: Path
    summary_md: Path
    summary_html: Path


@pytest.fixture(scope="session")
def run_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Allure results of the stand-in suite: R1 passes (3 UFs), R2 fails with a curl line, R3 passes, B1 breaks,
    B2 is skipped, and the load test attaches its tally."""
    return support.write_suite_results(tmp_path_factory.mktemp("run-a"))


@pytest.fixture(scope="session")
def generated(run_a: Path, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    root = tmp_path_factory.mktemp("relatorio")
    profile = support.write_profile(root)
    load = support.write_load_output(root / "reports")
    output = root / "reports" / "allure-report"
    code = cli.main(
        [
            "relatorio",
            "--perfil",
            str(profile),
            "--execucao",
            str(run_a.parent),
            "--saida",
            str(output),
            "--carga",
            str(load),
        ]
    )
    assert code == 0
    return Generated(
        root=root,
        results=run_a,
        profile=profile,
        load=load,
        index=output / "index.html",
        summary_md=root / "reports" / "resumo.md",
        summary_html=root / "reports" / "resumo.html",
    )


def outcome_for(results_dir: Path, generated: Generated, folder: Path, load: Path | None = None) -> ReportOutcome:
    """A report outcome for another run folder without running Allure again: the summary is real, the Allure page
    is the session's (comparar, verificar and the secret scan read the manifest and the files, not the page)."""
    run = read_run(results_dir.parent)
    binding = LoadBinding(load, "carga de teste" if load else "a carga não fez parte desta execução")
    results, _ = own_results(run)
    found = load_evidence.session_of(results, load)
    judgement = judge_results(found.results, run.record)
    secrets = tuple(secretscan.profile_secrets(load_profile(generated.profile)))
    ctx = context_for(run, judgement, binding, secrets, found.burst)
    md, page = write_summary(found.results, found.tally, ctx, folder)
    return ReportOutcome(
        run,
        found.results,
        found.tally,
        generated.index,
        md,
        page,
        judgement,
        binding,
        secrets=secrets,
        burst=found.burst,
    )
