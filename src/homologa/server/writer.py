"""The single writer: one asyncio task owns the SQLite connection and commits small batches (group commit).

Handlers hand a parsed message to :meth:`GroupCommitWriter.submit` and await the result. The writer task takes
everything pending (up to ``max_batch``), processes it in order inside one transaction on the event loop (a few
microseconds per statement), then runs only ``COMMIT`` (the fsync) on a helper thread while the loop keeps serving;
once the commit returns it resolves the handlers' futures: an answer is sent only for a committed write.

Why not a writer *thread* doing everything: each ``sqlite3`` call releases and re-takes the GIL, and under load the
thread waited up to the 5 ms switch interval for each one (measured: half the throughput). Here the GIL changes
hands once per batch. Serializing every write through one task is also what makes concurrent re-sends of one CNPJ
safe (no duplicate row, no lost update).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from homologa.model import CadastroCliente
from homologa.server.business import Outcome
from homologa.server.store import Store, StoreBusy

log = logging.getLogger("homologa.server")

Process = Callable[[Store, CadastroCliente], Outcome]


class WriterClosed(RuntimeError):
    """The writer was stopped; no more writes are accepted."""


class GroupCommitWriter:
    """Create it inside the event loop that will use it; call :meth:`start`, then :meth:`close` when done."""

    def __init__(self, store: Store, process: Process, max_batch: int = 256) -> None:
        self._store = store
        self._process = process
        self._max_batch = max_batch
        self._pending: list[tuple[CadastroCliente, asyncio.Future[Outcome]]] = []
        self._wakeup = asyncio.Event()
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="homologa-commit")
        self._flushing = False
        self.health = "ok"  # of the last write: "ok", "ocupado" (lock held elsewhere past the wait) or "falhou"
        self.batches = 0
        self.items = 0

    def write_state(self) -> str:
        """Whether writes work now: when idle, a lock attempt that never waits (microseconds, on the loop)."""
        if self._flushing or self._closed:
            return self.health
        try:
            if self._store.try_begin():
                self._store.rollback()
                self.health = "ok"
            else:
                self.health = "ocupado"
        except Exception:
            self.health = "falhou"
        return self.health

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="homologa-writer")

    def submit(self, msg: CadastroCliente) -> asyncio.Future[Outcome]:
        """A future resolved once ``msg`` is processed and committed."""
        if self._closed:
            raise WriterClosed("servidor encerrando")
        fut: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append((msg, fut))
        self._wakeup.set()
        return fut

    async def close(self) -> None:
        """Commit what is pending, then stop the task and the commit thread."""
        self._closed = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
        self._committer.shutdown(wait=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                await self._flush(loop, batch)
            if self._closed:
                return

    async def _flush(
        self, loop: asyncio.AbstractEventLoop, batch: list[tuple[CadastroCliente, asyncio.Future[Outcome]]]
    ) -> None:
        store = self._store
        results: list[Outcome] | None = None
        error: BaseException | None = None
        self._flushing = True
        try:
            if not store.try_begin():  # another process holds the lock: wait for it off the loop, bounded
                self.health = "ocupado"
                if self._closed:  # stopping: nobody waits for these answers any more, do not wait for the lock
                    raise StoreBusy("servidor encerrando com o banco ocupado")
                await loop.run_in_executor(self._committer, store.begin)
            results = [self._process(store, msg) for msg, _ in batch]
            await loop.run_in_executor(self._committer, store.commit)
            self.health = "ok"
        except StoreBusy as exc:
            log.warning("banco ocupado por outro processo: %d pedido(s) recusados com 503", len(batch))
            self.health = "ocupado"
            error = exc
        except Exception as exc:
            log.exception("falha ao gravar um lote de %d pedido(s)", len(batch))
            self.health = "falhou"
            error = exc
            try:
                store.rollback()
            except Exception:
                log.exception("falha no rollback")
        finally:
            self._flushing = False
        self.batches += 1
        self.items += len(batch)
        for i, (_, fut) in enumerate(batch):
            if fut.done():
                continue
            if error is not None or results is None:
                fut.set_exception(error or RuntimeError("lote não gravado"))
            else:
                fut.set_result(results[i])
