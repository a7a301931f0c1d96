"""Give freed memory back to the operating system after large request bodies.

CPython frees a 1 MiB body with ``free()``, but glibc keeps the pages (its mmap threshold grows after such frees,
so later big blocks come from the heap, and the heap is not trimmed while small objects sit above them). After a
burst of 400 such bodies the process kept ~500 MB it no longer used. :class:`Trimmer` calls ``malloc_trim(0)`` once
the last large body in flight is done (debounced, off the event loop); where there is no glibc it does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable

TRIM_DELAY = 0.2
log = logging.getLogger("homologa.server")


def _malloc_trim() -> Callable[[], None] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def call() -> None:
        trim(0)

    return call


class Trimmer:
    """Counts large bodies in flight; when the count falls to zero, trims the heap once (in the default executor)."""

    def __init__(self) -> None:
        self._trim = _malloc_trim()
        self._in_flight = 0
        self._scheduled: asyncio.TimerHandle | None = None
        self.trims = 0

    @property
    def available(self) -> bool:
        return self._trim is not None

    def begin(self) -> None:
        self._in_flight += 1

    def end(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0 and self._trim is not None and self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_later(TRIM_DELAY, self._fire)

    def _fire(self) -> None:
        self._scheduled = None
        if self._in_flight or self._trim is None:
            return
        self.trims += 1
        asyncio.get_running_loop().run_in_executor(None, self._trim)

    def close(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
