"""Verdicts: per rule (R1..R6 obligations, B1..B2 good practices) and for the whole homologation.

A rule fails when any of its scenarios failed or broke; a good practice is "não atendida" when the suite reported it
unmet (a skip, since it only advises unless ``--strict``). The homologation is:

- ``reprovado`` when a blocking scenario (severity other than minor/trivial) failed;
- ``inconclusivo`` when none failed but a blocking scenario broke (the harness could not run it), or nothing ran;
- ``aprovado com ressalvas`` when only good practices failed, broke or were not met (with ``estrito=sim`` in the
  suite's ``environment.properties``, i.e. ``--strict``, good practices block like rules);
- ``aprovado`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from homologa.report.results import OTHER_RULE, Results

RULES = ("R1", "R2", "R3", "R4", "R5", "R6", "B1", "B2")
# Names shown when no scenario of the rule carried its title (contract v1, section "Regras").
RULE_NAMES = {
    "R1": "Cliente novo recebe PEN",
    "R2": "Reenvio recebe APV/RPV",
    "R3": "Campos protegidos sem erro",
    "R4": "Eco de IdMensagem e CNPJ",
    "R5": "Resposta válida",
    "R6": "Carga do go-live",
    "B1": "Idempotência",
    "B2": "Latência",
}
# Rules the suite checks on every answer of every scenario rather than in scenarios of their own.
EVERY_ANSWER_RULES = frozenset({"R4", "R5"})
NON_BLOCKING_SEVERITIES = frozenset({"minor", "trivial"})

APPROVED = "aprovado"
APPROVED_WITH_REMARKS = "aprovado com ressalvas"
REJECTED = "reprovado"
INCONCLUSIVE = "inconclusivo"


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


def overall_verdict(results: Results) -> str:
    ran = [t for t in results.tests if t.status in ("passed", "failed", "broken") or t.advisory_not_met]
    if not ran:
        return INCONCLUSIVE
    strict = results.environment.get("estrito", "").strip().lower() in ("sim", "true", "1")
    blocking = [t for t in ran if strict or (t.severity not in NON_BLOCKING_SEVERITIES and t.rule[:1] != "B")]
    if any(t.status == "failed" for t in blocking):
        return REJECTED
    if any(t.status == "broken" for t in blocking):
        return INCONCLUSIVE
    if any(t.failed or t.advisory_not_met for t in ran):
        return APPROVED_WITH_REMARKS
    return APPROVED
