"""Benchmark of contract validation: lxml's compiled XMLSchema against xmlschema, same messages, same run.

The messages are the golden set plus generated customers (all valid) plus the invalid fixtures. Measured:

1. ``MessageSchema.validate(bytes)``: hardened parse + lxml compiled XSD + the pack's extra checks (the hot path);
2. ``MessageSchema.is_valid(tree)``: lxml on an already parsed tree (what a server that parsed once pays);
3. ``MessageSchema.explain(bytes)``: hardened parse + xmlschema (the richer, slower reasons);
4. ``xmlschema.XMLSchema10.is_valid(tree)``: xmlschema alone on the same parsed trees.

Prints a Markdown table (msgs/s) and the lxml/xmlschema ratios. Timings are never asserted anywhere.

    .venv/bin/python benchmarks/bench_validation.py           # ~20 s
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import xmlschema
from lxml import etree

from homologa import xmlsafe
from homologa.contract import load_pack
from homologa.generator import CustomerSource, parse_cep_range
from homologa.golden import load_golden
from homologa.messages import render_request

ROOT = Path(__file__).resolve().parents[1]


def messages(generated: int) -> tuple[list[bytes], int]:
    src = CustomerSource([parse_cep_range("01000000-99999999")], seed=7, alnum_share=0.2)
    valid = [g.data for g in load_golden()] + [render_request(src.message(i)) for i in range(generated)]
    invalid = [p.read_bytes() for p in sorted((ROOT / "fixtures" / "invalid").glob("*.xml"))]
    return valid + invalid, len(invalid)


def measure(label: str, docs: list[object], func: Callable[[object], object], rounds: int) -> tuple[str, int, float]:
    began = time.perf_counter()
    for _ in range(rounds):
        for doc in docs:
            func(doc)
    elapsed = time.perf_counter() - began
    return label, len(docs) * rounds, len(docs) * rounds / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mensagens", type=int, default=2000, help="clientes gerados (além do ouro e dos inválidos)")
    parser.add_argument("--rodadas-lxml", type=int, default=5, help="repetições do conjunto nas medidas lxml")
    args = parser.parse_args()

    pack = load_pack()
    schema = pack.request
    data, n_invalid = messages(args.mensagens)
    trees = [xmlsafe.parse(d) for d in data]
    xs = xmlschema.XMLSchema10(str(schema.xsd_path))

    # both validators must agree on every message before their speed means anything
    lxml_ok = [not schema.validate(d) for d in data]
    xs_ok = [not schema.explain(d) for d in data]
    assert lxml_ok == xs_ok, "lxml e xmlschema discordam"
    assert sum(not ok for ok in lxml_ok) == n_invalid

    rows = [
        measure("lxml: validate(bytes) (parse + XSD + cnpj-digitos)", data, schema.validate, args.rodadas_lxml),
        measure("lxml: is_valid(árvore)", trees, schema.is_valid, args.rodadas_lxml),
        measure("xmlschema: explain(bytes) (parse + XSD + cnpj-digitos)", data, schema.explain, 1),
        measure("xmlschema: is_valid(árvore)", trees, lambda t: xs.is_valid(etree.ElementTree(t)), 1),
    ]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {len(data)} mensagens ({n_invalid} inválidas)\n")
    print("| medida | mensagens | msgs/s |\n|---|---:|---:|")
    for label, n, per_s in rows:
        print(f"| {label} | {n} | {per_s:,.0f} |")
    by = [per_s for _, _, per_s in rows]
    print(f"\nbytes -> violações: lxml / xmlschema = {by[0] / by[2]:.1f}x")
    print(f"árvore -> sim/não:  lxml / xmlschema = {by[1] / by[3]:.1f}x")


if __name__ == "__main__":
    main()
