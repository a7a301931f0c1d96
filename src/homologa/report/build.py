"""``homologa relatorio`` as a library call: Allure single-file report, sanitized, plus the one-page summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homologa import __version__
from homologa.judgement import Judgement
from homologa.report import allure_cli, burst, environment, load_evidence, sanitize, secretscan, summary
from homologa.report.results import Results
from homologa.report.run_evidence import LoadBinding, bind_load, own_results
from homologa.report.tally import LoadTally
from homologa.report.verdict import judge_results
from homologa.runs import Run
from homologa.target import EMBEDDED

SUMMARY_MD = "resumo.md"
SUMMARY_HTML = "resumo.html"
EMBEDDED_BANNER = (
    "DEMONSTRAÇÃO — o alvo desta execução foi o distribuidor de referência embutido do homologa, não o ERP do "
    "distribuidor: não homologa nenhum ERP"
)


class ReportError(Exception):
    """The report could not be made safely; the message is pt-BR."""


@dataclass(frozen=True)
class ReportInputs:
    run: Run
    output_dir: Path
    summary_dir: Path
    load_dir: Path | None = None  # --carga: a load folder named explicitly (must be about the same target)
    shared_load_dir: Path | None = None  # reports/carga: attached only when about the same target
    extra_secrets: tuple[str, ...] = ()  # secrets of the profile named at report time (scanned for, never shown)


@dataclass(frozen=True)
class ReportOutcome:
    run: Run
    results: Results
    tally: LoadTally | None
    index: Path
    summary_md: Path
    summary_html: Path
    judgement: Judgement
    load: LoadBinding
    ignored: int = 0  # results of other runs left out
    removed: list[str] = field(default_factory=list)
    secrets: tuple[str, ...] = ()  # what must never ship (scanned for again in the package)
    burst: dict[str, Any] | None = None  # the attached burst's resultado.json (which burst it was)

    @property
    def verdict(self) -> str:
        return self.judgement.verdict


def distributor_of(record: dict[str, Any]) -> str:
    who = record.get("distribuidor") or {}
    name, cnpj = who.get("nome") or "", who.get("cnpj") or ""
    if name and cnpj:
        return f"{name} (CNPJ {cnpj})"
    return str(name or cnpj)


def is_embedded(record: dict[str, Any]) -> bool:
    target = record.get("alvo") or {}
    return bool(target.get("embutido")) or target.get("id") == EMBEDDED


def _selection(record: dict[str, Any]) -> str:
    sel = record.get("selecao") or {}
    text = f"{sel.get('executados', '?')} de {sel.get('selecionados', '?')} cenário(s) selecionados executados"
    if sel.get("desmarcados"):
        text += f"; {sel['desmarcados']} desmarcados"
    filters = [f"-{key} {sel[key]!r}" for key in ("k", "m") if sel.get(key)]
    return text + (f" ({' '.join(filters)})" if filters else "")


def run_facts(run: Run, load: LoadBinding) -> list[tuple[str, str]]:
    """What the run's record says about the run, as the summary lists it (target and times come separately)."""
    record = run.record
    target = record.get("alvo") or {}
    profile = record.get("perfil") or {}
    facts = [
        ("Execução", f"{run.id} ({record.get('estado', '?')})"),
        ("Origem do alvo", str(target.get("origem") or "—")),
        ("Seleção", _selection(record)),
        ("Semente de clientes", str(record.get("semente_clientes", "—"))),
    ]
    if profile:
        sha = str(profile.get("sha256") or "")
        facts.append(("Perfil", f"{profile.get('arquivo', '?')}" + (f" (SHA-256 {sha[:16]}…)" if sha else "")))
    facts.append(("Carga", load.note))
    return facts


