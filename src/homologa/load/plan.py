"""Which message each index of the burst is, and handing indices out so each is sent exactly once.

Index space: ``0 .. customers-1`` are new customers (index = the generator's customer index), then
``customers .. customers+resends-1`` are re-sends, spread evenly over the customers already sent. Re-sends are a
second phase: the :class:`Dispenser` hands none out before every new-customer slice has been answered, so a re-send
never overtakes its first send.

The master (or the single local process) owns one :class:`Dispenser`; each worker owns a :class:`SlicePool` fed with
the slices it was granted. Slices are contiguous ``[start, stop)`` ranges, never overlapping and never skipped, and
shrink as the plan runs out (``remaining / (4 × workers)``, guided self-scheduling) so late joiners and the tail of
the burst stay balanced. A slice is confirmed only when every index of it was answered, so an index a user took and
never got an answer for (Locust killed the user mid-exchange: a rebalancing, a stop that outlasted
``--stop-timeout``) goes back to the pool (:meth:`SlicePool.give_back`) and is sent again, with the same IdMensagem;
lost, it would hold the whole burst.

A worker that disappears (killed, its machine gone) leaves slices granted and never confirmed: :meth:`Dispenser.release`
puts them back, whole, and they are handed out again before anything new. The customers of such a slice carry the
same index, hence the same IdMensagem: for the ERP the ones already received are retries (B1), never new customers.
While slices are outstanding, a worker that asks gets "wait", not "end": a slice may still come back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True, order=True)
class Slice:
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(range(self.start, self.stop))


@dataclass(frozen=True, slots=True)
class PlanShape:
    """How many messages a burst sends and what each index means."""

    customers: int
    resend_share: float = 0.0

    def __post_init__(self) -> None:
        if self.customers <= 0:
            raise ValueError(f"o número de clientes deve ser maior que zero, recebeu {self.customers}")
        if not 0.0 <= self.resend_share <= 1.0:
            raise ValueError(f"a fração de reenvios deve estar entre 0 e 1, recebeu {self.resend_share}")

    @property
    def resends(self) -> int:
        return round(self.customers * self.resend_share)

    @property
    def total(self) -> int:
        return self.customers + self.resends

    def is_resend(self, index: int) -> bool:
        return index >= self.customers

    def customer_of(self, index: int) -> int:
        """The generator's customer index that message ``index`` carries."""
        if not 0 <= index < self.total:
            raise IndexError(f"índice {index} fora do plano (0..{self.total - 1})")
        if index < self.customers:
            return index
        return (index - self.customers) * self.customers // self.resends


class Wait(Enum):
    """The dispenser has nothing to give right now (re-sends wait for the first phase), ask again shortly."""

    WAIT = "wait"


Grant = Slice | Wait | None  # None: the plan is exhausted


