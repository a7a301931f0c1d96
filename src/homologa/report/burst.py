"""Which go-live burst a load folder holds, and whether its files are all of that one burst.

A load folder (``reports/carga`` or ``--carga PASTA``) may hold files of more than one burst: Locust's CSVs and HTML
of an earlier burst that a later one did not rewrite, the journal (``diario.jsonl``) of a later burst that was
interrupted before it wrote its own ``resultado.json``. A sign-off says only what was tested, so:

- :func:`inconsistency` — why the folder cannot stand for the burst its ``resultado.json`` describes (a journal
  without a result, a journal of another plan, a journal changed after the result was written), or ``None``;
- :func:`burst_files` — the files of that burst only (a file last written before the burst started is another
  burst's, left out with the reason);
- :func:`r6_judgement` — how the burst counts for R6 ("todos os clientes, cada um uma vez"): only a complete
  go-live burst (shape ``golive``, every planned customer answered) that judged itself approved passes;
- :func:`facts` and :func:`manifest_section` — which burst it was (times, plan, shape, replay, resumptions, limits),
  for the resumo, the Allure R6 result and the manifest.

Reads only the files (the load profile is never imported: the file formats are the interface).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from homologa.burst_files import IDENTITY_LABELS, JOURNAL, RESULT, RESULT_TEXT, START

INTERRUPTED = "rajada-interrompida-"  # + UTC time: an interrupted burst kept aside by a later one
GOLIVE = "golive"
# seconds of slack between file times (a folder copied with cp, file systems with coarse times)
SLACK_S = 2.0
# Locust writes its CSVs and HTML report after the burst's resultado.json, at shutdown: a file written this long
# after it is another burst's (one that wrote only there, e.g. --csv into this folder from another --report-dir)
AFTER_END_S = 60.0
# written by the burst itself at its very end, or by the journal: never another burst's Locust output
_OWN = frozenset({RESULT, RESULT_TEXT, JOURNAL, JOURNAL + ".anterior", START})


def read_result(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / RESULT).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _journal_plan(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            header = json.loads(handle.readline())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    plan = header.get("plano") if isinstance(header, dict) else None
    return plan if isinstance(plan, dict) else None


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _timestamp(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def inconsistency(folder: Path) -> str | None:
    """Why ``folder`` does not hold one finished burst (pt-BR), or ``None`` when it does (or has no journal)."""
    journal = folder / JOURNAL
    result = folder / RESULT
    if not result.is_file():
        if journal.is_file():
            return (
                f"a pasta tem o diário de uma rajada ({JOURNAL}) mas não o {RESULT}: a rajada foi interrompida "
                "antes de terminar; termine-a com o mesmo comando e --resume, ou rode a rajada de novo"
            )
        return None
    data = read_result(folder) or {}
    if not journal.is_file():
        if _object(data, "diario").get("sha256"):
            return (
                f"o {RESULT} registra o diário da rajada ({JOURNAL}, pelo SHA-256), mas ele não está na pasta: sem ele "
                "não dá para conferir que o resultado é desta rajada; traga o diário de volta ou rode a rajada de novo"
            )
        return None
    plan = _journal_plan(journal)
    if plan is None:
        return f"{JOURNAL} ilegível: não dá para saber se é da mesma rajada que o {RESULT}"
    recorded = {"alvo_id": data.get("alvo_id"), **_object(data, "plano")}
    differences = [
        f"{label}: diário {plan.get(key)!r}, resultado {recorded.get(key)!r}"
        for key, label in IDENTITY_LABELS.items()
        if key in plan and key in recorded and plan.get(key) != recorded.get(key)
    ]
    later = (
        f"o {JOURNAL} é de uma rajada começada depois da que gravou o {RESULT} (e que não terminou): termine-a com"
        " o mesmo comando e --resume, ou rode a rajada de novo numa pasta própria (--report-dir)"
    )
    if differences:
        return f"o {JOURNAL} é de outra rajada que o {RESULT} ({'; '.join(differences)}); {later}"
    judged = _judged_differences(plan, data)
    if judged:
        return f"o {RESULT} não confere com o {JOURNAL} da mesma rajada ({'; '.join(judged)}): foi editado à mão?"
    if data.get("aprovado") is True:
        claimed = _claim_differences(journal, data)
        if claimed:
            return f"o {RESULT} diz mais que o {JOURNAL} da rajada registra ({'; '.join(claimed)}): foi editado à mão?"
    sealed = _object(data, "diario").get("sha256")
    if sealed:
        if _sha256(journal) != sealed:
            return f"o {JOURNAL} mudou depois que o {RESULT} foi gravado; {later}"
    elif journal.stat().st_mtime > result.stat().st_mtime + SLACK_S:
        return f"o {JOURNAL} é mais novo que o {RESULT}; {later}"
    return None


# what a burst was judged against: the journal's plan entry and where resultado.json keeps the same thing
_JUDGED: tuple[tuple[str, str | None, str, str], ...] = (  # journal key, resultado.json object (or top), key, label
    ("forma", None, "forma", "forma"),
    ("orcamento_p95_ms", "limites", "p95_ms", "orçamento p95"),
    ("falhas_aceitas", "limites", "falhas_aceitas", "fração de falhas aceita"),
    ("fracao_validada", "limites", "fracao_validada", "fração das respostas validadas no XSD"),
    ("contrato", "contrato", "sha256", "pacote de contrato (SHA-256)"),
)


def _judged_differences(plan: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Shape, limits and contract: the journal's (written when the burst started) against the result's."""
    out = []
    for key, section, field, label in _JUDGED:
        if key not in plan:
            continue  # a journal of an earlier version
        theirs = (_object(data, section) if section else data).get(field)
        if _differ(plan[key], theirs):
            out.append(f"{label}: diário {plan[key]!r}, resultado {theirs!r}")
    planned, customers = data.get("planejados"), plan.get("clientes")
    if isinstance(planned, int) and isinstance(customers, int) and planned < customers:
        out.append(f"clientes planejados: resultado {planned}, menos que os {customers} do plano do diário")
    return out


