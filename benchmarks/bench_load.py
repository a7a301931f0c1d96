"""Benchmark of the go-live profile (not a test): is the harness ever the bottleneck of a burst?

In one run, against a near-zero-work local server (benchmarks/echo_server.py, its own process and core):

1. customers/s of the profile (loadtests/locustfile.py: generation, XML rendering, every answer checked) vs a bare
   FastHttpUser posting one fixed body (benchmarks/bare_locustfile.py), both on one core, same user count,
   interleaved repeats; the ratio is the figure (goal >= 85%). Also the Locust process's CPU per request (from
   benchmarks/cpu_probe.py) and its ratio, bare ÷ profile: the fairer figure on a machine shared with other
   processes, since it does not depend on how much of its core the Locust process got. A third user,
   benchmarks/lean_locustfile.py, sends the bare body the way the profile sends (homologa.load.locust_exchange):
   profile ÷ that one is what generating, rendering and checking cost, apart from the lighter HTTP path;
2. the echo server's CPU during each run (it is not the bottleneck while well under 100% of its core);
3. ``--processes 2`` vs one process (no pinning: with 2 cores the server competes for them);
4. memory over 1,000,000 customers: the in-process pipeline (generate + render + check, no HTTP), RSS at 10k vs 1M.

Usage: python benchmarks/bench_load.py [--seconds 10] [--users 10] [--repeats 3] [--memory-customers 1000000]
Prints a Markdown table and writes reports/bench/bench_load.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
LOCUST = str(Path(PYTHON).with_name("locust"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pin(core: int | None) -> list[str]:
    if core is None or shutil.which("taskset") is None:
        return []
    return ["taskset", "-c", str(core)]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def aggregated_rate(prefix: Path) -> tuple[float, int, int]:
    """(requests/s, requests, failures) of the Aggregated row of Locust's stats CSV."""
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == "Aggregated":
                return float(row["Requests/s"]), int(row["Request Count"]), int(row["Failure Count"])
    raise RuntimeError(f"sem linha Aggregated em {prefix}_stats.csv")


def run_locust(args: list[str], core: int | None, server_pid: int, workdir: Path, tag: str) -> dict[str, float]:
    prefix = workdir / tag
    probe = workdir / f"{tag}.cpu.json"
    files = args[args.index("-f") + 1] + ",benchmarks/cpu_probe.py"
    args = [*args[: args.index("-f")], "-f", files, *args[args.index("-f") + 2 :]]
    cmd = [*pin(core), LOCUST, *args, "--headless", "--only-summary", "--csv", str(prefix)]
    before = cpu_seconds(server_pid)
    t0 = time.monotonic()
    env = {**os.environ, "HOMOLOGA_CPU_PROBE": str(probe)}
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False, env=env)
    wall = time.monotonic() - t0
    server_cpu = (cpu_seconds(server_pid) - before) / wall
    if done.returncode not in (0, 1):
        raise RuntimeError(f"locust falhou ({tag}): {done.stderr[-2000:]}")
    rate, requests, failures = aggregated_rate(prefix)
    result = {"rate": rate, "requests": requests, "failures": failures, "server_cpu": server_cpu}
    if probe.exists():  # single process only (with --processes the work happens in the workers)
        cpu = json.loads(probe.read_text(encoding="utf-8"))
        result["per_cpu_s"] = cpu["requests"] / cpu["cpu_s"] if cpu["cpu_s"] else 0.0
        result["cpu_share"] = cpu["cpu_s"] / cpu["wall_s"] if cpu["wall_s"] else 0.0
    return result


def profile_args(url: str, users: int, seconds: int, report: Path) -> list[str]:
    return [
        "-f", "loadtests/locustfile.py", "--host", url, "--customers", "10000000", "--rate", "0",
        "--concurrency", str(users), "--ramp", "0", "--max-seconds", str(seconds), "--report-dir", str(report),
    ]  # fmt: skip


def bare_args(url: str, users: int, seconds: int, locustfile: str = "benchmarks/bare_locustfile.py") -> list[str]:
    return ["-f", locustfile, "--host", url, "-u", str(users), "-r", str(users * 10),
            "-t", f"{seconds}s"]  # fmt: skip


