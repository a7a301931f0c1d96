"""Logging that an attacker cannot turn into a flood: repeated lines are counted and summarised.

A :class:`RepeatFilter` on a handler lets through, per kind of line (logger, message template, exception type), the
first ``burst`` lines of every ``window`` seconds — only the first with its traceback — and counts the rest. The
count is written as one summary line when the kind shows up again after the window, or at :meth:`flush`.
"""

from __future__ import annotations

import logging
import threading
import time

Key = tuple[str, str, int, str]


class RepeatFilter(logging.Filter):
    def __init__(self, burst: int = 3, window: float = 10.0) -> None:
        super().__init__()
        self.burst = burst
        self.window = window
        self._lock = threading.Lock()
        self._seen: dict[Key, list[float | int]] = {}  # key -> [window start, passed, suppressed]
        self._pending: list[str] = []
        self.suppressed = 0

    @staticmethod
    def _key(record: logging.LogRecord) -> Key:
        exc = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        return record.name, str(record.msg), record.levelno, exc

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        key = self._key(record)
        with self._lock:
            state = self._seen.get(key)
            if state is None or now - state[0] > self.window:
                summary = self._summary(key, state)
                self._seen[key] = [now, 1, 0]
                if summary:
                    record.msg = f"{record.msg}\n{summary}"
                return True
            if state[1] < self.burst:
                state[1] += 1
                record.exc_info = None  # one traceback per kind and window is enough
                record.exc_text = None
                return True
            state[2] += 1
            self.suppressed += 1
            return False

    @staticmethod
    def _summary(key: Key, state: list[float | int] | None) -> str:
        if state is None or not state[2]:
            return ""
        name, template, _, exc = key
        what = f"{template} ({exc})" if exc else template
        return f"[{name}] linha repetida suprimida {int(state[2])} vez(es): {what}"

    def flush(self, logger: logging.Logger) -> None:
        """Write (through ``logger``, which must use this filter's handler) the counts of windows that ended."""
        now = time.monotonic()
        lines = []
        with self._lock:
            for key, state in list(self._seen.items()):
                if now - state[0] > self.window:  # window over: summarise if needed, forget (bounded memory)
                    if state[2]:
                        lines.append(self._summary(key, state))
                    del self._seen[key]
        for line in lines:
            logger.warning(line)

    def flush_all(self, logger: logging.Logger) -> None:
        """Write every pending count now (at stop)."""
        with self._lock:
            for state in self._seen.values():
                state[0] = float("-inf")
        self.flush(logger)


def install(handler: logging.Handler, loggers: tuple[str, ...], level: int) -> RepeatFilter:
    """Route ``loggers`` to ``handler`` only (no propagation), behind one :class:`RepeatFilter`."""
    repeat = RepeatFilter()
    handler.addFilter(repeat)
    for name in loggers:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    return repeat
