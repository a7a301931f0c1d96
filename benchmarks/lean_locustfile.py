"""Second baseline for bench_load.py and bench_instructions.py: the bare user's fixed body, sent the way the profile
sends (``homologa.load.locust_exchange``: geventhttpclient's client without the UserAgent and ``catch_response``
layers), no generation, no checks. Profile ÷ this baseline is what generating and checking each customer costs;
profile ÷ ``bare_locustfile.py`` is the issue's figure (against a plain ``FastHttpUser``)."""

from __future__ import annotations

import time

from bare_locustfile import BODY, HEADERS  # type: ignore[import-not-found]
from locust import FastHttpUser, constant, task

from homologa.load.locust_exchange import Poster, read_answer, report_to_locust


class LeanUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.poster = Poster(self.client, HEADERS)

    @task
    def post(self) -> None:
        t0 = time.perf_counter()
        answer = read_answer(self.poster.post(BODY))
        latency_ms = (time.perf_counter() - t0) * 1000
        report_to_locust(self.environment.events.request, "enxuto", latency_ms, len(answer), None)
