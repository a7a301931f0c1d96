"""Connection guard: no peer may hold a connection forever, and slow or idle peers never starve normal ones.

Every connection is in one phase: *fresh* (accepted, no byte yet), *kept* (idle keep-alive, after an answer),
*head* (part of a request arrived, its handler has not started: headers still coming) or *busy* (a handler runs;
the body's own deadline is the handler's, ``body_timeout``). A sweep closes fresh and kept connections after
``idle_timeout`` and head connections after ``header_timeout``.

At most ``max_connections`` are open at once (default: three quarters of the open-file limit, so accepting never
fails with "too many open files"). A connection arriving when the cap is reached evicts the longest-idle kept
connection, else the oldest fresh one that never sent a byte, else the one that has been sending its headers the
longest (a slowloris peer; a normal client sends its headers at once) — never one younger than ``GRACE`` — else it
is answered 503 with ``Retry-After`` and closed. Busy connections are never evicted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

SERVER_NAME = "homologa"
SWEEP_INTERVAL = 0.25
FRESH, KEPT, HEAD, BUSY = "nova", "ociosa", "cabecalho", "ocupada"
GRACE = 0.5  # a connection this young is not evicted for being idle or slow: its request may not be read yet

log = logging.getLogger("homologa.server")


def default_limit() -> int:
    """Three quarters of the soft open-file limit (room for the database, threads and the listening socket)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return 4096
    return max(8, soft * 3 // 4)


class Guard:
    """Tracks every connection's phase; admits, evicts and times out connections. Lives in the server's loop.

    One insertion-ordered dict per phase (connection -> since): a phase change re-inserts, so the first entry of a
    phase is its oldest and eviction costs O(1) even when a flood of reconnections evicts at every accept.
    """

    def __init__(self, max_connections: int, header_timeout: float, idle_timeout: float, refusal: bytes) -> None:
        self.limit = max_connections or default_limit()
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self._refusal = refusal
        self._phase: dict[GuardedHandler, str] = {}
        self._by_phase: dict[str, dict[GuardedHandler, float]] = {FRESH: {}, KEPT: {}, HEAD: {}, BUSY: {}}
        self.refused = 0
        self.evicted = 0
        self.timed_out = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def open_connections(self) -> int:
        return len(self._phase)

    def admit(self, conn: GuardedHandler) -> bool:
        if len(self._phase) >= self.limit and not self._evict_one():
            self.refused += 1
            return False
        self._move(conn, FRESH)
        return True

    def _evict_one(self) -> bool:
        """Evict the oldest kept-alive idle connection; else the oldest fresh one, or the oldest still sending its
        headers, if older than :data:`GRACE` (a newcomer's request may not be read yet)."""
        kept = self._by_phase[KEPT]
        victim = next(iter(kept), None)
        if victim is None:
            now = time.monotonic()
            for phase in (FRESH, HEAD):
                first = next(iter(self._by_phase[phase].items()), None)
                if first is not None and now - first[1] > GRACE:
                    victim = first[0]
                    break
        if victim is None:
            return False
        self.forget(victim)
        self.evicted += 1
        victim.drop()
        return True

    def _move(self, conn: GuardedHandler, phase: str) -> None:
        old = self._phase.get(conn)
        if old is not None:
            del self._by_phase[old][conn]
        self._phase[conn] = phase
        self._by_phase[phase][conn] = time.monotonic()

    def received(self, conn: GuardedHandler) -> None:
        phase = self._phase.get(conn)
        if phase in {FRESH, KEPT}:
            self._move(conn, HEAD)

    def set_phase(self, conn: object, phase: str) -> None:
        if isinstance(conn, GuardedHandler) and conn in self._phase:
            self._move(conn, phase)

    def forget(self, conn: GuardedHandler) -> None:
        phase = self._phase.pop(conn, None)
        if phase is not None:
            del self._by_phase[phase][conn]

    def refusal(self) -> bytes:
        return self._refusal

    def sweep(self) -> None:
        now = time.monotonic()
        expired = []
        for phase, limit in ((FRESH, self.idle_timeout), (KEPT, self.idle_timeout), (HEAD, self.header_timeout)):
            for conn, since in self._by_phase[phase].items():
                if now - since <= limit:
                    break  # ordered by since: the rest are younger
                expired.append(conn)
        for conn in expired:
            self.forget(conn)
            self.timed_out += 1
            conn.drop()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._sweeper(), name="homologa-guarda")

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL)
            self.sweep()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        conn = request.protocol
        self.set_phase(conn, BUSY)
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # 404, 405...: answers too
            exc.headers["Server"] = SERVER_NAME
            raise
        finally:
            self.set_phase(conn, KEPT)
        response.headers["Server"] = SERVER_NAME
        return response


class GuardedHandler(RequestHandler):
    """aiohttp's connection handler, reporting to a :class:`Guard` and naming the server ``homologa``."""

    def __init__(self, manager: web.Server, guard: Guard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self.guard = guard
        self.refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self.guard.admit(self):
            self.refused = True
            assert isinstance(transport, asyncio.Transport)
            transport.write(self.guard.refusal())
            transport.close()
            return
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.refused:
            return
        self.guard.forget(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        self.guard.received(self)
        super().data_received(data)

    def eof_received(self) -> None:
        if not self.refused:
            super().eof_received()

    def drop(self) -> None:
        """Close at once (idle, slow or evicted): nothing is in flight on this connection."""
        transport = self.transport
        if transport is not None:
            transport.close()

    def handle_error(
        self, request: Any, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        response = super().handle_error(request, status, exc, message)
        response.headers["Server"] = SERVER_NAME
        return response


def refusal_bytes(body: bytes, content_type: str) -> bytes:
    """A complete HTTP/1.1 503 answer (``Retry-After: 1``) for a connection over the cap."""
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        f"Server: {SERVER_NAME}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Retry-After: 1\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


async def name_server(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: a bare ``Server`` header, no Python or aiohttp version."""
    response.headers["Server"] = SERVER_NAME
