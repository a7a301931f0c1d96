"""The virtual user of the burst: take the next index, send it, check the answer, pace itself.

Imports locust (monkey-patching): only ``loadtests/locustfile.py`` and the benchmarks import this module.
"""

from __future__ import annotations

import time
from typing import Any, cast

import gevent
from locust import FastHttpUser, task
from locust.env import Environment

from homologa.load.locust_runtime import runtime_of

IDLE_SECONDS = 0.5


class CadastroUser(FastHttpUser):
    """Sends ``CadastroCliente`` messages of the plan; statistics grouped as ``novo`` / ``reenvio``."""

    def __init__(self, environment: Environment) -> None:
        runtime = runtime_of(environment)
        # set before FastHttpUser builds its client
        self.network_timeout = runtime.settings.timeout
        self.connection_timeout = runtime.settings.timeout
        self.insecure = bool(runtime.profile and runtime.profile.auth.insecure)
        self.ssl_context_factory = runtime.tls  # None: Locust's own context
        super().__init__(environment)
        self.runtime = runtime
        self._due = 0.0

    def wait_time(self) -> float:
        """Constant throughput per user: one send every ``user_interval`` seconds, no catching-up bursts."""
        interval = self.runtime.settings.user_interval
        if interval <= 0:
            return 0.0
        now = time.monotonic()
        self._due = max(self._due + interval, now)
        return self._due - now

    @task
    def send(self) -> None:
        runtime = self.runtime
        scenario = runtime.scenario
        item = runtime.next_item()
        if item is None or scenario is None:
            gevent.sleep(IDLE_SECONDS)  # plan over for this process: idle until the shape stops the run
            return
        index, owner = item
        request = scenario.request(index)
        started = time.time()
        t0 = time.perf_counter()
        response: Any
        timeout = runtime.settings.timeout
        try:
            # the whole exchange (connect, TLS, send, headers, body) within --timeout: Locust's own timeouts are per
            # socket operation, so a peer trickling one byte per second would hold this user for hours
            with (
                gevent.Timeout(timeout),
                self.client.post(
                    "", data=cast(Any, request.body), headers=runtime.headers, name=request.name, catch_response=True
                ) as response,
            ):
                latency_ms = (time.perf_counter() - t0) * 1000
                status = response.status_code or 0
                exception = response.request_meta.get("exception") if status == 0 else None
                transport = None if status else _transport_reason(exception)
                outcome = scenario.check(
                    request,
                    status,
                    response.headers.get("Content-Type") if response.headers else None,
                    response.content,
                    transport,
                )
                if outcome.ok:
                    response.success()
                else:
                    response.failure(outcome.message)
        except gevent.Timeout:
            latency_ms = (time.perf_counter() - t0) * 1000
            outcome = scenario.check(request, 0, None, b"", "tempo esgotado")
            self.environment.events.request.fire(
                request_type="POST",
                name=request.name,
                response_time=latency_ms,
                response_length=0,
                exception=TimeoutError(outcome.message),
                context={},
            )
        runtime.record(owner, outcome, latency_ms, started, time.time())


def _transport_reason(exception: BaseException | None) -> str:
    """A low-cardinality reason for a request that got no HTTP answer."""
    if exception is None:
        return "sem resposta"
    name = type(exception).__name__
    if "timeout" in name.lower() or "timed out" in str(exception).lower():
        return "tempo esgotado"
    return name
