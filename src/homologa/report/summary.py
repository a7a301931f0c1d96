"""The one-page pt-BR summary (``resumo.md`` and ``resumo.html``): the page a person reads first.

Verdict per rule, the load figures, the open failures with their reproduction command, and a note that the test
data is synthetic. Every text that came from the run goes through :mod:`homologa.secrets` before it is written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from homologa.judgement import Judgement
from homologa.report.results import Results, TestResult
from homologa.report.tally import LoadTally
from homologa.report.verdict import judge_results, rule_verdicts
from homologa.secrets import mask_url, redact

SYNTHETIC_NOTE = (
    "Os dados de teste são sintéticos: CNPJs, nomes, endereços e contatos foram gerados pelo homologa "
    "(gerador determinístico) e não pertencem a pessoas ou empresas reais."
)
_URL = re.compile(r"https?://[^\s'\"<>]+")


@dataclass(frozen=True)
class SummaryContext:
    """What the summary says about the session besides the results."""

    distributor: str = ""
    target: str = ""
    harness_version: str = ""
    contract_version: str = ""
    contract_name: str = ""  # the pack's name (v1, v1-soap, ...), when the run recorded it
    contract_sha256: str = ""
    secrets: tuple[str, ...] = field(default=())
    judgement: Judgement | None = None  # the run's verdict (computed from its results and record)
    banner: str = ""  # shown above everything (a demonstration run against the embedded distributor)
    run_facts: tuple[tuple[str, str], ...] = ()  # what the run's record says (execução, seleção, semente, ...)
    load_facts: tuple[tuple[str, str], ...] = ()  # which burst the load figures are of (times, plan, shape, limits)


def clean(text: str, secrets: Iterable[str]) -> str:
    """Known secrets redacted and every URL's password and secret query values masked."""
    return _URL.sub(lambda m: mask_url(m.group(0)), redact(text, secrets))


def format_ms(ms: int | None) -> str:
    if ms is None:
        return "—"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%d/%m/%Y %H:%M:%S UTC")


def _number(value: float | None, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text}{unit}"


