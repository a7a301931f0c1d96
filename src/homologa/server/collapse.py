"""The ``colapsa`` fault's behaviour: an ERP whose latency grows with the requests in flight and with the volume it
has already served, the way a database without an index or a saturated pool falls over during a go-live.

Each answer waits ``STEP_S × in flight × (1 + served / PER_SERVED)`` seconds (capped at ``CAP_S``): one request at a
time starts at 10 ms and passes 200 ms after about 200 answers; ten at a time start at 100 ms and pass 1 s after
about 90. The wait ends early when the server shuts down.
"""

from __future__ import annotations

import asyncio
import contextlib

STEP_S = 0.01
PER_SERVED = 10
CAP_S = 60.0


class Collapse:
    """Counters of one server (its event loop only: no lock needed)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.served = 0

    def delay(self) -> float:
        return min(STEP_S * self.in_flight * (1 + self.served / PER_SERVED), CAP_S)

    async def wait(self, closing: asyncio.Event) -> None:
        self.in_flight += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(closing.wait(), self.delay())
        finally:
            self.in_flight -= 1
            self.served += 1
