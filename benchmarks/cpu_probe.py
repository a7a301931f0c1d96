"""Loaded next to a locustfile by bench_load.py (``-f file.py,benchmarks/cpu_probe.py``): writes the process's CPU
seconds, wall seconds and request count between test_start and test_stop to $HOMOLOGA_CPU_PROBE, so throughput can
be compared per CPU-second of the Locust process — robust to other processes sharing the core."""

from __future__ import annotations

import json
import os
import time
from typing import Any

from locust import events
from locust.env import Environment

_start: dict[str, float] = {}


@events.test_start.add_listener
def _begin(environment: Environment, **_: Any) -> None:
    _start.update(cpu=time.process_time(), wall=time.monotonic())


@events.test_stop.add_listener
def _end(environment: Environment, **_: Any) -> None:
    path = os.environ.get("HOMOLOGA_CPU_PROBE")
    if not path or not _start:
        return
    data = {
        "cpu_s": time.process_time() - _start["cpu"],
        "wall_s": time.monotonic() - _start["wall"],
        "requests": environment.stats.total.num_requests,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
