"""Benchmark of the reference server (`homologa serve`), with its baselines in the same run.

Three targets, one after the other, each a separate process with one worker on loopback, loaded by wrk with
``wrk_cadastro.lua`` (every request a new valid CadastroCliente with a unique CNPJ, so every request is an insert):

1. ``durável``: ``homologa serve`` with SQLite (WAL, synchronous=FULL, group commit) — the real thing;
2. ``sem persistência``: the same server with ``--sem-persistencia`` (customers in memory);
3. ``aiohttp mínimo``: ``minimal_server.py``, the same stack answering a fixed body.

Prints a Markdown table (requests/s, p50, p99, non-2xx) and the ratios. Timings are never asserted.

    .venv/bin/python benchmarks/bench_server.py --duration 30 --connections 50
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk_cadastro.lua"


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"o servidor não subiu na porta {port}")


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(name: str, out: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:(.*)", out)
    return Result(
        name, rps, p50, p99, requests, int(non.group(1)) if non else 0, errors.group(1).strip() if errors else ""
    )


def run_wrk(name: str, port: int, args: argparse.Namespace) -> Result:
    cmd = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
        "-s", str(LUA), f"http://127.0.0.1:{port}/clientes",
    ]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    if args.verbose:
        print(out, file=sys.stderr)
    return parse_wrk(name, out)


def bench(name: str, server_cmd: list[str], port: int, args: argparse.Namespace) -> Result:
    proc = subprocess.Popen(server_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        return run_wrk(name, port, args)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=30, help="segundos por alvo (padrão 30)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="threads do wrk")
    parser.add_argument("--quiet-log", action="store_true", help="desliga o log de acesso do servidor")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk não encontrado (apt-get install wrk)", file=sys.stderr)
        return 2
    python = sys.executable
    serve = [python, "-m", "homologa", "serve"] + (["--quiet"] if args.quiet_log else [])
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-homologa-") as tmp:
        db = Path(tmp) / "bench.db"
        port = free_port()
        results.append(
            bench("durável (SQLite WAL, group commit)", [*serve, "--port", str(port), "--db", str(db)], port, args)
        )
        from homologa.server.store import count_customers

        stored = count_customers(db)
        port = free_port()
        results.append(
            bench("sem persistência (memória)", [*serve, "--port", str(port), "--sem-persistencia"], port, args)
        )
        port = free_port()
        results.append(
            bench("aiohttp mínimo (corpo fixo)", [python, str(HERE / "minimal_server.py"), str(port)], port, args)
        )
    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s, loopback, 1 processo servidor, "
        f"{os.cpu_count()} CPU(s)\n"
    )
    print("| alvo | req/s | p50 (ms) | p99 (ms) | pedidos | não-2xx | erros de socket |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        cells = [r.name, f"{r.rps:,.0f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}", r.requests, r.non_2xx, r.errors or "-"]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    durable, memory, minimal = results
    print(f"\ndurável / sem persistência = {durable.rps / memory.rps:.0%} (meta ≥ 70%)")
    print(f"sem persistência / aiohttp mínimo = {memory.rps / minimal.rps:.0%}")
    answered = durable.requests - durable.non_2xx
    print(f"clientes gravados no banco durável: {stored} (respostas 2xx contadas pelo wrk: {answered})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
