"""Benchmark of the master's side of a distributed burst (not a test): is slice dispatch ever the bottleneck, and do
the master's memory and journal stay flat at 10 million customers?

No HTTP, no sockets: the real master (:class:`homologa.load.locust_runtime.Runtime` handlers ``_on_ask``,
``_on_done``, ``check_workers``; the real ``Dispenser``, ``Journal`` and ``Tally``) is driven by N simulated
workers that answer their customers instantly. Every message goes through Locust's own wire format
(``locust.rpc.protocol.Message``, msgpack) both ways, with a realistic per-slice tally (about 50 latency buckets).
Half-way through, one worker dies: the master gives it up and its slices are granted again.

1. Dispatch, for 20, 50 and 100 workers: the master's CPU per slice (``time.thread_time`` around its side only:
   decode the message, handle it, encode the answer) and the slices/s that makes on one core, against the *bare
   message loop* of the same run (the same messages decoded and encoded, handlers that only hand out the next
   range: no dispenser, no tally, no journal), medians of ``--repeats`` interleaved pairs; then at which slice
   size dispatch would become the bottleneck for workers doing ~2,000 customers/s each.
2. Memory and journal at 1M and 10M customers (each in its own process): peak RSS, the journal's largest size on
   disk, and the time ``--resume`` takes to load it; the same journal without compaction as the baseline.

Usage: python benchmarks/bench_dispatch.py [--customers 10000000] [--chunk 500] [--workers 20,50,100] [--repeats 3]
Prints a Markdown table and writes reports/bench/bench_dispatch.json.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PER_CORE = 2000  # customers/s one worker process sustains with every answer checked (docs/desempenho.md)


def _slice_tally(size: int, rng: random.Random) -> dict[str, Any]:
    """A slice's tally as a worker sends it: every answer PEN, latencies spread over ~50 buckets."""
    latency: dict[str, int] = {}
    for _ in range(min(size, 50)):
        bucket = str(rng.choice((rng.randint(5, 99), rng.randint(10, 99) * 10)))
        latency[bucket] = latency.get(bucket, 0) + 1
    latency[next(iter(latency))] += size - sum(latency.values())
    now = time.time()
    return {"sent": size, "statuses": {"PEN": size}, "failures": {}, "latency": latency, "first_sent": now,
            "last_answer": now + 1}  # fmt: skip


