"""The run as a unit of evidence: its folder, its record (``execucao.json``) and its verdict.

The product suite's conftest calls :func:`open_run` before allure-pytest configures itself, so the Allure results of
this run go to a folder no other run uses. The plugin then records, while the run goes on, everything a report must
say about it — target (masked) and where it came from, profile path and hash, options, selection, customer seed,
contract hash, harness version, times — and at the end the verdict, computed once by :mod:`homologa.judgement`
from the scenarios' outcomes. Reports read this record; they never re-read the profile.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from homologa import __version__
from homologa import runs as runs_mod
from homologa.judgement import Coverage, Judgement, Outcome, judge
from homologa.secrets import mask_url, redact
from homologa.suite.options import Settings
from homologa.target import EMBEDDED, target_identity

MIN_SECRET_LENGTH = 4
EMBEDDED_NOTICE = (
    "DEMONSTRAÇÃO: alvo = distribuidor de referência embutido do homologa, não o ERP do distribuidor; "
    "esta rodada não homologa nenhum ERP"
)


@dataclass
class RunFolder:
    """The run's id and folder, and where its Allure results go."""

    id: str
    folder: Path
    results_dir: Path
    record: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # nodeid -> outcome
    selected: int = 0
    deselected: int = 0
    problems: list[str] = field(default_factory=list)  # evidence that could not be written
    suite_root: Path | None = None  # the product suite's folder (suites/): a run of anything less is partial


def open_run(base: Path, alluredir: str | None) -> RunFolder:
    """A new run folder under ``base``; the Allure results go to its ``allure-results`` unless ``--alluredir``."""
    run_id, folder = runs_mod.create_run_folder(base)
    results = Path(alluredir).resolve() if alluredir else folder / runs_mod.RESULTS_NAME
    run = RunFolder(run_id, folder, results, runs_mod.start_record(run_id))
    if alluredir:
        run.record["resultados"] = str(results)
    return run


def discard_if_empty(run: RunFolder) -> None:
    """Remove a run folder that holds no file (a usage error stopped the run before it began): an empty folder
    would only sit among the real runs. A folder holding any file is never touched."""
    try:
        if any(p.is_file() for p in run.folder.rglob("*")):
            return
        for path in sorted(run.folder.rglob("*"), reverse=True):
            path.rmdir()
        run.folder.rmdir()
    except OSError:
        pass  # best effort: a leftover empty folder is harmless


def open_for_config(config: pytest.Config, root: Path) -> RunFolder:
    """Open this run's folder and point allure-pytest at it (before allure-pytest configures itself)."""
    option = config.option
    given = getattr(option, "allure_report_dir", None)
    try:
        run = open_run(runs_mod.base_dir(root), given)
    except runs_mod.RunError as exc:
        raise pytest.UsageError(f"homologa: {exc}") from None
    if config.pluginmanager.hasplugin("allure_pytest") and not given:
        option.allure_report_dir = str(run.results_dir)
        option.clean_alluredir = False  # a fresh folder: nothing to clean, and never another run's
    return run


def record_outcome(run: RunFolder, nodeid: str, rule: str, report: pytest.TestReport, excinfo: Any) -> None:
    """The scenario's outcome as Allure shows it: contract violations failed, anything else broken."""
    from homologa.rules import RULES

    known = RULES.get(rule)
    blocking = known.blocking if known is not None else True
    status: str | None = None
    advisory = False
    if report.skipped:
        advisory = bool(getattr(report, "wasxfail", "")) and report.when == "call"
        status = "skipped"
    elif report.failed:
        exc = excinfo.value if excinfo is not None else None
        contract = isinstance(exc, AssertionError | pytest.fail.Exception) and report.when == "call"
        status = "failed" if contract else "broken"
    elif report.when == "call":
        status = "passed"
    if status is None:
        return
    previous = run.outcomes.get(nodeid)
    if previous is not None and previous.status in ("failed", "broken") and report.when == "teardown":
        return
    run.outcomes[nodeid] = Outcome(rule, status, blocking, advisory)


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


PYTEST_DEFAULTS = {"python_files": ["test_*.py", "*_test.py"], "python_classes": ["Test"], "python_functions": ["test"]}
NARROWING_OPTIONS = {"ignore": "--ignore", "ignore_glob": "--ignore-glob", "deselect": "--deselect"}


def narrowed(config: pytest.Config, suite_root: Path | None) -> list[str]:
    """How this run narrowed the product suite other than by -k/-m (counted as deselected): paths or node ids below
    the suite's folder, ``--ignore``/``--ignore-glob``/``--deselect``, or collection patterns changed with ``-o``."""
    reasons = []
    if suite_root is not None:
        root = suite_root.resolve()
        for arg in config.args:
            path_text, _, node = str(arg).partition("::")
            path = Path(path_text)
            path = (path if path.is_absolute() else config.invocation_params.dir / path).resolve()
            if node or path != root:
                reasons.append(f"só {arg} (não a suíte inteira, {suite_root.name}/)")
    for dest, flag in NARROWING_OPTIONS.items():
        if config.getoption(dest, None):
            reasons.append(f"{flag} {' '.join(map(str, config.getoption(dest)))}")
    for name, default in PYTEST_DEFAULTS.items():
        if list(config.getini(name)) != default:
            reasons.append(f"{name} alterado ({' '.join(config.getini(name))})")
    return reasons


