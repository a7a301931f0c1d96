"""Benchmark of the reference server (`homologa servir`), with its baselines in the same run.

Targets, each a separate process with one worker on loopback, loaded by wrk with ``wrk_cadastro.lua`` (every request
a new valid CadastroCliente with a unique CNPJ and IdMensagem, so every request is a real insert):

1. ``durável``: ``homologa servir`` with SQLite (WAL, group commit), synchronous=FULL (the default) and NORMAL;
2. ``sem persistência``: the same server with ``--sem-persistencia`` (customers in memory);
3. ``aiohttp mínimo``: ``minimal_server.py``, the same stack answering a fixed body.

The machine may be shared, so the targets are measured in interleaved rounds (``--rounds``; each target gets
``--duration`` seconds in total) and the server's own CPU time is read from /proc: ``req/CPU-s`` (requests per
second of server CPU) is the figure least disturbed by other load. Per target: requests/s over all rounds, the
median of the rounds' p50 and the worst round's p99. Timings are printed, never asserted.

    .venv/bin/python benchmarks/bench_server.py                 # 30 s per target, 50 connections
    .venv/bin/python benchmarks/bench_server.py --duration 6     # quick look
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk_cadastro.lua"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Target:
    name: str
    cmd: list[str]
    port: int
    db: Path | None = None
    env: dict[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = None
    requests: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    non_2xx: int = 0
    p50s: list[float] = field(default_factory=list)
    p99s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"o servidor não subiu na porta {port}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


def _search(pattern: str, text: str) -> str:
    m = re.search(pattern, text)
    if m is None:
        raise SystemExit(f"saída do wrk inesperada (sem {pattern!r}):\n{text}")
    return m.group(1)


def run_round(target: Target, run: int, seconds: int, args: argparse.Namespace) -> None:
    assert target.proc is not None
    cmd = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency",
        "-s", str(LUA), f"http://127.0.0.1:{target.port}/clientes", "--", str(run),
    ]  # fmt: skip
    cpu_before = cpu_seconds(target.proc.pid)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    target.cpu += cpu_seconds(target.proc.pid) - cpu_before
    if args.verbose:
        print(out, file=sys.stderr)
    requests = int(_search(r"(\d+) requests in", out))
    rps = float(_search(r"Requests/sec:\s+([\d.]+)", out))
    target.requests += requests
    target.seconds += requests / rps if rps else seconds
    target.p50s.append(_ms(_search(r"\s50%\s+(\S+)", out)))
    target.p99s.append(_ms(_search(r"\s99%\s+(\S+)", out)))
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    target.non_2xx += int(non.group(1)) if non else 0
    errors = re.search(r"Socket errors:(.*)", out)
    if errors:
        target.errors.append(errors.group(1).strip())


def report(
    targets: list[Target], stored: dict[str, int], args: argparse.Namespace, per_round: int, loads: tuple[float, float]
) -> None:
    load_before, load_after = loads
    print(
        f"\nwrk -t{args.threads} -c{args.connections}, {args.rounds} rodada(s) de {per_round} s por alvo, intercaladas;"
        f" loopback; 1 processo servidor; {os.cpu_count()} CPU(s); carga média antes/depois:"
        f" {load_before:.1f}/{load_after:.1f}\n"
    )
    print("| alvo | req/s | p50 (ms) | p99 (ms) | req/CPU-s | pedidos | não-2xx | erros de socket |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    rates = {}
    for t in targets:
        rps = t.requests / t.seconds if t.seconds else 0.0
        per_cpu = t.requests / t.cpu if t.cpu else 0.0
        rates[t.name] = (rps, per_cpu)
        cells = [
            t.name, f"{rps:,.0f}", f"{statistics.median(t.p50s):.1f}", f"{max(t.p99s):.1f}", f"{per_cpu:,.0f}",
            t.requests, t.non_2xx, "; ".join(t.errors) or "-",
        ]  # fmt: skip
        print("| " + " | ".join(str(c) for c in cells) + " |")
    full, normal, memory, minimal = (rates[t.name] for t in targets[:4])
    print(
        f"\ndurável FULL / sem persistência: req/s {full[0] / memory[0]:.0%}, req/CPU-s {full[1] / memory[1]:.0%}"
        " (meta ≥ 70%)"
    )
    print(
        f"durável NORMAL / sem persistência: req/s {normal[0] / memory[0]:.0%}, req/CPU-s {normal[1] / memory[1]:.0%}"
    )
    print(
        f"sem persistência / aiohttp mínimo: req/s {memory[0] / minimal[0]:.0%}, req/CPU-s {memory[1] / minimal[1]:.0%}"
    )
    for t in targets[4:]:  # --compare-src: the same durable server from another source tree
        other = rates[t.name]
        print(
            f"durável FULL deste código / {t.name}: req/s {full[0] / other[0]:.0%}, req/CPU-s {full[1] / other[1]:.0%}"
        )
    for t in targets:
        if t.db is not None:
            answered = t.requests - t.non_2xx
            print(f"{t.name}: {stored[t.name]} clientes gravados; respostas 2xx contadas pelo wrk: {answered}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=30, help="segundos por alvo, somando as rodadas (padrão 30)")
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 11), help="rodadas intercaladas (padrão 3)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="threads do wrk")
    parser.add_argument("--quiet-log", action="store_true", help="desliga o log de acesso do servidor")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--compare-src",
        type=Path,
        metavar="DIR",
        help="mede também o durável FULL de outra cópia do código (DIR com src/ e contracts/, ex.: git archive main)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk não encontrado (apt-get install wrk)", file=sys.stderr)
        return 2
    python = sys.executable
    # the English spellings (still accepted) so that --compare-src can run a tree older than `homologa servir`
    serve = [python, "-m", "homologa", "serve"] + (["--quiet"] if args.quiet_log else [])
    per_round = max(1, args.duration // args.rounds)
    with tempfile.TemporaryDirectory(prefix="bench-homologa-") as tmp:
        ports = [free_port() for _ in range(4)]
        dbs = [Path(tmp) / "full.db", Path(tmp) / "normal.db"]
        targets = [
            Target("durável, synchronous=FULL (padrão)", [*serve, "--db", str(dbs[0])], ports[0], dbs[0]),
            Target(
                "durável, synchronous=NORMAL",
                [*serve, "--db", str(dbs[1]), "--sincronismo", "normal"],
                ports[1],
                dbs[1],
            ),
            Target("sem persistência (memória)", [*serve, "--sem-persistencia"], ports[2]),
            Target("aiohttp mínimo (corpo fixo)", [python, str(HERE / "minimal_server.py"), str(ports[3])], ports[3]),
        ]
        if args.compare_src is not None:
            other_db = Path(tmp) / "outro.db"
            env = {**os.environ, "PYTHONPATH": str(args.compare_src.resolve() / "src")}
            name = f"durável FULL de {args.compare_src}"
            targets.append(Target(name, [*serve, "--db", str(other_db)], free_port(), other_db, env))
        load_before = os.getloadavg()[0]
        try:
            for t in targets:
                cmd = t.cmd if "minimal_server" in t.cmd[1] else [*t.cmd, "--port", str(t.port)]
                t.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=t.env)
                wait_port(t.port)
            for run in range(args.rounds):
                for t in targets:
                    run_round(t, run, per_round, args)
        finally:
            for t in targets:
                if t.proc is not None:
                    t.proc.terminate()
                    try:
                        t.proc.wait(10)
                    except subprocess.TimeoutExpired:
                        t.proc.kill()
                        t.proc.wait()
        load_after = os.getloadavg()[0]
        from homologa.server.store import count_customers

        stored = {t.name: count_customers(t.db) for t in targets if t.db is not None}

    report(targets, stored, args, per_round, (load_before, load_after))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
