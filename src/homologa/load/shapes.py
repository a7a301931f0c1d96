"""The load shapes as plain data and arithmetic (the Locust ``LoadTestShape`` wrappers live in ``locust_shapes``).

Rate model: every virtual user is paced at the same ``user_rate`` (customers/s, see ``settings``), so the rate of
the burst is ``users × user_rate`` and a shape controls the rate by controlling the number of users.

* :class:`GoLive` — ramp to the plateau in ``ramp_seconds`` and hold it until every customer has been answered.
* :class:`StepSearch` — raise the rate one step every ``step_seconds`` until p95 breaks the budget, the step's
  failure ratio goes over the accepted one, or the step achieves under 80% of its nominal rate; the last good
  step's achieved rate is the ERP's sustainable rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Tick = tuple[int, float] | None


@dataclass(frozen=True)
class GoLive:
    users: int
    ramp_seconds: float = 10.0
    time_limit: float | None = None  # seconds; None = until every customer was answered

    def tick(self, elapsed: float, finished: bool) -> Tick:
        if finished or (self.time_limit is not None and elapsed >= self.time_limit):
            return None
        spawn_rate = self.users / self.ramp_seconds if self.ramp_seconds > 0 else float(self.users)
        return self.users, max(spawn_rate, 1.0)


@dataclass(frozen=True)
class StepResult:
    last_good_users: int
    last_good_rate: float  # achieved, customers/s
    broken_at_users: int | None
    reason: str | None


@dataclass
class StepSearch:
    users_per_step: int
    step_seconds: float
    p95_budget_ms: float
    accepted_failure_ratio: float
    max_steps: int = 20
    user_rate: float = 0.0  # customers/s of one user (0: unpaced, no "rate not sustained" check)
    sustained_share: float = 0.8  # a step that achieves less than this share of its nominal rate broke
    _step: int = 0
    _at_step_start: tuple[int, int] = (0, 0)  # (requests, failures) when the current step began
    last_good_users: int = 0
    last_good_rate: float = 0.0  # achieved customers/s of the last good step
    broken_at_users: int | None = None
    reason: str | None = None
    history: list[tuple[int, int, int, float | None]] = field(default_factory=list)  # users, requests, failures, p95

    def users_of(self, step: int) -> int:
        return (step + 1) * self.users_per_step

    def tick(self, elapsed: float, requests: int, failures: int, p95_ms: float | None, finished: bool) -> Tick:
        """``requests``/``failures`` are running totals; ``p95_ms`` the recent p95 (None when unknown)."""
        if self.broken_at_users is not None:
            return None
        step = math.floor(elapsed / self.step_seconds)
        if step > self._step:
            users = self.users_of(self._step)
            done = requests - self._at_step_start[0]
            failed = failures - self._at_step_start[1]
            self.history.append((users, done, failed, p95_ms))
            ratio = failed / done if done else 0.0
            achieved = done / ((step - self._step) * self.step_seconds)
            nominal = users * self.user_rate
            if p95_ms is not None and p95_ms > self.p95_budget_ms:
                self.broken_at_users, self.reason = users, f"p95 {p95_ms:.0f} ms > {self.p95_budget_ms:.0f} ms"
                return None
            if ratio > self.accepted_failure_ratio:
                self.broken_at_users, self.reason = users, f"falhas {ratio:.2%} > {self.accepted_failure_ratio:.2%}"
                return None
            if nominal and achieved < self.sustained_share * nominal:
                self.broken_at_users = users
                self.reason = f"taxa não sustentada: {achieved:.1f} de {nominal:.1f} clientes/s"
                return None
            self.last_good_users, self.last_good_rate = users, achieved
            self._step = step
            self._at_step_start = (requests, failures)
        if finished or self._step >= self.max_steps:
            return None
        users = self.users_of(self._step)
        return users, float(max(self.users_per_step, 1))

    def result(self) -> StepResult:
        return StepResult(self.last_good_users, self.last_good_rate, self.broken_at_users, self.reason)