def describe_target(settings: Settings) -> dict[str, Any]:
    embedded = not settings.target
    return {
        "url": settings.masked_target,
        "origem": settings.target_source,
        "id": target_identity(settings.target) if not embedded else EMBEDDED,
        "embutido": embedded,
        "aviso": EMBEDDED_NOTICE if embedded else None,
    }


def shown_args(args: Sequence[str], secrets: Iterable[str]) -> list[str]:
    """The command line as it may be shown: URLs masked (also in ``--option=URL``), then every secret redacted."""
    found = list(secrets)
    shown = []
    for arg in args:
        name, equals, value = arg.partition("=") if arg.startswith("-") else ("", "", arg)
        if "://" in value:
            value = mask_url(value)
        shown.append(redact(f"{name}{equals}{value}", found))
    return shown


def fill_start(
    run: RunFolder,
    *,
    settings: Settings,
    seed: int,
    contract: tuple[str, str, str],  # version, sha256, pack name
    args: Sequence[str],
    selection: dict[str, Any],
) -> None:
    profile = settings.profile
    record = run.record
    record["alvo"] = describe_target(settings)
    record["perfil"] = (
        {"arquivo": str(profile.path), "sha256": file_sha256(profile.path) if profile.path else None}
        if profile is not None
        else None
    )
    record["distribuidor"] = (
        {"nome": profile.name, "cnpj": profile.cnpj} if profile is not None and (profile.name or profile.cnpj) else None
    )
    record["opcoes"] = {
        "timeout_s": settings.timeout,
        "campos_protegidos": list(settings.protected_fields),
        "estrito": settings.strict,
        "latencia_p95_orcamento_ms": settings.p95_budget_ms,
        "faixas_cep": list(settings.cep_ranges),
    }
    record["semente_clientes"] = seed
    record["contrato"] = {"versao": contract[0], "nome": contract[2], "sha256": contract[1]}
    record["homologa"] = __version__
    record["python"] = platform.python_version()
    record["invocacao"] = shown_args(args, settings.secrets())
    record["selecao"] = selection


def coverage(run: RunFolder, settings: Settings, interrupted: str | None) -> Coverage:
    return Coverage(
        partial=tuple((run.record.get("selecao") or {}).get("parcial") or ()),
        deselected=run.deselected,
        not_run=max(0, run.selected - len(run.outcomes)),
        interrupted=interrupted,
        protected_fields=bool(settings.protected_fields),
        strict=settings.strict,
    )


def finish(run: RunFolder, settings: Settings, interrupted: str | None) -> Judgement:
    """The verdict, the secret scan of the run's own files, and the final record."""
    verdict = judge(run.outcomes.values(), coverage(run, settings, interrupted))
    leaks = scan_for_secrets([run.results_dir, run.folder / runs_mod.LOAD_NAME], settings.secrets())
    record = run.record
    record["estado"] = runs_mod.INTERRUPTED if interrupted else runs_mod.FINISHED
    record["fim"] = datetime.now(tz=UTC).isoformat(timespec="seconds")
    record["selecao"]["executados"] = len(run.outcomes)
    record["apuracao"] = tally(run.outcomes.values())
    record["veredito"] = {"veredito": verdict.verdict, "faltando": list(verdict.missing), "linha": verdict.line}
    record["segredos"] = {"verificados": len(usable(settings.secrets())), "vazamentos": leaks}
    if leaks:
        run.problems.append(f"um segredo (senha, token, valor da query) aparece em: {', '.join(leaks[:5])}")
    needles = usable(settings.secrets())
    text = json.dumps(record, ensure_ascii=False)
    if any(secret in text for secret in needles):  # never expected: every field is masked as it is written
        run.problems.append("um segredo apareceria no registro da execução; os valores foram apagados")
        record = json.loads(redact(text, needles))
    record["problemas"] = list(run.problems)
    try:
        runs_mod.write_record(run.folder, record)
    except runs_mod.RunError as exc:
        run.problems.append(str(exc))
    return verdict


def tally(outcomes: Iterable[Outcome]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for o in outcomes:
        status = "consultiva" if o.advisory_not_met else o.status
        per_rule = counts.setdefault(o.rule, {})
        per_rule[status] = per_rule.get(status, 0) + 1
    return dict(sorted(counts.items()))


def usable(secrets: Iterable[str]) -> list[str]:
    return sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)


def scan_for_secrets(folders: Iterable[Path], secrets: Iterable[str]) -> list[str]:
    """Names of the files under ``folders`` holding any secret value (read in bounded chunks)."""
    needles = [s.encode("utf-8") for s in usable(secrets)]
    if not needles:
        return []
    overlap = max(len(n) for n in needles)
    hits = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if _file_has(path, needles, overlap):
                hits.append(path.name)
    return hits


def _file_has(path: Path, needles: list[bytes], overlap: int) -> bool:
    tail = b""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                window = tail + chunk
                if any(n in window for n in needles):
                    return True
                tail = window[-overlap:]
    except OSError:
        return False
    return False
