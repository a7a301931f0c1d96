"""Benchmark of the customer generator, with its baselines in the same run.

1. In process, customers/s: ``CustomerSource.customer(i)`` and ``message(i)`` + ``render_request`` (what the load
   profile does per request), against two baselines: rendering one fixed customer again and again (the cost floor
   of a request body) and Faker pt_BR filling the same fields (the library we did not use).
2. As files, files/s: ``homologa gerar`` in process (same code path as the console script) against writing the
   same number of files with one fixed body (the I/O floor).
3. Memory: peak RSS of a fresh process iterating 10k customers against one iterating many more (300k by default,
   ``--memoria 1000000`` for the 1M figure): flat means the same RSS.

Prints a Markdown table and the ratios. Timings are never asserted anywhere.

    .venv/bin/python benchmarks/bench_generator.py            # ~1 min
    .venv/bin/python benchmarks/bench_generator.py --memoria 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from homologa import cli
from homologa.generator import CustomerSource, parse_cep_range
from homologa.messages import render_request

RANGES = ["01000000-19999999", "69900000-69999999", "88000000-89999999"]


def rate(label: str, n: int, func: Callable[[], object]) -> tuple[str, int, float]:
    began = time.perf_counter()
    func()
    elapsed = time.perf_counter() - began
    return label, n, n / elapsed


def source() -> CustomerSource:
    return CustomerSource([parse_cep_range(r) for r in RANGES], seed=2026, alnum_share=0.1)


def in_process(n: int, faker_n: int) -> list[tuple[str, int, float]]:
    src = source()
    fixed = src.message(0)
    src.customer(0)
    rows = [
        rate("baseline: render_request(cliente fixo)", n, lambda: [render_request(fixed) for _ in range(n)]),
        rate("gerador: customer(i)", n, lambda: [src.customer(i) for i in range(n)]),
        rate("gerador: render_request(message(i))", n, lambda: [render_request(src.message(i)) for i in range(n)]),
        rate("gerador: iter(k, k+n) em índice alto (1e9)", n, lambda: list(src.iter(10**9, 10**9 + n))),
    ]
    try:
        from faker import Faker
    except ImportError:  # pragma: no cover - faker is a runtime dependency
        return rows
    fake = Faker("pt_BR")

    def faker_customers() -> None:
        for i in range(faker_n):
            fake.seed_instance(i)  # determinism by index costs a reseed per customer, like ours
            (
                fake.cnpj(),
                fake.company(),
                fake.company_email(),
                fake.phone_number(),
                fake.cellphone_number(),
                fake.street_name(),
                fake.building_number(),
                fake.bairro(),
                fake.city(),
                fake.estado_sigla(),
                fake.postcode(),
            )

    rows.append(rate("referência: Faker pt_BR (mesmos campos, seed por índice)", faker_n, faker_customers))
    return rows


def as_files(n: int) -> list[tuple[str, int, float]]:
    body = render_request(source().message(0))
    with tempfile.TemporaryDirectory(prefix="bench-gen-") as tmp:
        base = Path(tmp)

        def fixed_files() -> None:
            out = base / "fixo"
            out.mkdir()
            for i in range(n):
                with open(out / f"cliente-{i:08d}.xml", "wb") as handle:
                    handle.write(body)

        def generate() -> None:
            args = ["gerar", "--quantidade", str(n), "--semente", "2026", "--saida", str(base / "gerado")]
            for r in RANGES:
                args += ["--faixa-cep", r]
            with open(os.devnull, "w") as devnull:
                stderr, sys.stderr = sys.stderr, devnull
                try:
                    assert cli.main(args) == 0
                finally:
                    sys.stderr = stderr

        return [
            rate("baseline: gravar o mesmo corpo fixo", n, fixed_files),
            rate("homologa gerar (arquivos)", n, generate),
        ]


_MEMORY_PROBE = """
import resource, sys
from homologa.generator import CustomerSource, parse_cep_range
src = CustomerSource([parse_cep_range(r) for r in sys.argv[2:]], seed=2026)
for _ in src.iter(0, int(sys.argv[1])):
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_kib(n: int) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(n), *RANGES], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clientes", type=int, default=30_000, help="clientes por medida em processo")
    parser.add_argument("--faker", type=int, default=3_000, help="clientes na referência Faker (lenta)")
    parser.add_argument("--arquivos", type=int, default=5_000, help="arquivos por medida")
    parser.add_argument("--memoria", type=int, default=300_000, help="clientes iterados na medida de memória grande")
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    rows = in_process(args.clientes, args.faker) + as_files(args.arquivos)
    print("| medida | N | por segundo |\n|---|---:|---:|")
    for label, n, per_s in rows:
        print(f"| {label} | {n} | {per_s:,.0f} |")
    by = {label: per_s for label, _, per_s in rows}
    print()
    base = by["baseline: render_request(cliente fixo)"]
    print(f"customer(i) / render fixo: {by['gerador: customer(i)'] / base:.2f}x")
    print(f"message(i)+render / render fixo: {by['gerador: render_request(message(i))'] / base:.2f}x")
    faker = by.get("referência: Faker pt_BR (mesmos campos, seed por índice)")
    if faker:
        print(f"customer(i) / Faker: {by['gerador: customer(i)'] / faker:.1f}x")
    files = by["homologa gerar (arquivos)"] / by["baseline: gravar o mesmo corpo fixo"]
    print(f"arquivos / corpo fixo: {files:.2f}x")

    small, large = peak_rss_kib(10_000), peak_rss_kib(args.memoria)
    print(f"\nRSS de pico: 10.000 clientes {small / 1024:.1f} MiB; {args.memoria:,} clientes {large / 1024:.1f} MiB")
    print(f"razão {large / small:.3f} (1,00 = memória plana)")


if __name__ == "__main__":
    main()