def _differ(a: object, b: object) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) > 1e-9
    return a != b


def journal_totals(path: Path) -> dict[str, Any] | None:
    """The confirmed customers of a journal and their tally, summed from its lines (summary and slices), or ``None``
    when a line cannot be read. The journal is the record the burst kept as it went; ``resultado.json`` is written
    once at the end, so a claim of the result is checked against this."""
    sent, statuses, failures, covered = 0, Counter[str](), Counter[str](), 0
    try:
        with path.open("rb") as handle:
            handle.readline()  # the header
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break  # a line cut by an interruption: not confirmed
                entry = json.loads(raw)
                if not isinstance(entry, dict):
                    return None
                if "resumo" in entry:
                    summary = entry["resumo"]
                    covered += sum(int(b) - int(a) for a, b in summary.get("faixas", []))
                    tally = summary.get("t") or {}
                else:
                    covered += int(entry["e"]) - int(entry["s"])
                    tally = entry.get("t") or {}
                sent += int(tally.get("sent", 0))
                statuses.update({str(k): int(v) for k, v in (tally.get("statuses") or {}).items()})
                failures.update({str(k): int(v) for k, v in (tally.get("failures") or {}).items()})
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    return {"enviados": sent, "cobertos": covered, "status": dict(statuses), "falhas": sum(failures.values())}


def _claim_differences(journal: Path, data: dict[str, Any]) -> list[str]:
    """An approved result's counts against the journal's (a failed result is never made better by this check)."""
    totals = journal_totals(journal)
    if totals is None:
        return [f"{JOURNAL} com linha ilegível"]
    out = []
    if data.get("enviados") != totals["enviados"]:
        out.append(f"enviados e respondidos: resultado {data.get('enviados')!r}, diário {totals['enviados']}")
    failures = data.get("falhas")
    claimed = sum(v for v in failures.values() if isinstance(v, int)) if isinstance(failures, dict) else None
    if claimed != totals["falhas"]:
        out.append(f"falhas: resultado {claimed!r}, diário {totals['falhas']}")
    statuses = data.get("status")
    if isinstance(statuses, dict) and {k: v for k, v in statuses.items() if v} != {
        k: v for k, v in totals["status"].items() if v
    }:
        out.append(f"status das respostas: resultado {statuses}, diário {totals['status']}")
    return out