def _int(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", ".")


_EXCEPTION_PREFIX = re.compile(r"^(?:[A-Za-z_][\w.]*|XFAIL)\s*:?\s+(?=\[|boa prática)")


def first_line(test: TestResult) -> str:
    """The message's first line without the exception class pytest puts before the suite's own text."""
    lines = [line.strip() for line in test.message.splitlines() if line.strip()]
    return _EXCEPTION_PREFIX.sub("", lines[0]) if lines else test.status


def _field(test: TestResult, name: str) -> str | None:
    prefix = f"{name}:"
    for line in test.message.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return None


def reason(test: TestResult) -> str:
    """``Esperado ...; recebido ...`` from the suite's message, else its first line."""
    expected, got = _field(test, "Esperado"), _field(test, "Recebido")
    if expected and got:
        return f"esperado {expected}; recebido {got}"
    return first_line(test)


@dataclass(frozen=True)
class FailureGroup:
    """Open failures of one rule and one category: the scenarios, and how to reproduce the first one."""

    rule: str
    category: str
    tests: list[tuple[str, str]]  # (scenario, reason)
    reproduction: str | None
    how_to_fix: str | None = None


@dataclass(frozen=True)
class SummaryData:
    title: str
    verdict: str
    verdict_line: str
    missing: list[str]
    banner: str
    facts: list[tuple[str, str]]
    rules: list[tuple[str, str, int, int, str]]
    load: list[tuple[str, str]] | None
    load_failures: list[tuple[str, int]]
    failures: list[FailureGroup]
    advisories: list[tuple[str, str, str]]  # rule, test, reason (good practices not met)


def build(results: Results, tally: LoadTally | None, ctx: SummaryContext) -> SummaryData:
    secrets = ctx.secrets
    title = "Resumo da homologação" + (f" — {ctx.distributor}" if ctx.distributor else "")
    facts = [
        ("Alvo", clean(ctx.target, secrets) or "—"),
        ("Início", format_ms(results.start_ms)),
        ("Fim", format_ms(results.stop_ms)),
        (
            "Cenários",
            f"{len(results.tests)} ({sum(t.status == 'passed' for t in results.tests)} passaram, "
            f"{sum(t.failed for t in results.tests)} falharam)",
        ),
        ("Contrato", _contract_fact(ctx)),
        ("homologa", ctx.harness_version or "—"),
        *((k, clean(v, secrets)) for k, v in ctx.run_facts),
    ]
    rules = [(v.rule, clean(v.title, secrets), v.passed, v.failed, v.verdict) for v in rule_verdicts(results)]
    load = None
    load_failures: list[tuple[str, int]] = []
    if tally is not None:
        load = [(k, clean(v, secrets)) for k, v in ctx.load_facts]
        load += [("Clientes planejados", _int(tally.planned))] if tally.planned is not None else []
        load += [
            ("Clientes enviados e respondidos", _int(tally.customers)),
            ("Clientes por segundo", _number(tally.customers_per_s)),
            (
                "Latência p50 / p95 / p99",
                " / ".join(_number(v, " ms", 0) for v in (tally.p50_ms, tally.p95_ms, tally.p99_ms)),
            ),
            ("Falhas", _int(tally.failure_total)),
        ]
        if tally.passed is not None:
            load.append(("Resultado da carga", "aprovada" if tally.passed else "reprovada"))
        load += [("Motivo", clean(reason, secrets)) for reason in tally.reasons]
        load_failures = sorted(tally.failures.items(), key=lambda item: (-item[1], item[0]))
    groups: dict[tuple[str, str], list[TestResult]] = {}
    for test in results.tests:
        if test.failed:
            category = test.category or ("falha do próprio homologa" if test.status == "broken" else "outras falhas")
            groups.setdefault((test.rule, category), []).append(test)
    failures = [
        FailureGroup(
            rule=rule,
            category=category,
            tests=[(clean(t.name, secrets), clean(reason(t), secrets)) for t in tests],
            reproduction=next((clean(t.reproduction, secrets) for t in tests if t.reproduction), None),
            how_to_fix=next((clean(fix, secrets) for t in tests if (fix := _field(t, "Como corrigir"))), None),
        )
        for (rule, category), tests in groups.items()
    ]
    advisories = [
        (t.rule, clean(t.name, secrets), clean(first_line(t), secrets)) for t in results.tests if t.advisory_not_met
    ]
    judgement = ctx.judgement or judge_results(results)
    return SummaryData(
        title,
        judgement.verdict,
        judgement.line,
        list(judgement.missing),
        ctx.banner,
        facts,
        rules,
        load,
        load_failures,
        failures,
        advisories,
    )


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(data: SummaryData) -> str:
    out = [f"# {data.verdict.upper()} — {data.title}", ""]
    if data.banner:
        out += [f"> **{data.banner}**", ""]
    out += [f"**Veredito — {_md_cell(data.verdict_line)}**", ""]
    if data.missing:
        out += ["Faltou para uma homologação completa:", ""] + [f"- {_md_cell(m)}" for m in data.missing] + [""]
    out += [f"- **{k}:** {_md_cell(v)}" for k, v in data.facts]
    out += ["", "## Regras do contrato", ""]
    out += ["| Regra | Descrição | Passaram | Falharam | Veredito |", "|---|---|---:|---:|---|"]
    out += [f"| {r} | {_md_cell(t) or '—'} | {p} | {f} | {v} |" for r, t, p, f, v in data.rules]
    out += ["", "## Carga de go-live", ""]
    if data.load is None:
        out.append("A carga não fez parte desta sessão.")
    else:
        out += [f"- **{k}:** {v}" for k, v in data.load]
        if data.load_failures:
            out += ["", "| Categoria de falha | Quantidade |", "|---|---:|"]
            out += [f"| {_md_cell(c)} | {n} |" for c, n in data.load_failures]
    out += ["", "## Falhas em aberto", ""]
    if not data.failures:
        out.append("Nenhuma.")
    for group in data.failures:
        out += [f"### {group.rule} — {group.category} ({len(group.tests)} cenário(s))", ""]
        out += [f"- {_md_cell(test)}: {_md_cell(why)}" for test, why in group.tests]
        if group.how_to_fix:
            out += ["", f"Como corrigir: {group.how_to_fix}"]
        if group.reproduction:
            out += ["", "Para reproduzir (primeiro cenário):", "", "```bash", group.reproduction, "```"]
        out.append("")
    if data.advisories:
        out += ["", "## Boas práticas não atendidas (consultivas)", ""]
        out += [f"- **{rule} — {_md_cell(test)}:** {_md_cell(reason)}" for rule, test, reason in data.advisories]
    out += ["", "## Dados de teste", "", SYNTHETIC_NOTE, ""]
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1d2330}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccd}h3{font-size:1rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left}
td.n{text-align:right}.veredito{font-size:1.2rem;font-weight:bold;padding:.5rem 1rem;display:inline-block}
.aprovado{background:#dff5e1}.reprovado,.falhou{background:#fde2e1}.ressalvas{background:#fff4d6}
.inconclusivo{background:#eee}
.aviso{background:#fff4d6;border:2px solid #d9a400;padding:.6rem;font-weight:bold}
pre{background:#f4f5f7;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
"""


def _css_class(verdict: str) -> str:
    return {"aprovado com ressalvas": "ressalvas"}.get(verdict, verdict.split(maxsplit=1)[0])


def to_html(data: SummaryData) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="pt-BR"><head><meta charset="utf-8">',
        f"<title>{e(data.verdict.upper())} — {e(data.title)}</title><style>{_CSS}</style></head><body>",
        f'<p class="aviso">{e(data.banner)}</p>' if data.banner else "",
        f"<h1>{e(data.title)}</h1>",
        f'<p class="veredito {_css_class(data.verdict)}">Veredito — {e(data.verdict_line)}</p>',
        ("<p>Faltou para uma homologação completa:</p><ul>" + "".join(f"<li>{e(m)}</li>" for m in data.missing))
        + "</ul>"
        if data.missing
        else "",
        "<ul>" + "".join(f"<li><b>{e(k)}:</b> {e(v)}</li>" for k, v in data.facts) + "</ul>",
        "<h2>Regras do contrato</h2>",
        "<table><tr><th>Regra</th><th>Descrição</th><th>Passaram</th><th>Falharam</th><th>Veredito</th></tr>",
    ]
    for rule, title, passed, failed, verdict in data.rules:
        css = ' class="falhou"' if failed else ""
        parts.append(
            f"<tr{css}><td>{e(rule)}</td><td>{e(title) or '—'}</td><td class=n>{passed}</td>"
            f"<td class=n>{failed}</td><td>{e(verdict)}</td></tr>"
        )
    parts += ["</table>", "<h2>Carga de go-live</h2>"]
    if data.load is None:
        parts.append("<p>A carga não fez parte desta sessão.</p>")
    else:
        parts.append("<ul>" + "".join(f"<li><b>{e(k)}:</b> {e(v)}</li>" for k, v in data.load) + "</ul>")
        if data.load_failures:
            parts.append("<table><tr><th>Categoria de falha</th><th>Quantidade</th></tr>")
            parts += [f"<tr><td>{e(c)}</td><td class=n>{n}</td></tr>" for c, n in data.load_failures]
            parts.append("</table>")
    parts.append("<h2>Falhas em aberto</h2>")
    if not data.failures:
        parts.append("<p>Nenhuma.</p>")
    for group in data.failures:
        parts.append(f"<h3>{e(group.rule)} — {e(group.category)} ({len(group.tests)} cenário(s))</h3><ul>")
        parts += [f"<li>{e(test)}: {e(why)}</li>" for test, why in group.tests]
        parts.append("</ul>")
        if group.how_to_fix:
            parts.append(f"<p><b>Como corrigir:</b> {e(group.how_to_fix)}</p>")
        if group.reproduction:
            parts.append(f"<p>Para reproduzir (primeiro cenário):</p><pre>{e(group.reproduction)}</pre>")
    if data.advisories:
        parts.append("<h2>Boas práticas não atendidas (consultivas)</h2><ul>")
        parts += [f"<li><b>{e(r)} — {e(test)}:</b> {e(reason)}</li>" for r, test, reason in data.advisories]
        parts.append("</ul>")
    parts += ["<h2>Dados de teste</h2>", f"<p>{e(SYNTHETIC_NOTE)}</p>", "</body></html>", ""]
    return "\n".join(parts)


def _contract_fact(ctx: SummaryContext) -> str:
    """``v1 (SHA-256 …)``, or ``pacote v1-soap, versão 1 (SHA-256 …)`` for a pack other than plain v1."""
    if not ctx.contract_version:
        return "—"
    sha = f"SHA-256 {ctx.contract_sha256[:16]}…"
    if ctx.contract_name and ctx.contract_name != f"v{ctx.contract_version}":
        return f"pacote {ctx.contract_name}, versão {ctx.contract_version} ({sha})"
    return f"v{ctx.contract_version} ({sha})"
