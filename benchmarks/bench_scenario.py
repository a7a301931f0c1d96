"""Per-customer cost of the burst's pipeline without HTTP: ``Scenario.request`` (generate + render) and
``Scenario.check`` (read + judge a ready v1 answer), best of 5 passes over 20,000 customers. "verificação" is what the
burst pays (the fast path of :mod:`homologa.load.answer_template` once the first answer taught it the ERP's bytes);
"verificação completa" is the full check alone, the price of a failing answer.

Run it against two checkouts, alternating, to compare them on the same machine (timings are never asserted):

    PYTHONPATH=/work/main/src .venv/bin/python benchmarks/bench_scenario.py main
    .venv/bin/python benchmarks/bench_scenario.py ramo
"""

from __future__ import annotations

import sys
import time

from homologa.load.scenario import Scenario
from homologa.load.settings import LoadSettings
from homologa.messages import render_answer
from homologa.model import Retorno

N = 20000


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "este"
    scenario = Scenario(LoadSettings(customers=N, validate_share=1.0))
    requests = [scenario.request(i) for i in range(N)]
    answers = [render_answer(Retorno(r.id_mensagem, r.cnpj, status="PEN")) for r in requests]

    def render() -> float:
        began = time.perf_counter()
        for i in range(N):
            scenario.request(i)
        return (time.perf_counter() - began) / N * 1e6

    def check(on: Scenario) -> float:
        began = time.perf_counter()
        for request, answer in zip(requests, answers, strict=True):
            on.check(request, 200, "application/xml; charset=UTF-8", answer)
        return (time.perf_counter() - began) / N * 1e6

    # the full check alone (what every answer cost before the fast path, and what a failing answer still costs)
    bare = Scenario(LoadSettings(customers=N, validate_share=1.0))
    bare.fast = None  # on a checkout without the fast path this changes nothing
    print(
        f"{label}: pedido {min(render() for _ in range(5)):.2f} µs, "
        f"verificação {min(check(scenario) for _ in range(5)):.2f} µs, "
        f"verificação completa {min(check(bare) for _ in range(5)):.2f} µs"
    )


if __name__ == "__main__":
    main()
