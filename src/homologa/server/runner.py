"""Start and stop a reference server in a background thread with its own event loop (tests, the pytest plugin,
and ``homologa servir``)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
from types import TracebackType

from aiohttp import web

from homologa.contract import ContractPack, ContractPackError, load_pack
from homologa.model import CadastroCliente
from homologa.server import registry, wire
from homologa.server.app import Submit, build_app
from homologa.server.business import Outcome
from homologa.server.config import ServerConfig
from homologa.server.guard import Guard, GuardedHandler, refusal_bytes
from homologa.server.memory import Trimmer
from homologa.server.store import MemoryStore, SqliteStore, Store
from homologa.server.writer import GroupCommitWriter

SHUTDOWN_TIMEOUT = 1.0
START_TIMEOUT = 15.0
ACCEPT_BATCH = 16
LISTEN_BACKLOG = 1024
LINGER = 1.0  # after an early answer (413, 408), unread body bytes are drained for at most this long


class ServerStartError(RuntimeError):
    """The server could not start (port taken, database not writable...); the message is pt-BR."""


_BIND_ERRORS = {
    errno.EADDRINUSE: "a porta já está em uso (outro processo escuta nela; escolha outra com --porta)",
    errno.EACCES: "sem permissão (portas abaixo de 1024 exigem privilégio; escolha outra com --porta)",
    errno.EADDRNOTAVAIL: "endereço indisponível nesta máquina (confira --endereco)",
    errno.EAFNOSUPPORT: "tipo de endereço não suportado nesta máquina (confira --endereco)",
}


def bind_error(exc: OSError | OverflowError) -> str:
    """Why the server could not listen, in pt-BR only (Python's text adds "(while attempting to bind on address…)")."""
    if isinstance(exc, OverflowError):
        return "porta fora do intervalo 0 a 65535"
    if isinstance(exc, socket.gaierror):
        return "endereço desconhecido (confira --endereco)"
    code = exc.errno or 0
    return _BIND_ERRORS.get(code, f"erro do sistema {errno.errorcode.get(code, code)}")


class ReferenceServer:
    """The reference distributor, listening on ``cfg.host:cfg.port`` (port 0 picks a free one).

    ``with ReferenceServer(cfg) as srv:`` starts it and returns once it accepts connections; ``srv.url`` is the
    ``POST /clientes`` address. :meth:`stop` is quick even with a hung request (fault ``trava``) in flight.
    """

    def __init__(self, cfg: ServerConfig) -> None:
        self.cfg = cfg
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._store: Store | None = None
        self._writer: GroupCommitWriter | None = None
        self.guard: Guard | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.cfg.host}]" if ":" in self.cfg.host else self.cfg.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/clientes"

    def start(self) -> ReferenceServer:
        if self._thread is not None:
            raise RuntimeError("servidor já iniciado")
        cfg = self.cfg
        try:
            pack = load_pack(cfg.contract)
        except ContractPackError as exc:
            raise ServerStartError(str(exc)) from None
        self._ready = threading.Event()
        self._error = None
        try:
            family = socket.AF_INET6 if ":" in cfg.host else socket.AF_INET
            sock = socket.create_server((cfg.host, cfg.port), family=family, backlog=LISTEN_BACKLOG)
        except (OSError, OverflowError) as exc:
            raise ServerStartError(f"não foi possível escutar em {cfg.host}:{cfg.port}: {bind_error(exc)}") from None
        self.port = sock.getsockname()[1]
        try:
            self._store = SqliteStore(cfg.db_path, cfg.synchronous, cfg.db_wait) if cfg.persist else MemoryStore()
        except Exception as exc:
            sock.close()
            raise ServerStartError(str(exc)) from None
        self._thread = threading.Thread(target=self._serve, args=(sock, pack), name="homologa-serve", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self._error is not None:
            self.stop()
            raise ServerStartError(f"o servidor não iniciou: {self._error or 'tempo esgotado'}")
        return self

    def _submit_function(self) -> Submit:
        cfg = self.cfg
        store = self._store
        assert store is not None
        if cfg.persist:
            writer = GroupCommitWriter(store, lambda s, m: registry.handle(s, m, cfg), cfg.max_batch)
            writer.start()
            self._writer = writer

            async def durable(msg: CadastroCliente) -> Outcome:
                return await writer.submit(msg)

            return durable
        memory = store

        async def in_memory(msg: CadastroCliente) -> Outcome:
            return registry.handle(memory, msg, cfg)

        return in_memory

    def _serve(self, sock: socket.socket, pack: ContractPack) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._main(sock, pack))
        except BaseException as exc:
            self._error = exc
            self._ready.set()
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _main(self, sock: socket.socket, pack: ContractPack) -> None:
        self._stop_event = asyncio.Event()
        closing = asyncio.Event()
        cfg = self.cfg
        refused = wire.render(
            wire.bad_request("INDISPONIVEL", "Servidor no limite de conexões simultâneas; reenvie.", http_status=503),
            cfg,
        )
        guard = Guard(
            cfg.max_connections, cfg.header_timeout, cfg.idle_timeout, refusal_bytes(refused.body, refused.content_type)
        )
        self.guard = guard
        trimmer = Trimmer()
        submit = self._submit_function()
        writer = self._writer

        def write_state() -> str:
            return writer.write_state() if writer is not None else "sem-persistencia"

        app = build_app(cfg, pack, submit, closing, guard=guard, trimmer=trimmer, write_state=write_state)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT, handle_signals=False)
        await runner.setup()
        manager = runner.server
        assert manager is not None
        loop = asyncio.get_running_loop()

        def connection() -> GuardedHandler:
            return GuardedHandler(
                manager, guard, loop=loop, access_log=None, keepalive_timeout=cfg.idle_timeout, lingering_time=LINGER
            )

        # asyncio accepts up to ``backlog`` connections per wake-up before any of them is admitted or refused; a big
        # batch at the file limit fails with EMFILE and stops accepting for a second. Small batches, long queue.
        listener = await loop.create_server(connection, sock=sock, backlog=ACCEPT_BATCH)
        sock.listen(LISTEN_BACKLOG)
        guard.start()
        self._ready.set()
        try:
            await self._stop_event.wait()
        finally:
            closing.set()
            listener.close()
            await guard.close()
            trimmer.close()
            await runner.cleanup()
            if self._writer is not None:
                await self._writer.close()

    def stop(self) -> None:
        """Stop accepting, release hung requests, finish queued writes, close the database. Idempotent."""
        thread, loop, stop_event = self._thread, self._loop, self._stop_event
        if thread is not None and thread.is_alive() and loop is not None and stop_event is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop_event.set)
            thread.join(SHUTDOWN_TIMEOUT * 5)
        self._writer = None
        if self._store is not None:
            self._store.close()
            self._store = None
        self._thread = None

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
