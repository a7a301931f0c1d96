"""The homologation verdict: one function, used by the suite's terminal summary, the run record, the resumo, the
Allure report, the package and ``homologa verificar`` — so they always agree.

A verdict says only what was tested. Its inputs are the outcome of every scenario that ran and what the run knows
about its own completeness (scenarios deselected, interrupted, rules with no scenario run). Order of precedence:

- ``reprovado``: a blocking scenario failed (a definite contract violation, whatever else is missing);
- ``inconclusivo``: nothing failed, but something needed for a sign-off is missing — a required rule with no
  scenario run, scenarios deselected (``-k``/``-m``/``--deselect``) or a selection narrowed to some files or tests,
  skipped or broken (harness fault), or the run
  was interrupted; the verdict names what is missing;
- ``aprovado com ressalvas``: only good practices (B1, B2) were not met;
- ``aprovado``: every required rule ran and passed.

R6 (the go-live burst) is not required for the contract verdict: a run or package without load evidence says so
plainly (see ``docs/evidencias.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

APPROVED = "aprovado"
APPROVED_WITH_REMARKS = "aprovado com ressalvas"
INCONCLUSIVE = "inconclusivo"
REJECTED = "reprovado"
# best first; ``homologa comparar`` uses this order to tell a verdict that got worse
ORDER = (APPROVED, APPROVED_WITH_REMARKS, INCONCLUSIVE, REJECTED)

# Rules every contract run must have exercised; R4/R5 are checked on every answer of every scenario.
ALWAYS_REQUIRED = ("R1", "R2", "R4", "R5")
EVERY_ANSWER = frozenset({"R4", "R5"})


@dataclass(frozen=True)
class Outcome:
    """One scenario as judged: its rule, ``passed``/``failed``/``broken``/``skipped``, and whether it blocks."""

    rule: str
    status: str
    blocking: bool = True
    advisory_not_met: bool = False  # a good practice reported unmet (shown as skipped)
    reason: str = ""  # a skipped scenario that says why it could not sign off (named in the verdict, not counted)


@dataclass(frozen=True)
class Coverage:
    """What the run knows about its own completeness (from the run record)."""

    partial: tuple[str, ...] = ()  # how the selection narrowed the suite besides -k/-m (paths, node ids, --ignore)
    deselected: int = 0
    not_run: int = 0  # selected scenarios that never reported (the run stopped before them)
    interrupted: str | None = None  # why the run stopped early, if it did
    protected_fields: bool = False  # R3 is required only when the distributor declared protected fields
    strict: bool = False  # with --strict good practices block and are required


@dataclass(frozen=True)
class Judgement:
    verdict: str
    missing: tuple[str, ...] = field(default=())
    failed: int = 0

    @property
    def title(self) -> str:
        return self.verdict.upper()

    @property
    def line(self) -> str:
        """The one-line verdict every artefact prints."""
        if self.verdict == REJECTED:
            text = f"REPROVADO: {self.failed} cenário(s) violam regras do contrato"
        elif self.verdict == INCONCLUSIVE:
            text = "INCONCLUSIVO: a rodada não cobriu o que a homologação exige"
        elif self.verdict == APPROVED_WITH_REMARKS:
            text = "APROVADO COM RESSALVAS: regras atendidas; boas práticas não atendidas (consultivas)"
        else:
            text = "APROVADO: todas as regras exigidas rodaram e passaram"
        if self.missing:
            text += " — faltou: " + "; ".join(self.missing)
        return text


def required_rules(coverage: Coverage) -> tuple[str, ...]:
    rules = list(ALWAYS_REQUIRED)
    if coverage.protected_fields:
        rules.insert(2, "R3")
    if coverage.strict:
        rules += ["B1", "B2"]
    return tuple(rules)


def judge(outcomes: Iterable[Outcome], coverage: Coverage) -> Judgement:
    """The verdict of one run (or one package) from its scenarios' outcomes and its coverage."""
    items = list(outcomes)
    blocking = [o for o in items if o.blocking or coverage.strict]
    failed = sum(o.status == "failed" for o in blocking)
    missing: list[str] = []
    if coverage.interrupted:
        missing.append(f"rodada interrompida ({coverage.interrupted})")
    if coverage.partial:
        missing.append("seleção parcial: " + "; ".join(coverage.partial))
    if coverage.deselected:
        missing.append(f"{coverage.deselected} cenário(s) desmarcados (-k/-m/--deselect)")
    if coverage.not_run:
        missing.append(f"{coverage.not_run} cenário(s) selecionados não executados")
    broken = sum(o.status == "broken" for o in items)
    if broken:
        missing.append(f"{broken} cenário(s) não rodaram por falha do próprio homologa")
    missing += [o.reason for o in blocking if o.status == "skipped" and o.reason and not o.advisory_not_met]
    skipped = sum(o.status == "skipped" and not o.advisory_not_met and not o.reason for o in blocking)
    if skipped:
        missing.append(f"{skipped} cenário(s) pulados")
    ran = {o.rule for o in items if o.status in ("passed", "failed") or o.advisory_not_met}
    contract_ran = any(o.rule != "R6" for o in items if o.status in ("passed", "failed"))
    for code in required_rules(coverage):
        covered = contract_ran if code in EVERY_ANSWER else code in ran
        if not covered:
            missing.append(f"{code} sem cenário executado")
    if failed:
        return Judgement(REJECTED, tuple(missing), failed)
    if missing or not items:
        return Judgement(INCONCLUSIVE, tuple(missing) or ("nenhum cenário executado",))
    if any(o.status == "failed" or o.advisory_not_met for o in items):
        return Judgement(APPROVED_WITH_REMARKS)
    return Judgement(APPROVED)


def worse(before: str, after: str) -> bool:
    """True when ``after`` is a worse verdict than ``before`` (unknown verdicts count as the worst)."""

    def rank(verdict: str) -> int:
        return ORDER.index(verdict) if verdict in ORDER else len(ORDER)

    return rank(after) > rank(before)
