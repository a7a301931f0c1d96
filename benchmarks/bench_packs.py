"""Benchmark: rendering and reading through a contract pack's compiled templates vs the hand-written v1 functions.

Same messages, same run, interleaved rounds (the machine is shared): ``messages.render_request`` (the baseline the
load profile used before packs) against ``pack.shape.render_request`` for each shipped pack, and
``messages.read_answer`` against ``pack.shape.read_answer`` on parsed answers. Prints µs/message and the ratio to
the baseline; the goal is a ratio within 1.2. Timings are never asserted anywhere.

    .venv/bin/python benchmarks/bench_packs.py            # ~15 s
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from homologa import xmlsafe
from homologa.contract import load_pack
from homologa.generator import CustomerSource, parse_cep_range
from homologa.messages import read_answer, render_answer, render_request
from homologa.model import Retorno

TEST_PACK = Path(__file__).resolve().parents[1] / "tests" / "packs" / "renomeado"


def _pass(func: Callable[[object], object], items: Sequence[object]) -> float:
    began = time.perf_counter()
    for item in items:
        func(item)
    return (time.perf_counter() - began) / len(items) * 1e6


def pair(
    base: Callable[[object], object], other: Callable[[object], object], items: Sequence[object], rounds: int
) -> tuple[float, float]:
    """Best µs/item of ``base`` and ``other``, passes interleaved (a noisy neighbour hits both alike)."""
    a, b = [], []
    for _ in range(rounds):
        a.append(_pass(base, items))
        b.append(_pass(other, items))
    return min(a), min(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mensagens", type=int, default=20000)
    parser.add_argument("--rodadas", type=int, default=7)
    args = parser.parse_args()
    src = CustomerSource([parse_cep_range("01000000-99999999")], seed=7, alnum_share=0.2)
    msgs = [src.message(i) for i in range(args.mensagens)]
    packs = [load_pack(name) for name in ("v1", "v1-soap") if (Path(load_pack("v1").folder).parent / name).is_dir()]
    if TEST_PACK.is_dir():
        packs.append(load_pack(TEST_PACK))
    answers = [Retorno(m.id_mensagem, m.cliente.cnpj, status="PEN", mensagem="ok") for m in msgs[:5000]]
    v1_roots = [xmlsafe.parse(render_answer(a)) for a in answers]

    print("| medida | base µs | pacote µs | razão |")
    print("|---|---:|---:|---:|")
    for pack in packs:
        base, value = pair(render_request, pack.shape.render_request, msgs, args.rodadas)  # type: ignore[arg-type]
        print(f"| render_request, pacote {pack.name} | {base:.2f} | {value:.2f} | {value / base:.2f} |")
    for pack in packs:
        roots = [pack.shape.payload(xmlsafe.parse(pack.shape.render_answer(a).body)) for a in answers]
        base, value = pair(read_answer, pack.shape.read_answer, v1_roots, args.rodadas)  # type: ignore[arg-type]
        value = min(value, pair(pack.shape.read_answer, read_answer, roots, args.rodadas)[0])  # type: ignore[arg-type]
        print(f"| read_answer, pacote {pack.name} | {base:.2f} | {value:.2f} | {value / base:.2f} |")


if __name__ == "__main__":
    main()
