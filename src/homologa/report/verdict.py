"""Verdicts: per rule (R1..R6 obligations, B1..B2 good practices) and for the whole homologation.

A rule fails when any of its scenarios failed or broke; a good practice is "não atendida" when the suite reported it
unmet (a skip, since it only advises unless ``--strict``). The homologation's verdict is :mod:`homologa.judgement`'s,
from the results and the run's record (selection, interruption): the same function the suite used at the end of the
run, so the terminal, the record, the resumo, the report and the package agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homologa.judgement import (
    APPROVED,
    APPROVED_WITH_REMARKS,
    EVERY_ANSWER,
    INCONCLUSIVE,
    REJECTED,
    Coverage,
    Judgement,
    Outcome,
    judge,
)
from homologa.report.load_evidence import FULL_NAME as LOAD_RESULT_NAME
from homologa.report.results import OTHER_RULE, Results
from homologa.rules import RULES as _RULES

RULES = tuple(_RULES)  # the one list of rules (homologa.rules), in its order
# Names shown when no scenario of the rule carried its title (contract v1, section "Regras").
RULE_NAMES = {code: r.name for code, r in _RULES.items()}
# Rules the suite checks on every answer of every scenario rather than in scenarios of their own.
EVERY_ANSWER_RULES = EVERY_ANSWER
NON_BLOCKING_SEVERITIES = frozenset({"minor", "trivial"})

__all__ = ["APPROVED", "APPROVED_WITH_REMARKS", "INCONCLUSIVE", "REJECTED", "overall_verdict", "rule_verdicts"]


@dataclass(frozen=True)
class RuleVerdict:
    rule: str
    title: str
    passed: int
    failed: int
    skipped: int
    not_met: int = 0  # good practices reported unmet (advisory)
    every_answer: bool = False  # no scenario of its own: checked on the answers of the other scenarios

    @property
    def verdict(self) -> str:
        if self.failed:
            return "falhou"
        if self.not_met:
            return "não atendida (consultiva)"
        if self.every_answer and self.passed:
            return "passou (verificada em toda resposta)"
        if self.passed:
            return "passou"
        return "não executada" if not self.skipped else "pulada"


def rule_verdicts(results: Results) -> list[RuleVerdict]:
    """One line per known rule (even when it did not run), then any other rule id seen, then ``outros``."""
    seen = [t.rule for t in results.tests]
    order = list(RULES) + sorted({r for r in seen if r not in RULES and r != OTHER_RULE})
    if OTHER_RULE in seen:
        order.append(OTHER_RULE)
    scenarios = [t for t in results.tests if t.rule in RULES and t.rule != "R6"]
    verdicts = []
    for rule in order:
        tests = [t for t in results.tests if t.rule == rule]
        citing = [t for t in results.tests if t.rule != rule and t.failed and rule in t.cited_rules]
        every_answer = not tests and rule in EVERY_ANSWER_RULES and bool(scenarios)
        title = next((t.rule_title for t in tests if t.rule_title), "") or RULE_NAMES.get(rule, "")
        verdicts.append(
            RuleVerdict(
                rule=rule,
                title=title,
                passed=sum(t.status == "passed" for t in (scenarios if every_answer else tests)),
                failed=sum(t.failed for t in tests) + len(citing),
                skipped=sum(t.status not in ("passed", "failed", "broken") and not t.advisory_not_met for t in tests),
                not_met=sum(t.advisory_not_met for t in tests),
                every_answer=every_answer,
            )
        )
    return verdicts


def outcomes_of(results: Results) -> list[Outcome]:
    """The scenarios as :func:`homologa.judgement.judge` sees them (same statuses as Allure shows)."""
    return [
        Outcome(
            rule=t.rule,
            status=t.status if t.status in ("passed", "failed", "broken") else "skipped",
            blocking=t.severity not in NON_BLOCKING_SEVERITIES and t.rule[:1] != "B",
            advisory_not_met=t.advisory_not_met,
            reason=(t.message.splitlines() or ["carga inconclusiva para R6"])[0]
            if t.full_name == LOAD_RESULT_NAME and t.status == "skipped"
            else "",
        )
        for t in results.tests
    ]


def coverage_of(record: Mapping[str, Any] | None, results: Results | None = None) -> Coverage:
    """What a run's record says about its completeness (no record: nothing known beyond the results)."""
    if not record:
        strict = results is not None and results.environment.get("estrito", "").strip().lower() in ("sim", "true")
        return Coverage(strict=strict)
    selection = record.get("selecao") or {}
    options = record.get("opcoes") or {}
    state = record.get("estado")
    interrupted = None
    if state == "interrompida":
        interrupted = "; ".join(record.get("veredito", {}).get("faltando", [])[:1]) or "execução interrompida"
        interrupted = interrupted.removeprefix("rodada interrompida (").removesuffix(")")
    elif state != "concluida":
        interrupted = "a execução não terminou (abortada ou ainda em andamento)"
    selected = int(selection.get("selecionados") or 0)
    if "executados" in selection:
        executed = int(selection.get("executados") or 0)
    else:  # the run never finished its record (killed): count what it did write
        executed = len(results.tests) if results is not None else 0
    return Coverage(
        partial=tuple(str(p) for p in selection.get("parcial") or ()),
        deselected=int(selection.get("desmarcados") or 0),
        not_run=max(0, selected - executed),
        interrupted=interrupted,
        protected_fields=bool(options.get("campos_protegidos")),
        strict=bool(options.get("estrito")),
    )


def judge_results(results: Results, record: Mapping[str, Any] | None = None) -> Judgement:
    return judge(outcomes_of(results), coverage_of(record, results))


def overall_verdict(results: Results, record: Mapping[str, Any] | None = None) -> str:
    return judge_results(results, record).verdict