def burst_files(folder: Path, data: dict[str, Any] | None) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files of the burst ``resultado.json`` describes, and the ones left out with why (pt-BR).

    Locust rewrites its CSVs and HTML report during and at the end of the burst that names them; a file last
    written before this burst (this last part, when resumed) started, or well after it ended (:data:`AFTER_END_S`
    after its ``resultado.json``), is another burst's."""
    if not folder.is_dir():
        return [], []
    data = data or {}
    precise = data.get("inicio_desta_parte_unix")
    if isinstance(precise, int | float) and not isinstance(precise, bool) and precise > 0:
        start: float | None = float(precise) - SLACK_S / 2
    else:  # whole seconds only (a burst of an earlier version of homologa)
        start = _timestamp(data.get("inicio_desta_parte")) or _timestamp(data.get("inicio"))
        start = start - SLACK_S if start is not None else None
    try:
        end: float | None = (folder / RESULT).stat().st_mtime + AFTER_END_S
    except OSError:
        end = None
    kept: list[Path] = []
    left: list[tuple[str, str]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        written = path.stat().st_mtime
        if name.startswith(INTERRUPTED):
            left.append((name, "de uma rajada interrompida guardada à parte: é outra rajada, com pasta própria"))
        elif name not in _OWN and start is not None and written < start:
            left.append((name, "gravado antes do início desta rajada: é de outra rajada na mesma pasta"))
        elif name not in _OWN and end is not None and written > end:
            left.append((name, "gravado depois do fim desta rajada: é de outra rajada na mesma pasta"))
        else:
            kept.append(path)
    return kept, left


def shape_of(data: dict[str, Any]) -> str | None:
    """``golive`` or ``degraus`` — from the field, else from what earlier versions wrote (None when unknown)."""
    shape = data.get("forma")
    if isinstance(shape, str) and shape:
        return shape
    if data.get("degraus"):
        return "degraus"
    described = str(data.get("parametros") or "")
    words = described.rsplit("forma ", 1)[1].split(maxsplit=1) if "forma " in described else []
    return words[0].strip(",;") or None if words else None


def r6_judgement(data: dict[str, Any]) -> tuple[str, str]:
    """The burst as an R6 result: (Allure status, pt-BR message). ``failed`` when the burst failed; ``skipped``
    (INCONCLUSIVO) when it was not a complete go-live burst; ``passed`` only for a complete, approved go-live."""
    reasons = [r for r in data.get("motivos") or [] if isinstance(r, str)]
    if data.get("aprovado") is False:
        return "failed", f"carga reprovada: {'; '.join(reasons) or 'veja a apuração'}"
    shape = shape_of(data)
    if shape != GOLIVE:
        what = (
            "uma busca de capacidade (--shape degraus)"
            if shape == "degraus"
            else (f"de forma {shape}" if shape else "sem a forma registrada (versão anterior do homologa?)")
        )
        return "skipped", (
            f"carga inconclusiva para R6: a carga anexada é {what}, não a rajada do go-live que envia todos os "
            "clientes uma vez; anexe uma rajada --shape golive"
        )
    planned, answered = data.get("planejados"), data.get("enviados")
    if not isinstance(planned, int) or not isinstance(answered, int):
        return "skipped", "carga inconclusiva para R6: o resultado.json não diz quantos clientes foram planejados"
    if answered != planned:
        return "skipped", (
            f"carga inconclusiva para R6: {answered} de {planned} clientes planejados (clientes e reenvios) "
            "enviados e respondidos; R6 exige todos, cada um uma vez"
        )
    validated = _object(data, "limites").get("fracao_validada")
    if not isinstance(validated, int | float) or isinstance(validated, bool) or validated < 1:
        how = "não registrada" if validated is None else f"de {_share(validated)} das respostas"
        return "skipped", (
            f"carga inconclusiva para R6: validação no XSD {how} (--validate-share); R6 exige cada resposta "
            "conferida inteira — rode a rajada sem --validate-share"
        )
    return "passed", "carga aprovada: rajada do go-live completa, dentro dos limites"


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else f"{value:g}".replace(".", ",")


def _share(value: object) -> str:
    """A fraction as a pt-BR percentage (``0.05`` → ``5%``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",") + "%"


def distance(burst_end: object, run_start: object) -> str | None:
    """How far the burst ended from the suite run's start, in pt-BR (``None`` when either time is unknown): an old
    rehearsal of the same target is shown as old, never as part of this run."""
    end, start = _timestamp(burst_end), _timestamp(run_start)
    if end is None or start is None:
        return None
    seconds = start - end
    when = "antes" if seconds >= 0 else "depois"
    seconds = abs(seconds)
    if seconds < 3600:
        amount = f"{max(1, round(seconds / 60))} min"
    elif seconds < 2 * 86400:
        amount = f"{round(seconds / 3600)} h"
    else:
        amount = f"{round(seconds / 86400)} dias"
    return f"terminou {amount} {when} do início da execução da suíte"


def facts(data: dict[str, Any], run_start: object = None) -> list[tuple[str, str]]:
    """Which burst it was, in pt-BR lines (label, value) for the resumo and the R6 result; with the suite run's start,
    also how far from it the burst ran."""
    plan, limits = _object(data, "plano"), _object(data, "limites")
    diary = _object(data, "diario")
    was_resumed = bool(diary.get("retomada"))
    first = data.get("primeiro_inicio") or (None if was_resumed else data.get("inicio"))
    resumed = data.get("retomadas")
    part = data.get("inicio_desta_parte") or data.get("inicio")
    out = [
        ("Início da rajada", str(first or "não registrado (rajada retomada por versão anterior do homologa)")),
        ("Fim da rajada", str(data.get("fim") or "—")),
    ]
    apart = distance(data.get("fim"), run_start)
    if apart:
        out.append(("Quando, em relação à execução", apart))
    if isinstance(resumed, int) and resumed:
        out.append(("Retomada", f"{resumed} vez(es) com --resume; última parte iniciada em {part}"))
    elif was_resumed:
        out.append(("Retomada", f"sim (--resume); última parte iniciada em {part}"))
    else:
        out.append(("Retomada", "não"))
    if data.get("interrupcao"):
        out.append(("Interrompida", str(data["interrupcao"])))
    shape = shape_of(data)
    out.append(
        (
            "Forma",
            {GOLIVE: "go-live (todos os clientes uma vez)", "degraus": "degraus (busca de capacidade)"}.get(
                shape or "", shape or "não registrada"
            ),
        )
    )
    raw_ranges = plan.get("faixas_cep")
    ranges: list[Any] = raw_ranges if isinstance(raw_ranges, list) else []
    out.append(
        (
            "Plano",
            f"{_number(plan.get('clientes'))} clientes, reenvios {_share(plan.get('reenvios'))}, faixas de CEP "
            f"{', '.join(str(r) for r in ranges) or '—'}, semente {plan.get('semente', '—')}, índice inicial "
            f"{plan.get('primeiro_indice', '—')}",
        )
    )
    out.append(("Repetição (--replay)", "sim: APV/RPV esperado" if plan.get("repeticao") else "não"))
    p95, ratio = limits.get("p95_ms"), limits.get("falhas_aceitas")
    out.append(
        (
            "Limites julgados",
            "não registrados (versão anterior do homologa)"
            if p95 is None and ratio is None
            else f"p95 até {_number(p95)} ms; falhas aceitas até {_share(ratio)} dos clientes"
            + ("; a busca de capacidade não reprova por eles" if shape == "degraus" else ""),
        )
    )
    validated = limits.get("fracao_validada")
    out.append(
        (
            "Respostas validadas no XSD",
            "não registrado (versão anterior do homologa)"
            if validated is None
            else ("todas" if validated == 1 else f"{_share(validated)} (amostra: R6 inconclusivo)"),
        )
    )
    return out


def manifest_section(data: dict[str, Any]) -> dict[str, Any]:
    """Which burst it was, for the manifest's ``carga`` (beside the counts)."""
    diary = _object(data, "diario")
    return {
        "primeiro_inicio": data.get("primeiro_inicio") or (None if diary.get("retomada") else data.get("inicio")),
        "inicio_desta_parte": data.get("inicio_desta_parte") or data.get("inicio"),
        "fim": data.get("fim"),
        "forma": shape_of(data),
        "plano": data.get("plano"),
        "retomadas": data.get("retomadas") if isinstance(data.get("retomadas"), int) else None,
        "retomada": bool(diary.get("retomada")),
        "interrupcao": data.get("interrupcao"),
        "limites": data.get("limites"),
        "alvo_id": data.get("alvo_id"),
    }
