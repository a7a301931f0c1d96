"""What can go wrong in a suite run, in two separate trees.

* :class:`ContractViolation` — the distributor's endpoint broke a rule. It subclasses ``AssertionError`` so pytest
  and Allure show it as a *failed* test (a finding about the endpoint).
* :class:`HarnessError` — homologa itself could not do its job (the embedded distributor did not start, a golden
  message is missing). Not an assertion: Allure shows it as *broken*, never as the distributor's fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from homologa.categories import DESCRIPTIONS

# Failure categories: homologa.categories (``CATEGORIES`` maps each to its description, for Allure).
CATEGORIES = DESCRIPTIONS


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken expectation on one answer: which rule, which category, what was expected and what came back."""

    rule: str
    category: str
    expected: str
    got: str
    details: str = ""

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"categoria desconhecida: {self.category!r}")


class ContractViolation(AssertionError):
    """The endpoint broke a platform rule (or a best practice). ``str()`` is the whole pt-BR failure message."""

    def __init__(
        self,
        rule: str,
        title: str,
        category: str,
        message: str,
        *,
        violated: str | None = None,
        symptom: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.symptom = symptom  # what the answer looked like, for the run's diagnosis (homologa.suite.diagnosis)
        self.rule = rule  # the scenario's rule
        self.violated = violated or rule  # the rule the answer broke (R4/R5 on any scenario)
        self.title = title
        self.category = category
        self.message = message


class HarnessError(Exception):
    """homologa itself failed (not the distributor): shown as *broken*, with a pt-BR message."""
