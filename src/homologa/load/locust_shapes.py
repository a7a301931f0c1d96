"""The ``LoadTestShape`` of the burst: go-live (ramp, hold until every customer is answered) or steps.

Imports locust (monkey-patching): only ``loadtests/locustfile.py`` imports this module. The arithmetic is in
:mod:`homologa.load.shapes`, tested without Locust.
"""

from __future__ import annotations

from locust import LoadTestShape
from locust.runners import STATE_RUNNING, STATE_SPAWNING

from homologa.load.locust_runtime import runtime_of
from homologa.load.shapes import GoLive, Tick


class BurstShape(LoadTestShape):
    """``--shape golive`` (default) or ``--shape degraus``; users × per-user rate = customers/s.

    ``--max-seconds`` caps the burst (the verdict then says how many customers were left unsent). Locust's own
    ``-u``/``-r``/``-t`` do not apply: the user count comes from the rate model.
    """

    def tick(self) -> Tick:
        runner = self.runner
        assert runner is not None
        runtime = runtime_of(runner.environment)
        started = runner.state in (STATE_SPAWNING, STATE_RUNNING)
        if not started:
            runtime.configure()  # the first tick comes before test_start: read the (web form's) options now
        settings = runtime.settings
        finished = started and runtime.finished
        elapsed = self.get_run_time()
        if runtime.step is not None and started:
            total = runner.stats.total
            p95 = total.get_current_response_time_percentile(0.95) if total.num_requests else None
            return runtime.step.tick(elapsed, total.num_requests, total.num_failures, p95, finished)
        if settings.shape == "degraus" and not started:
            users = max(1, settings.plateau_users // settings.steps)
            return users, float(users)
        if started:
            total = runner.stats.total
            p95 = total.get_current_response_time_percentile(0.95) if total.num_requests else None
            runtime.watch_collapse(elapsed, total.num_requests, total.num_failures, p95)
            finished = runtime.finished
        limit = settings.max_seconds or None
        return GoLive(settings.plateau_users, settings.ramp_seconds, limit).tick(elapsed, finished)