class Dispenser:
    """Hands out index slices to workers; knows when every slice has been answered."""

    def __init__(self, plan: PlanShape, max_chunk: int = 500, done: Iterable[Slice] = ()) -> None:
        """``done``: slices already answered (a resumed burst's journal); they are never handed out."""
        if max_chunk <= 0:
            raise ValueError("max_chunk deve ser positivo")
        self.plan = plan
        self.max_chunk = max_chunk
        self._next = 0
        self._outstanding: dict[Slice, str] = {}  # granted, not yet reported complete -> worker id
        self._redo: deque[Slice] = deque()  # released by a lost worker, to be granted again first
        self._skip: deque[Slice] = deque(_merged(done, plan.total))  # answered before: jumped over
        self._completed = sum(len(s) for s in self._skip)

    def _phase_end(self) -> int:
        return self.plan.customers if self._next < self.plan.customers else self.plan.total

    def take(self, worker: str, workers: int = 1) -> Grant:
        """The next slice for ``worker`` (``workers`` is how many are sharing the plan)."""
        if self._redo:
            again = self._redo.popleft()
            self._outstanding[again] = worker
            return again
        while self._skip and self._skip[0].start <= self._next:
            self._next = max(self._next, self._skip.popleft().stop)
        if self._next >= self.plan.total:
            return None if self.finished else Wait.WAIT  # an outstanding slice may still come back
        if self._next >= self.plan.customers and self._completed < self.plan.customers:
            return Wait.WAIT  # re-sends wait until every new customer has been answered
        end = self._phase_end()
        if self._skip and self._skip[0].start < end:
            end = self._skip[0].start
        remaining = end - self._next
        size = max(1, min(self.max_chunk, remaining // (4 * max(workers, 1)) or 1))
        granted = Slice(self._next, self._next + size)
        self._next = granted.stop
        self._outstanding[granted] = worker
        return granted

    def complete(self, done: Slice) -> None:
        """A worker reports every index of ``done`` answered."""
        if self._outstanding.pop(done, None) is None:
            raise ValueError(f"fatia {done.start}..{done.stop} não estava pendente")
        self._completed += len(done)

    def held_by(self, worker: str) -> list[Slice]:
        return sorted(s for s, w in self._outstanding.items() if w == worker)

    @property
    def holders(self) -> set[str]:
        """The workers holding a granted, unconfirmed slice."""
        return set(self._outstanding.values())

    def release(self, worker: str, only: Iterable[Slice] | None = None) -> list[Slice]:
        """``worker`` is gone (or gave back ``only`` these): its unconfirmed slices go back to be granted again
        (first, in index order). A listed slice it no longer holds (confirmed, or already released) is ignored."""
        lost = self.held_by(worker)
        if only is not None:
            wanted = set(only)
            lost = [s for s in lost if s in wanted]
        for owned in lost:
            del self._outstanding[owned]
        self._redo.extend(lost)
        if len(self._redo) > len(lost):
            self._redo = deque(sorted(self._redo))
        return lost

    @property
    def handed_out(self) -> int:
        return self._next

    @property
    def completed(self) -> int:
        return self._completed

    @property
    def exhausted(self) -> bool:
        return self._next >= self.plan.total and not self._redo

    @property
    def finished(self) -> bool:
        """Every index handed out and reported answered."""
        return self._completed >= self.plan.total


def _merged(slices: Iterable[Slice], total: int) -> list[Slice]:
    """Sorted, overlapping or touching slices joined, clipped to ``[0, total)``."""
    merged: list[Slice] = []
    for s in sorted(slices):
        start, stop = max(s.start, 0), min(s.stop, total)
        if start >= stop:
            continue
        if merged and start <= merged[-1].stop:
            if stop > merged[-1].stop:
                merged[-1] = Slice(merged[-1].start, stop)
        else:
            merged.append(Slice(start, stop))
    return merged


class SlicePool:
    """A worker's share: indices waiting to be sent, and which granted slice each one closes."""

    def __init__(self) -> None:
        self._queue: deque[tuple[int, Slice]] = deque()
        self._open: dict[Slice, int] = {}  # slice -> indices not yet answered

    def add(self, granted: Slice) -> None:
        if granted in self._open:
            raise ValueError(f"fatia {granted.start}..{granted.stop} recebida duas vezes")
        self._open[granted] = len(granted)
        self._queue.extend((i, granted) for i in granted)

    def take(self) -> tuple[int, Slice] | None:
        """The next index to send (and its slice), or None when the pool is empty."""
        return self._queue.popleft() if self._queue else None

    def give_back(self, index: int, owner: Slice) -> None:
        """``index`` was taken but never answered (Locust killed its user mid-exchange): it goes first again, the
        same index (the same IdMensagem), so ``owner`` still closes. Ignored if ``owner`` is not open here (a later
        run's pool)."""
        if owner in self._open:
            self._queue.appendleft((index, owner))

    def done(self, owner: Slice) -> Slice | None:
        """One index of ``owner`` was answered; returns ``owner`` when that was its last one."""
        left = self._open[owner] - 1
        if left:
            self._open[owner] = left
            return None
        del self._open[owner]
        return owner

    def drop_all(self) -> list[Slice]:
        """Empty the pool: the slices still open here (granted, not all answered), for the master to grant again."""
        dropped = sorted(self._open)
        self._queue.clear()
        self._open.clear()
        return dropped

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        return sum(self._open.values()) - len(self._queue)
