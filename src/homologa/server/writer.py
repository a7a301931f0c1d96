"""The single writer: one thread owns the SQLite connection and commits small batches (group commit).

Handlers on the event loop hand a parsed message to :meth:`GroupCommitWriter.submit` and await the result. The
thread takes everything queued (up to ``max_batch``), processes it in order inside one transaction, commits, and
only then resolves the handlers' futures: an answer is sent only for a committed write. Serializing every write
through one thread is also what makes concurrent re-sends of one CNPJ safe (no duplicate, no lost update).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable

from homologa.model import CadastroCliente
from homologa.server.business import Outcome
from homologa.server.store import Store

log = logging.getLogger("homologa.server")

Process = Callable[[Store, CadastroCliente], Outcome]
_Item = tuple[CadastroCliente, "asyncio.Future[Outcome]", asyncio.AbstractEventLoop]


class WriterClosed(RuntimeError):
    """The writer was stopped; no more writes are accepted."""


def _deliver(results: list[tuple[asyncio.Future[Outcome], Outcome | BaseException]]) -> None:
    for fut, result in results:
        if fut.done():
            continue
        if isinstance(result, BaseException):
            fut.set_exception(result)
        else:
            fut.set_result(result)


class GroupCommitWriter:
    def __init__(self, store: Store, process: Process, max_batch: int = 256) -> None:
        self._store = store
        self._process = process
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="homologa-writer", daemon=True)
        self._closed = False

    def start(self) -> None:
        self._thread.start()

    def submit(self, msg: CadastroCliente) -> asyncio.Future[Outcome]:
        """A future resolved once ``msg`` is processed and committed (call from the event loop)."""
        if self._closed:
            raise WriterClosed("servidor encerrando")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Outcome] = loop.create_future()
        self._queue.put((msg, fut, loop))
        return fut

    def stop(self, timeout: float = 10.0) -> None:
        """Process what is queued, commit, and end the thread."""
        self._closed = True
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        running = True
        while running:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    running = False
                    break
                batch.append(item)
            self._flush(batch)

    def _flush(self, batch: list[_Item]) -> None:
        results: list[Outcome | BaseException] = []
        try:
            self._store.begin()
            results = [self._process(self._store, msg) for msg, _, _ in batch]
            self._store.commit()
        except Exception as exc:
            log.exception("falha ao gravar um lote de %d pedido(s)", len(batch))
            try:
                self._store.rollback()
            except Exception:
                log.exception("falha no rollback")
            results = [exc] * len(batch)
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Outcome], Outcome | BaseException]]] = {}
        for (_, fut, loop), result in zip(batch, results, strict=True):
            by_loop.setdefault(loop, []).append((fut, result))
        for loop, pairs in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                loop.call_soon_threadsafe(_deliver, pairs)
