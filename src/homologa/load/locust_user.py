"""The virtual user of the burst: take the next index, send it, check the answer, pace itself.

Imports locust (monkey-patching): only ``loadtests/locustfile.py`` and the benchmarks import this module.
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from geventhttpclient.useragent import UserAgent
from locust import FastHttpUser, task
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment

from homologa.load.checks import Outcome, unverifiable
from homologa.load.locust_runtime import runtime_of
from homologa.load.scenario import Request, Scenario

IDLE_SECONDS = 0.5


class CadastroUser(FastHttpUser):
    """Sends ``CadastroCliente`` messages of the plan; statistics grouped as ``novo`` / ``reenvio``."""

    # A redirect is the ERP's answer, judged like any status other than 200 (as the suite judges it), never
    # followed: following re-sent every customer's data, and headers such as an X-Api-Key from
    # HOMOLOGA_CARGA_CABECALHOS, to whatever host the Location named (Locust follows up to 30 by default).
    max_redirects = 0

    def __init__(self, environment: Environment) -> None:
        runtime = runtime_of(environment)
        # set before FastHttpUser builds its client
        self.network_timeout = runtime.settings.timeout
        self.connection_timeout = runtime.settings.timeout
        self.insecure = bool(runtime.profile and runtime.profile.auth.insecure)
        self.ssl_context_factory = runtime.tls  # None: Locust's own context
        super().__init__(environment)
        forget_cookies(self.client)
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
        scenario.stamp(request)  # DataHoraEnvio: now, at the send, not when the batch was rendered
        started = time.time()
        t0 = time.perf_counter()
        response: Any
        deadline, expired = self._deadline, self._expired
        # the whole exchange (connect, TLS, send, headers, body) within --timeout: Locust's own timeouts are per
        # socket operation, so a peer trickling one byte per second would hold this user for hours
        deadline.again(gevent.getcurrent().throw, expired)
        try:
            with self.client.post(
                "",
                data=request.body,  # type: ignore[arg-type]  # bytes go out as they are (no cast(): a call per request)
                headers=runtime.headers,
                name=request.name,
                catch_response=True,
            ) as response:
                outcome = _judge(scenario, request, response)
                latency_ms = response.request_meta["response_time"]  # Locust's own figure: the tally agrees with it
                if outcome.ok:
                    response.success()
                else:
                    response.failure(outcome.message)
        except gevent.Timeout:
            latency_ms = (time.perf_counter() - t0) * 1000
            outcome = scenario.check(request, 0, None, b"", "tempo esgotado")
            self._failed(request.name, latency_ms, TimeoutError(outcome.message))
        except Exception as exc:  # anything else that escaped the exchange: recorded as not verified, never lost
            latency_ms = (time.perf_counter() - t0) * 1000
            outcome = unverifiable(exc)
            self._failed(request.name, latency_ms, RuntimeError(outcome.message))
        except BaseException:  # GreenletExit: Locust killed this user mid-exchange (rebalancing, --stop-timeout)
            runtime.give_back(index, owner)  # sent again by another user, same IdMensagem; Locust counted nothing
            raise
        finally:
            deadline.stop()
            expired.__traceback__ = None  # thrown again by later requests: no traceback piling up
        runtime.record(owner, outcome, latency_ms, started, time.time())

    def _failed(self, name: str, latency_ms: float, exception: Exception) -> None:
        """Report a request that ended outside Locust's own bookkeeping (no answer to attach) as a failure."""
        self.environment.events.request.fire(
            request_type="POST",
            name=name,
            response_time=latency_ms,
            response_length=0,
            exception=exception,
            context={},
        )


def _judge(scenario: Scenario, request: Request, response: Any) -> Outcome:
    """The outcome of one exchange that got an answer object from Locust (``response``: its context manager)."""
    meta = response.request_meta
    status = response.status_code or 0
    exception = meta.get("exception")
    if status and exception is not None and exception is getattr(meta.get("response"), "error", None):
        exception = None  # Locust's error for an HTTP status >= 400: the answer itself is judged
    # any other exception beside a status: reading the body failed (the whole-exchange deadline while a
    # body trickled in, a connection cut mid-body) and Locust kept it in the meta; the answer is a
    # transport failure, as the suite says, not an XML judged from the part that arrived
    transport = _transport_reason(exception) if exception is not None or not status else None
    headers = response.headers
    # `is not None`, not truthiness: `if headers` called Headers.__len__ on every answer
    content_type = headers.get("Content-Type") if headers is not None else None
    if isinstance(content_type, list):  # the header sent more than once: joined, as the suite's httpx does
        content_type = ", ".join(content_type)
    try:
        body = response.content
    except Exception as exc:  # e.g. a body that is not the gzip its Content-Encoding says: not received
        body, transport = None, transport or _transport_reason(exc)
    try:
        outcome = scenario.check(request, status, content_type, body, transport)
    except Exception as exc:  # a harness bug must not leave the customer unrecorded
        outcome = unverifiable(exc)
    return outcome


def forget_cookies(session: FastHttpSession) -> None:
    """No cookie jar: a cookie the ERP (or its load balancer) sets is never sent back.

    The distributor's platform sends server to server and keeps no cookies; Locust's ``FastHttpUser`` keeps a jar
    per user, which would make its users stickier to one back end than the platform is (and cost ~6% of a bare
    user's CPU: ``add_cookie_header``/``extract_cookies`` on every request). geventhttpclient's ``UserAgent`` takes
    ``cookiejar=None`` (its default) as "no cookies"; ``FastHttpSession.client`` is that user agent. Both are public
    attributes; if a later Locust renames them, this fails at start-up instead of silently keeping cookies.
    """
    agent = session.client
    if not isinstance(agent, UserAgent) or not hasattr(agent, "cookiejar"):
        raise RuntimeError("homologa carga: esta versão do Locust não deixa desligar os cookies (FastHttpSession)")
    agent.cookiejar = None


def _transport_reason(exception: BaseException | None) -> str:
    """A low-cardinality reason for a request that got no HTTP answer."""
    if exception is None:
        return "sem resposta"
    original = getattr(exception, "original", None)  # geventhttpclient's RetriesExceeded wraps what happened
    if isinstance(original, BaseException):
        exception = original  # e.g. the whole-exchange gevent.Timeout: "tempo esgotado", not "RetriesExceeded"
    name = type(exception).__name__
    if "timeout" in name.lower() or "timed out" in str(exception).lower():
        return "tempo esgotado"
    return name
