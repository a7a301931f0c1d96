"""When a burst should stop early because the ERP collapsed (pure: no locust, no gevent).

A go-live rehearsal runs for hours; an ERP that falls over in its first minutes should not keep it running with no
verdict. :class:`CollapseWatch` is fed once a second with the run's cumulative counts and its recent p95 (Locust's
10-second window) and gives a pt-BR reason to stop when, over ``window_s`` seconds:

* the recent p95 stayed above ``p95_factor`` × the budget the whole time (latency far beyond the budget, sustained),
  or
* more than ``failure_ratio`` of the answers of that window failed (and at least ``min_answers`` came back).

``p95_factor = 0`` or ``failure_ratio = 0`` turn the respective criterion off.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class CollapseWatch:
    p95_budget_ms: float
    p95_factor: float = 5.0
    failure_ratio: float = 0.5
    window_s: float = 30.0
    min_answers: int = 20
    _over_since: float | None = None
    _samples: deque[tuple[float, int, int]] = field(default_factory=deque)  # (elapsed, requests, failures)

    def observe(self, elapsed: float, requests: int, failures: int, recent_p95_ms: float | None) -> str | None:
        """The reason to stop now, or None."""
        limit = self.p95_factor * self.p95_budget_ms
        if self.p95_factor > 0 and recent_p95_ms is not None and recent_p95_ms > limit:
            if self._over_since is None:
                self._over_since = elapsed
            if elapsed - self._over_since >= self.window_s:
                return (
                    f"ERP em colapso: p95 recente de {recent_p95_ms:.0f} ms acima de {self.p95_factor:g}× o orçamento"
                    f" ({limit:.0f} ms) por {self.window_s:g} s seguidos"
                )
        else:
            self._over_since = None
        samples = self._samples
        samples.append((elapsed, requests, failures))
        while len(samples) >= 2 and samples[1][0] <= elapsed - self.window_s:
            samples.popleft()
        since, requests_then, failures_then = samples[0]
        answers, failed = requests - requests_then, failures - failures_then
        if (
            self.failure_ratio > 0
            and elapsed - since >= self.window_s
            and answers >= self.min_answers
            and failed / answers > self.failure_ratio
        ):
            return (
                f"ERP em colapso: {failed} falhas em {answers} respostas nos últimos {self.window_s:g} s"
                f" ({failed / answers:.0%} > {self.failure_ratio:.0%})"
            )
        return None