def memory(customers: int) -> dict[str, float]:
    """Run the pipeline in a fresh interpreter and read its RSS (no Locust involved)."""
    code = f"""
import json, time
from homologa.load.scenario import Scenario
from homologa.load.settings import LoadSettings
from homologa.load.tally import Tally
from homologa.messages import render_answer
from homologa.model import Retorno

def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024

n = {customers}
scenario = Scenario(LoadSettings(customers=n))
tally = Tally()
marks = {{}}
t0 = time.perf_counter()
for i in range(n):
    request = scenario.request(i)
    answer = render_answer(Retorno(request.id_mensagem, request.cnpj, 'PEN'))
    outcome = scenario.check(request, 200, 'application/xml', answer)
    assert outcome.ok, outcome
    tally.record(outcome.category, outcome.status, 1.0, 0.0, 1.0)
    if i + 1 in (10_000, 100_000, n):
        marks[i + 1] = rss()
elapsed = time.perf_counter() - t0
print(json.dumps({{"rss_mb": marks, "us_per_customer": 1e6 * elapsed / n}}))
"""
    done = subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=3600, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-customers", type=int, default=1_000_000)
    parser.add_argument("--skip-processes", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}/clientes"
    server = subprocess.Popen([*pin(1), PYTHON, "benchmarks/echo_server.py", str(port)], cwd=ROOT)
    results: dict[str, Any] = {"cores": os.cpu_count(), "seconds": args.seconds, "users": args.users}
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            bare, lean, prof = [], [], []
            for r in range(args.repeats):
                bare.append(run_locust(bare_args(url, args.users, args.seconds), 0, server.pid, work, f"bare{r}"))
                lean_args = bare_args(url, args.users, args.seconds, "benchmarks/lean_locustfile.py")
                lean.append(run_locust(lean_args, 0, server.pid, work, f"lean{r}"))
                prof.append(run_locust(profile_args(url, args.users, args.seconds, work / "rep"), 0, server.pid,
                                       work, f"perfil{r}"))  # fmt: skip
            results["bare"] = bare
            results["perfil"] = prof
            results["lean"] = lean
            lean_cpu = [p["per_cpu_s"] / b["per_cpu_s"] for b, p in zip(lean, prof, strict=True)]
            results["lean_cpu_ratio_median"] = statistics.median(lean_cpu)
            ratios = [p["rate"] / b["rate"] for b, p in zip(bare, prof, strict=True)]
            results["ratio_median"] = statistics.median(ratios)
            cpu_ratios = [p["per_cpu_s"] / b["per_cpu_s"] for b, p in zip(bare, prof, strict=True)]
            results["cpu_ratio_median"] = statistics.median(cpu_ratios)
            if not args.skip_processes:
                one = run_locust(profile_args(url, args.users, args.seconds, work / "rep"), None, server.pid, work,
                                 "p1")  # fmt: skip
                two = run_locust([*profile_args(url, args.users * 2, args.seconds, work / "rep"), "--processes", "2"],
                                 None, server.pid, work, "p2")  # fmt: skip
                results["processes"] = {"1": one, "2": two, "ratio": two["rate"] / one["rate"]}
    finally:
        server.terminate()
        server.wait(timeout=10)
    if not args.skip_memory:
        results["memory"] = memory(args.memory_customers)

    results["stages_us"] = stages()
    out = ROOT / "reports" / "bench" / "bench_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print("\n".join(table(results, args.memory_customers)))
    return 0


def stages() -> dict[str, float]:
    """Cost of each step of one customer, in µs (best of 3, in this interpreter, no Locust)."""
    import timeit

    from homologa.load.scenario import Scenario
    from homologa.load.settings import LoadSettings
    from homologa.messages import render_answer, render_request
    from homologa.model import Retorno

    scenario = Scenario(LoadSettings(customers=1_000_000))
    msg = scenario.source.message(123)
    request = scenario.request(123)
    answer = render_answer(Retorno(request.id_mensagem, request.cnpj, "PEN"))
    n = 5000

    def best(func: Any) -> float:
        return 1e6 * min(timeit.repeat(func, number=n, repeat=3)) / n

    return {
        "geracao": best(lambda: scenario.source.message(123)),
        "xml": best(lambda: render_request(msg)),
        "verificacao": best(lambda: scenario.check(request, 200, "application/xml", answer)),
    }


def table(results: dict[str, Any], customers: int) -> list[str]:
    lines = ["| medida | valor |", "|---|---|", f"| núcleos da máquina | {results['cores']} |"]
    for b, p in zip(results["bare"], results["perfil"], strict=True):
        lines.append(
            f"| nu / perfil, 1 núcleo, req/s | {b['rate']:.0f} / {p['rate']:.0f} (razão {p['rate'] / b['rate']:.0%}; "
            f"CPU do servidor {b['server_cpu']:.0%} / {p['server_cpu']:.0%}; núcleo obtido pelo Locust "
            f"{b['cpu_share']:.0%} / {p['cpu_share']:.0%}) |"
        )
        lines.append(
            f"| nu / perfil, CPU do Locust por requisição | {1e6 / b['per_cpu_s']:.0f} / {1e6 / p['per_cpu_s']:.0f} µs "
            f"({b['per_cpu_s']:.0f} / {p['per_cpu_s']:.0f} req por segundo de CPU, razão "
            f"{p['per_cpu_s'] / b['per_cpu_s']:.0%}) |"
        )
    lines.append(f"| **razão mediana perfil / nu, vazão (req/s)** (meta 85%) | **{results['ratio_median']:.0%}** |")
    lines.append(
        f"| **razão mediana perfil / nu, CPU por requisição** (CPU do nu ÷ CPU do perfil; meta 85%) | "
        f"**{results['cpu_ratio_median']:.0%}** |"
    )
    lines.append(
        "| razão mediana perfil / nu enxuto, CPU por requisição (o mesmo corpo fixo enviado como o perfil envia: "
        f"o custo de gerar, renderizar e verificar) | {results['lean_cpu_ratio_median']:.0%} |"
    )
    if "processes" in results:
        procs = results["processes"]
        lines.append(
            f"| perfil --processes 2 / 1 processo | {procs['2']['rate']:.0f} / {procs['1']['rate']:.0f} req/s "
            f"(×{procs['ratio']:.2f}) |"
        )
    st = results["stages_us"]
    lines.append(
        f"| custo por cliente (sem HTTP) | geração {st['geracao']:.0f} µs, XML {st['xml']:.0f} µs, "
        f"verificação {st['verificacao']:.0f} µs |"
    )
    if "memory" not in results:
        return lines
    mem = results["memory"]
    marks = " / ".join(f"{v:.1f} MB" for v in mem["rss_mb"].values())
    lines.append(f"| pipeline sem HTTP: RSS em 10 mil / 100 mil / {customers} clientes | {marks} |")
    lines.append(f"| pipeline sem HTTP: tempo por cliente | {mem['us_per_customer']:.0f} µs |")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
