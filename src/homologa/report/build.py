"""``homologa relatorio`` as a library call: Allure single-file report, sanitized, plus the one-page summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from homologa import __version__
from homologa.contract import load_pack
from homologa.profile import Profile
from homologa.report import allure_cli, environment, load_evidence, sanitize, secretscan, summary
from homologa.report.results import Results
from homologa.report.tally import LoadTally
from homologa.report.verdict import overall_verdict
from homologa.secrets import mask_url

SUMMARY_MD = "resumo.md"
SUMMARY_HTML = "resumo.html"
_TARGET_KEYS = ("alvo", "target", "url")


class ReportError(Exception):
    """The report could not be made safely; the message is pt-BR."""


@dataclass(frozen=True)
class ReportInputs:
    results_dir: Path
    output_dir: Path
    summary_dir: Path
    load_dir: Path | None = None
    profile: Profile | None = None


@dataclass(frozen=True)
class ReportOutcome:
    results: Results
    tally: LoadTally | None
    index: Path
    summary_md: Path
    summary_html: Path
    verdict: str
    removed: list[str] = field(default_factory=list)


def target_of(results: Results, profile: Profile | None) -> str:
    """The target, masked: from the profile, else from the suite's ``environment.properties``."""
    if profile is not None and profile.target:
        return mask_url(profile.target)
    for key, value in results.environment.items():
        if key.lower() in _TARGET_KEYS and value:
            return mask_url(value) if "://" in value else value
    return ""


def distributor_of(profile: Profile | None) -> str:
    if profile is None:
        return ""
    if profile.name and profile.cnpj:
        return f"{profile.name} (CNPJ {profile.cnpj})"
    return profile.name or profile.cnpj or ""


def context_for(results: Results, profile: Profile | None) -> summary.SummaryContext:
    pack = load_pack()
    return summary.SummaryContext(
        distributor=distributor_of(profile),
        target=target_of(results, profile),
        harness_version=__version__,
        contract_version=pack.version,
        contract_sha256=pack.sha256,
        secrets=tuple(secretscan.profile_secrets(profile)),
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


def report_name(profile: Profile | None) -> str:
    who = distributor_of(profile)
    return "Homologação — contrato v1" + (f" — {who}" if who else "")


def build_report(inputs: ReportInputs, cli: allure_cli.AllureCli | None = None) -> ReportOutcome:
    """Read the results, run Allure, strip outside loads, check for secrets, write the summary."""
    found = load_evidence.session(inputs.results_dir, inputs.load_dir)
    results, tally = found.results, found.tally
    cli = cli or allure_cli.find_allure()
    ctx = context_for(results, inputs.profile)
    extra = environment.additions(
        results,
        environment.default_entries(ctx.target, ctx.contract_version, ctx.contract_sha256, ctx.harness_version),
    )
    with environment.results_for_allure(results, extra, found.load_result, found.load_files) as folder:
        index = allure_cli.generate(cli, folder, inputs.output_dir, report_name(inputs.profile))
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
    return ReportOutcome(results, tally, index, md, page, overall_verdict(results), removed)
