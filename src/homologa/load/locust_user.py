"""The virtual user of the burst: take the next index, send it, check the answer, pace itself.

Imports locust (monkey-patching): only ``loadtests/locustfile.py`` and the benchmarks import this module.
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from locust import FastHttpUser, task
from locust.env import Environment

from homologa.load.checks import Outcome, unverifiable
from homologa.load.locust_exchange import TRANSPORT_ERRORS, Poster, read_answer, report_to_locust
from homologa.load.locust_runtime import runtime_of
from homologa.load.scenario import Request, Scenario

IDLE_SECONDS = 0.5


class CadastroUser(FastHttpUser):
    """Sends ``CadastroCliente`` messages of the plan; statistics grouped as ``novo`` / ``reenvio``."""

    # A redirect is the ERP's answer, judged like any status other than 200 (as the suite judges it), never
    # followed: following re-sent every customer's data, and headers such as an X-Api-Key from
    # HOMOLOGA_CARGA_CABECALHOS, to whatever host the Location named. The Poster follows none (HTTPClient has no
    # redirects); this keeps Locust's own client (up to 30 by default) from following any either.
    max_redirects = 0

    def __init__(self, environment: Environment) -> None:
        runtime = runtime_of(environment)
        # set before FastHttpUser builds its client
        self.network_timeout = runtime.settings.timeout
        self.connection_timeout = runtime.settings.timeout
        self.insecure = bool(runtime.profile and runtime.profile.auth.insecure)
        self.ssl_context_factory = runtime.tls  # None: Locust's own context
        super().__init__(environment)
        self._poster = Poster(self.client, runtime.headers)  # sends on the client Locust built, without its layers
        self.runtime = runtime
        self._due = 0.0
        # the whole-exchange deadline: one timer per user, re-armed for the full --timeout by again() before each
        # request (its repeat is what again() re-arms with; a libev timer stopped and started again would keep only
        # what was left of its time and fire early). A new gevent.Timeout per request cost more than the tally.
        timeout = runtime.settings.timeout
        self._deadline = gevent.get_hub().loop.timer(timeout, timeout, priority=-1)
        self._expired = gevent.Timeout()  # what the timer throws: still a gevent.Timeout for whoever catches it

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
        request = scenario.prepared(index, owner.stop)
        body = scenario.stamp(request)  # DataHoraEnvio: now, at the send, not when the batch was rendered
        started = time.time()
        t0 = time.perf_counter()
        status, content_type, answer, transport, broken = 0, None, None, None, None
        deadline, expired = self._deadline, self._expired
        # the whole exchange (connect, TLS, send, headers, body) within --timeout: the client's own timeouts are per
        # socket operation, so a peer trickling one byte per second would hold this user for hours
        deadline.again(gevent.getcurrent().throw, expired)
        try:
            response = self._poster.post(body)
            status = response.status_code or 0
            content_type = _content_type(response)
            answer = read_answer(response)
        except gevent.Timeout:
            transport = "tempo esgotado"
        except TRANSPORT_ERRORS as exc:  # no answer, or one that could not be read: not an XML judged from a part
            transport = _transport_reason(exc)
        except Exception as exc:  # anything else that escaped the exchange: recorded as not verified, never lost
            broken = unverifiable(exc)
        except BaseException:  # GreenletExit: Locust killed this user mid-exchange (rebalancing, --stop-timeout)
            runtime.give_back(index, owner)  # sent again by another user, same IdMensagem; Locust counted nothing
            raise
        finally:
            deadline.stop()
            expired.__traceback__ = None  # thrown again by later requests: no traceback piling up
        latency_ms = (time.perf_counter() - t0) * 1000  # the exchange alone, as Locust's response_time (not the check)
        outcome = broken or _judge(
            scenario, request, status=status, content_type=content_type, body=answer, transport=transport
        )
        report_to_locust(
            self.environment.events.request, request.name, latency_ms, len(answer) if answer else 0,
            None if outcome.ok else outcome.message,
        )  # fmt: skip
        runtime.record(owner, outcome, latency_ms, started, time.time())


def _content_type(response: Any) -> str | None:
    """The answer's Content-Type; a header sent more than once is joined, as the suite's httpx does."""
    value = response.get("Content-Type")
    if isinstance(value, list):
        return ", ".join(value)
    return value  # type: ignore[no-any-return]


def _judge(
    scenario: Scenario,
    request: Request,
    *,
    status: int,
    content_type: str | None,
    body: bytes | None,
    transport: str | None,
) -> Outcome:
    """The outcome of one exchange: the answer judged, or the transport failure that left none to judge."""
    try:
        if transport is not None:
            return scenario.check(request, 0, None, b"", transport)
        return scenario.check(request, status, content_type, body)
    except Exception as exc:  # a harness bug must not leave the customer unrecorded
        return unverifiable(exc)


def _transport_reason(exception: BaseException) -> str:
    """A low-cardinality reason for a request that got no HTTP answer, or one that could not be read."""
    name = type(exception).__name__
    if "timeout" in name.lower() or "timed out" in str(exception).lower():
        return "tempo esgotado"
    return name
