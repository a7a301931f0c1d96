"""Verdicts: per rule (R1..R6 obligations, B1..B2 good practices) and for the whole homologation.

A rule fails when any of its scenarios failed or broke. The homologation is ``reprovado`` when a scenario that is
not a good practice (severity other than minor/trivial) failed, ``aprovado com ressalvas`` when only good practices
failed, ``aprovado`` when everything that ran passed, and ``inconclusivo`` when nothing passed or failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from homologa.report.results import OTHER_RULE, Results

RULES = ("R1", "R2", "R3", "R4", "R5", "R6", "B1", "B2")
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

    @property
    def verdict(self) -> str:
        if self.failed:
            return "falhou"
        if self.passed:
            return "passou"
        return "não executada" if not self.skipped else "pulada"


def rule_verdicts(results: Results) -> list[RuleVerdict]:
    """One line per known rule (even when it did not run), then any other rule id seen, then ``outros``."""
    seen = [t.rule for t in results.tests]
    order = list(RULES) + sorted({r for r in seen if r not in RULES and r != OTHER_RULE})
    if OTHER_RULE in seen:
        order.append(OTHER_RULE)
    verdicts = []
    for rule in order:
        tests = [t for t in results.tests if t.rule == rule]
        title = next((t.rule_title for t in tests if t.rule_title), "")
        verdicts.append(
            RuleVerdict(
                rule=rule,
                title=title,
                passed=sum(t.status == "passed" for t in tests),
                failed=sum(t.failed for t in tests),
                skipped=sum(t.status not in ("passed", "failed", "broken") for t in tests),
            )
        )
    return verdicts


def overall_verdict(results: Results) -> str:
    ran = [t for t in results.tests if t.status in ("passed", "failed", "broken")]
    if not ran:
        return INCONCLUSIVE
    failed = [t for t in ran if t.failed]
    if not failed:
        return APPROVED
    if all(t.severity in NON_BLOCKING_SEVERITIES for t in failed):
        return APPROVED_WITH_REMARKS
    return REJECTED
