"""Benchmark of the contract suite's own time: ``pytest suites`` against the embedded default, with baselines.

Each measurement is a fresh process, as a distributor runs it (wall time, median of ``--rounds``):

1. ``suíte completa``: ``pytest suites`` — embedded reference distributor, every scenario, Allure results written;
2. ``sem Allure``: the same with ``-p no:allure_pytest`` (what the evidence costs);
3. ``só coleta``: ``pytest suites --collect-only`` (interpreter, plugins, goldens: the floor no scenario can beat).

Prints a Markdown table and the ratios against the floor. Target: the complete suite well under 15 s on this
machine. Timings are never asserted.

    .venv/bin/python benchmarks/bench_suite.py --rounds 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 15.0


def run(args: list[str]) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMOLOGA_")}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-200:]
    if done.returncode not in (0,) and "--collect-only" not in args:
        raise SystemExit(f"pytest suites falhou (código {done.returncode}): {last}")
    return elapsed, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        variants = {
            "suíte completa (pytest suites)": ["--alluredir", str(Path(tmp) / "allure-results")],
            "sem Allure (-p no:allure_pytest)": ["-p", "no:allure_pytest"],
            "só coleta (--collect-only)": ["--collect-only"],
        }
        medians: dict[str, float] = {}
        summary: dict[str, str] = {}
        for name, args in variants.items():
            times = []
            for _ in range(opts.rounds):
                elapsed, last = run(args)
                times.append(elapsed)
                summary[name] = last
            medians[name] = statistics.median(times)
    floor = medians["só coleta (--collect-only)"]
    print(f"| medida ({opts.rounds} rodadas, mediana) | tempo de parede | razão sobre só coleta | resultado |")
    print("|---|---:|---:|---|")
    for name, value in medians.items():
        result = re.sub(r"\s+", " ", summary[name])[:60]
        print(f"| {name} | {value:.2f} s | {value / floor:.2f}x | {result} |")
    full = medians["suíte completa (pytest suites)"]
    print()
    print(f"suíte completa: {full:.2f} s (meta: < {TARGET_S:g} s; {full / TARGET_S:.0%} da meta)")
    print(f"custo do Allure: {full / medians['sem Allure (-p no:allure_pytest)']:.2f}x a suíte sem Allure")
    print(f"CPUs: {os.cpu_count()}; carga média no fim: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