def context_for(
    run: Run,
    judgement: Judgement,
    load: LoadBinding,
    secrets: tuple[str, ...],
    burst_data: dict[str, Any] | None = None,
) -> summary.SummaryContext:
    record = run.record
    contract = record.get("contrato") or {}
    return summary.SummaryContext(
        distributor=distributor_of(record),
        target=str((record.get("alvo") or {}).get("url") or ""),
        harness_version=str(record.get("homologa") or __version__),
        contract_version=str(contract.get("versao") or ""),
        contract_name=str(contract.get("nome") or ""),
        contract_sha256=str(contract.get("sha256") or ""),
        secrets=secrets,
        judgement=judgement,
        banner=EMBEDDED_BANNER if is_embedded(record) else "",
        run_facts=tuple(run_facts(run, load)),
        load_facts=tuple(burst.facts(burst_data, record.get("inicio"))) if burst_data else (),
    )


def write_summary(
    results: Results, tally: LoadTally | None, ctx: summary.SummaryContext, folder: Path
) -> tuple[Path, Path]:
    data = summary.build(results, tally, ctx)
    folder.mkdir(parents=True, exist_ok=True)
    md, page = folder / SUMMARY_MD, folder / SUMMARY_HTML
    md.write_text(summary.to_markdown(data), encoding="utf-8")
    page.write_text(summary.to_html(data), encoding="utf-8")
    return md, page


def report_name(record: dict[str, Any], judgement: Judgement) -> str:
    who = distributor_of(record)
    pack = str((record.get("contrato") or {}).get("nome") or "v1")
    name = f"{judgement.title} — Homologação — contrato {pack}" + (f" — {who}" if who else "")
    return name + (" — DEMONSTRAÇÃO (distribuidor embutido)" if is_embedded(record) else "")


def build_report(inputs: ReportInputs, cli: allure_cli.AllureCli | None = None) -> ReportOutcome:
    """One run's results and load, Allure, outside loads stripped, secrets checked, the summary written."""
    run = inputs.run
    leaks = (run.record.get("segredos") or {}).get("vazamentos") or []
    if leaks:
        raise ReportError(
            f"a execução {run.id} registrou um segredo (senha, token, chave) nas suas evidências: "
            f"{', '.join(leaks[:5])}; relatório não gerado"
        )
    results, ignored = own_results(run)
    load = bind_load(run, inputs.load_dir, inputs.shared_load_dir)
    found = load_evidence.session_of(results, load.folder)
    results, tally = found.results, found.tally
    judgement = judge_results(results, run.record)
    cli = cli or allure_cli.find_allure()
    ctx = context_for(run, judgement, load, inputs.extra_secrets, found.burst)
    wanted = environment.default_entries(ctx.target, ctx.contract_version, ctx.contract_sha256, ctx.harness_version)
    wanted.update({"veredito": judgement.verdict, "execucao": run.id})
    if ctx.banner:
        wanted["aviso"] = ctx.banner
    extra = environment.additions(results, wanted)
    with environment.results_for_allure(results, extra, found.load_result, found.load_files) as folder:
        index = allure_cli.generate(cli, folder, inputs.output_dir, report_name(run.record, judgement))
    text, removed = sanitize.sanitize_html(index.read_text(encoding="utf-8"))
    left = sanitize.outside_references(text)
    if left:
        raise ReportError(f"o relatório ainda carregaria endereços externos: {', '.join(left[:3])}")
    index.write_text(text, encoding="utf-8")
    md, page = write_summary(results, tally, ctx, inputs.summary_dir)
    files = {"index.html": text.encode("utf-8"), md.name: md.read_bytes(), page.name: page.read_bytes()}
    files.update({f"index.html:{name}": data for name, data in sanitize.embedded_files(text).items()})
    leaked = secretscan.files_with_secrets(files, ctx.secrets)
    if leaked:
        index.unlink()
        raise ReportError(
            "um segredo do perfil (senha, token, chave) aparece nos resultados; relatório descartado. "
            f"Arquivos: {', '.join(leaked[:5])}"
        )
    return ReportOutcome(
        run, results, tally, index, md, page, judgement, load, ignored, removed, ctx.secrets, found.burst
    )