class Sim:
    """N workers and one master, in one loop; ``master_cpu`` is the master's side only."""

    def __init__(self, workers: int, customers: int, chunk: int, folder: Path, *, bare: bool, compact: bool) -> None:
        import gevent  # noqa: F401  (locust monkey-patches on import: keep it inside the measuring process)
        from locust.env import Environment
        from locust.rpc.protocol import Message
        from locust.runners import MasterRunner

        from homologa.load.locust_runtime import Runtime
        from homologa.load.settings import LoadSettings

        self.Message = Message
        self.rng = random.Random(5)
        self.outbox: dict[str, deque[bytes]] = {f"w{i}": deque() for i in range(workers)}
        sim = self

        class Runner(MasterRunner):
            def __init__(self) -> None:  # no sockets: only what the handlers use
                self.custom_messages = {}
                self.greenlet = None  # type: ignore[assignment]

            @property
            def worker_count(self) -> int:
                return len(sim.alive)

            def send_message(self, msg_type: str, data: Any = None, client_id: str | None = None) -> None:
                assert client_id is not None
                sim.outbox[client_id].append(sim.Message(msg_type, data, client_id).serialize())

        environment = Environment()
        environment.runner = Runner()
        runtime = Runtime(environment)
        runtime.settings = LoadSettings(customers=customers, chunk=chunk, report_dir=str(folder))
        runtime.plan_id = "plano-do-benchmark"
        self.runtime = runtime
        self.bare = bare
        self.customers = customers
        self.chunk = chunk
        self.alive = list(self.outbox)
        self.held: dict[str, deque[tuple[int, int]]] = {w: deque() for w in self.outbox}
        self.asked: set[str] = set()
        self.waiting: set[str] = set()
        self.next = 0  # the bare loop's "dispenser"
        self.master_cpu = 0.0
        self.slices = 0
        self.journal_peak = 0
        self.rss: list[tuple[int, float]] = []
        self.tallies = [_slice_tally(chunk, self.rng) for _ in range(64)]
        self.checked = -1
        if not bare:
            runtime.begin_master_run()
            assert runtime.journal is not None and runtime.error is None, runtime.error
            if not compact:  # the journal before compaction: one line per slice, forever
                runtime.journal.compact_every = 10**12

    # the master's side --------------------------------------------------------------------------------------------
    def master(self, raw: bytes) -> None:
        began = time.thread_time()
        msg = self.Message.unserialize(raw)
        runtime = self.runtime
        if self.bare:  # the bare message loop: decode, hand out the next range, encode
            if msg.type == "homologa:pedir":
                start = self.next
                stop = min(start + self.chunk, self.customers)
                self.next = stop
                reply: dict[str, Any] = {"g": 1, "plano": msg.data.get("plano")}
                if start < stop:
                    reply.update(start=start, stop=stop)
                else:
                    reply["end"] = True
                runtime.environment.runner.send_message("homologa:fatia", reply, client_id=msg.node_id)
            else:
                self.slices += 1
        elif msg.type == "homologa:pedir":
            runtime._on_ask(runtime.environment, msg)
        else:
            runtime._on_done(runtime.environment, msg)
            self.slices += 1
        self.master_cpu += time.thread_time() - began

    def lose(self, worker: str) -> None:
        self.alive.remove(worker)
        if not self.bare:
            began = time.thread_time()
            self.runtime.check_workers(set(self.alive))
            self.master_cpu += time.thread_time() - began

    @property
    def finished(self) -> bool:
        if self.bare:
            return self.next >= self.customers and not any(self.held[w] for w in self.alive)
        return self.runtime.finished

    # the workers' side --------------------------------------------------------------------------------------------
    def step(self, worker: str) -> None:
        if not self.held[worker]:
            self.waiting.discard(worker)  # nothing to answer: ask again
        inbox = self.outbox[worker]
        while inbox:
            msg = self.Message.unserialize(inbox.popleft())
            self.asked.discard(worker)
            if "start" in msg.data:
                self.held[worker].append((msg.data["start"], msg.data["stop"]))
            else:
                self.waiting.add(worker)  # "wait" or "end": answer what it holds before asking again
        if len(self.held[worker]) < 2 and worker not in self.asked and worker not in self.waiting:
            self.asked.add(worker)
            self.master(self.Message("homologa:pedir", {"plano": "plano-do-benchmark"}, worker).serialize())
        elif self.held[worker]:
            self.waiting.discard(worker)
            start, stop = self.held[worker].popleft()
            tally = dict(self.rng.choice(self.tallies), sent=stop - start, statuses={"PEN": stop - start})
            data = {"g": 1, "start": start, "stop": stop, "tally": tally}
            self.master(self.Message("homologa:feita", data, worker).serialize())

    def run(self, lose_at: float = 0.5) -> None:
        lost = False
        last_sync = time.monotonic()
        journal_path = Path(self.runtime.settings.report_dir) / "diario.jsonl"
        while not self.finished:
            worker = self.rng.choice(self.alive)
            self.step(worker)
            done = self.runtime.dispenser.completed if not self.bare and self.runtime.dispenser else self.next
            if not lost and done >= lose_at * self.customers and len(self.alive) > 1:
                self.lose(self.alive[0])  # killed mid-burst: what it held goes to the others
                lost = True
            if self.slices == self.checked:
                continue
            self.checked = self.slices
            if self.slices % 256 == 0 and not self.bare:
                self.journal_peak = max(self.journal_peak, journal_path.stat().st_size)
                if time.monotonic() - last_sync >= 1.0:  # the master's fsync, once a second (off its loop)
                    assert self.runtime.journal is not None
                    self.runtime.journal.sync()
                    last_sync = time.monotonic()
            if self.slices % 2000 == 0:
                self.rss.append((done, rss_mb()))
        if not self.bare:
            assert self.runtime.total.sent == self.customers, "cada cliente exatamente uma vez"
            assert self.runtime.journal is not None
            self.runtime.journal.close()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints its JSON."""
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        folder = Path(tmp)
        sim = Sim(args.one_workers, args.customers, args.chunk, folder, bare=args.bare, compact=not args.no_compaction)
        rss_start = rss_mb()
        began = time.perf_counter()
        sim.run()
        wall = time.perf_counter() - began
        result: dict[str, Any] = {
            "workers": args.one_workers,
            "customers": args.customers,
            "chunk": args.chunk,
            "bare": args.bare,
            "compaction": not args.no_compaction,
            "slices": sim.slices,
            "master_cpu_s": sim.master_cpu,
            "us_per_slice": 1e6 * sim.master_cpu / max(sim.slices, 1),
            "wall_s": wall,
            "rss_start_mb": rss_start,
            "rss_peak_mb": peak_rss_mb(),
            "rss_marks": sim.rss[:: max(1, len(sim.rss) // 5)],
        }
        if not args.bare:
            from homologa.load.journal import load

            journal = folder / "diario.jsonl"
            result["journal_peak_bytes"] = max(sim.journal_peak, journal.stat().st_size)
            result["journal_final_bytes"] = journal.stat().st_size
            result["journal_compactions"] = sim.runtime.journal.compactions if sim.runtime.journal else 0
            plan = sim.runtime.journal_plan()
            began = time.perf_counter()
            found = load(folder, plan)  # what --resume reads (a finished burst is then refused: nothing to resume)
            result["resume_s"] = time.perf_counter() - began
            assert found.tally.sent == args.customers and found.confirmed.indices == args.customers
            result["resume_ranges"] = len(found.confirmed)
        print(json.dumps(result))


def measure(customers: int, chunk: int, workers: int, bare: bool = False, compaction: bool = True) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", "--customers", str(customers), "--chunk", str(chunk)]
    cmd += ["--one-workers", str(workers)] + (["--bare"] if bare else []) + ([] if compaction else ["--no-compaction"])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"medida falhou: {' '.join(cmd)}\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--workers", default="20,50,100")
    parser.add_argument("--dispatch-customers", type=int, default=2_000_000, help="customers of each dispatch run")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs of each dispatch pair (median)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--one-workers", type=int, default=20, help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-compaction", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "dispatch": []}
    print("## Despacho de fatias no mestre (trabalhadores simulados, sem HTTP)\n")
    print("| trabalhadores | fatia | fatias | µs de CPU do mestre por fatia | laço nu (µs) | razão", end="")
    print(" | fatias/s num núcleo |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for workers in (int(w) for w in args.workers.split(",")):
        for chunk in sorted({args.chunk, 50}):
            n = args.dispatch_customers if chunk == args.chunk else args.dispatch_customers // 10
            pairs = [(measure(n, chunk, workers), measure(n, chunk, workers, bare=True)) for _ in range(args.repeats)]
            real = sorted((p[0] for p in pairs), key=lambda r: r["us_per_slice"])[len(pairs) // 2]  # median
            bare = sorted((p[1] for p in pairs), key=lambda r: r["us_per_slice"])[len(pairs) // 2]
            ratio = real["us_per_slice"] / bare["us_per_slice"]
            per_s = 1e6 / real["us_per_slice"]
            results["dispatch"].append({"real": real, "bare": bare, "ratio": ratio, "slices_per_s": per_s})
            print(
                f"| {workers} | {chunk} | {real['slices']} | {real['us_per_slice']:.1f} | {bare['us_per_slice']:.1f}"
                f" | ×{ratio:.2f} | {per_s:,.0f} |"
            )
    worst = max(d["real"]["us_per_slice"] for d in results["dispatch"])
    capacity = 1e6 / worst
    print(f"\nPior caso: {worst:.1f} µs por fatia = {capacity:,.0f} fatias/s num núcleo do mestre.")
    print(f"Trabalhadores a {PER_CORE} clientes/s cada: o despacho vira gargalo abaixo desta fatia:\n")
    print("| trabalhadores | clientes/s somados | fatias/s pedidas com fatia 500 | menor fatia antes do gargalo |")
    print("|---:|---:|---:|---:|")
    results["bottleneck"] = []
    for workers in (20, 50, 100, 500):
        demand = workers * PER_CORE
        smallest = demand / capacity
        results["bottleneck"].append({"workers": workers, "customers_per_s": demand, "smallest_chunk": smallest})
        print(f"| {workers} | {demand:,} | {demand / 500:,.0f} | {smallest:.1f} |")

    print(f"\n## Memória e diário ({args.chunk} por fatia, 20 trabalhadores, um perdido na metade)\n")
    print("| clientes | compactação | RSS inicial / pico (MB) | maior diário | diário final | retomada (s) |")
    print("|---:|---|---:|---:|---:|---:|")
    results["memory"] = []
    small = max(args.customers // 10, 1000)
    for customers, compaction in ((small, True), (args.customers, True), (args.customers, False)):
        r = measure(customers, args.chunk, 20, compaction=compaction)
        results["memory"].append(r)
        print(
            f"| {customers:,} | {'sim' if compaction else 'não (antes)'} | {r['rss_start_mb']:.1f} / "
            f"{r['rss_peak_mb']:.1f} | {r['journal_peak_bytes'] / 1024:,.0f} KB | "
            f"{r['journal_final_bytes'] / 1024:,.0f} KB | {r['resume_s']:.3f} |"
        )
    out = ROOT / "reports" / "bench" / "bench_dispatch.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\n(gravado em {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
