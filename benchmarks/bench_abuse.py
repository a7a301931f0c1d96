"""The reference server (`homologa servir`) under abuse: figures for docs/distribuidor-sob-abuso.md.

Each scenario starts a fresh ``homologa servir`` process (so its peak RSS, ``VmHWM``, is the scenario's own):

1. ``lentas``: the server at an open-file limit of 1,024 (``--nofile``); 1,100 connections are opened and held, half
   idle and half sending a header byte every second (slowloris), while 3 normal clients each send a valid request
   on a new connection every 0.2 s for ``--seconds``. Reported: normal requests answered 200 / sent, their p50 and
   p99, how many connections the server refused, and the bytes the server wrote to stderr.
2. ``bombas``: 12 requests of ~1 MB with 90,000 attributes each, at once. Reported: time until all are answered,
   RSS before and peak RSS.
3. ``corpos``: 400 connections each sending a 1 MiB−1 body at once. Reported: RSS before, peak, and 2 s after.

Timings are printed, never asserted.

    .venv/bin/python benchmarks/bench_abuse.py               # all three
    .venv/bin/python benchmarks/bench_abuse.py lentas --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from homologa.messages import render_request
from homologa.model import CadastroCliente, Cliente, Endereco

START_TIMEOUT = 30.0


def _cliente(i: int) -> Cliente:
    from homologa import cnpj

    return Cliente(
        cnpj=cnpj.complete(f"{i:08d}0001"),
        inscricao_estadual="123456789",
        nome=f"Comercial Exemplo {i} Ltda",
        email=f"compras{i}@exemplo.com.br",
        telefone="1133334444",
        telefone_celular="11999998888",
        endereco=Endereco("Rua das Flores", "100", "Centro", "Sao Paulo", "SP", "01001000", "Sala 2"),
    )


def _body(i: int) -> bytes:
    return render_request(CadastroCliente(str(uuid.uuid4()), "2026-12-02T10:00:00-03:00", _cliente(i)))


def _request(data: bytes) -> bytes:
    head = (
        "POST /clientes HTTP/1.1\r\nHost: bench\r\nContent-Type: application/xml; charset=UTF-8\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + data


class Server:
    def __init__(self, db: Path, nofile: int, *extra: str) -> None:
        serve = [sys.executable, "-m", "homologa", "servir", "--porta", "0", "--banco", str(db), "--silencioso", *extra]
        cmd = ["prlimit", f"--nofile={nofile}:{nofile}", *serve]  # prlimit execs: the pid is the server's
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/clientes", line)
        if not match:
            self.proc.kill()
            raise SystemExit(f"servidor não subiu: {line!r}")
        self.port = int(match.group(1))

    def status(self, field: str) -> int:
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1)) // 1024  # type: ignore[union-attr]

    def stop(self) -> tuple[float, int]:
        started = time.monotonic()
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=30)
        return time.monotonic() - started, len(err)


async def _exchange(port: int, data: bytes, timeout: float = 30.0) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        writer.write(data)
        answer = await asyncio.wait_for(reader.read(), timeout)
        writer.close()
    except TimeoutError:
        return -1, time.perf_counter() - started
    except OSError:
        return 0, time.perf_counter() - started
    status = int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else -2
    return status, time.perf_counter() - started


async def _slow(port: int, n: int, stop: asyncio.Event, reconnect: float) -> list[int]:
    """Open ``n`` connections; odd ones drip a header byte per second. Re-open what the server closes after
    ``reconnect`` seconds."""
    args_reconnect = [reconnect]
    held = [0]
    reopened = [0]

    async def one(i: int) -> None:
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.5)
                continue
            held[0] += 1
            try:
                if i % 2:
                    writer.write(b"POST /clientes HTTP/1.1\r\nHost: bench\r\n")
                while not stop.is_set() and not reader.at_eof():
                    if i % 2:
                        writer.write(b"X")
                        await writer.drain()
                    with_eof = asyncio.ensure_future(reader.read(1))
                    done, _ = await asyncio.wait({with_eof}, timeout=1.0)
                    if not done:
                        with_eof.cancel()
                    elif not with_eof.result():
                        break
            except OSError:
                pass
            finally:
                held[0] -= 1
                writer.close()
            reopened[0] += 1
            await asyncio.sleep(args_reconnect[0])

    tasks = [asyncio.create_task(one(i)) for i in range(n)]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return reopened


def _normal_clients(port: int, seconds: float) -> list[tuple[int, float]]:
    """3 normal clients in a separate process (so the slow peers' event loop does not delay them): each sends a
    valid request on a new connection every 0.2 s."""
    code = (
        "import asyncio, json, sys\n"
        "sys.path.insert(0, sys.argv[3])\n"
        "import bench_abuse as b\n"
        "print(json.dumps(asyncio.run(b._normal(int(sys.argv[1]), float(sys.argv[2])))))\n"
    )
    cmd = [sys.executable, "-c", code, str(port), str(seconds), str(Path(__file__).resolve().parent)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [(int(status), float(ms)) for status, ms in json.loads(out)]


async def _normal(port: int, seconds: float) -> list[tuple[int, float]]:
    results: list[tuple[int, float]] = []
    deadline = time.monotonic() + seconds

    async def client(w: int) -> None:
        i = 0
        while time.monotonic() < deadline:
            results.append(await _exchange(port, _request(_body(5_000_000 + w * 100_000 + i)), 10))
            i += 1
            await asyncio.sleep(0.2)

    await asyncio.gather(*[client(w) for w in range(3)])
    return results


def _summary(results: list[tuple[int, float]]) -> str:
    ok = sum(1 for status, _ in results if status == 200)
    statuses = collections.Counter(status for status, _ in results)
    lat = sorted(ms * 1000 for _, ms in results)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
    median = statistics.median(lat) if lat else float("nan")
    return f"200: {ok}/{len(results)} (HTTP {dict(statuses)}); p50 {median:.1f} ms; p99 {p99:.1f} ms"


async def _scenario_slow(args: argparse.Namespace, tmp: Path) -> None:
    srv = Server(tmp / "lentas.db", args.nofile)
    try:
        alone = await asyncio.to_thread(_normal_clients, srv.port, min(args.seconds, 10.0))
        stop = asyncio.Event()
        slow = asyncio.create_task(_slow(srv.port, args.slow, stop, args.reconnect))
        await asyncio.sleep(3)  # let them pile up
        attacked = await asyncio.to_thread(_normal_clients, srv.port, args.seconds)
        fds = len(list(Path(f"/proc/{srv.proc.pid}/fd").iterdir()))
        stop.set()
        reopened = await slow
    finally:
        took, err_bytes = await asyncio.to_thread(srv.stop)
    print(
        f"lentas: servidor com ulimit -n {args.nofile}; pedidos normais sozinhos: {_summary(alone)}\n"
        f"lentas: com {args.slow} conexões lentas/ociosas (reabertas após {args.reconnect:g} s): {_summary(attacked)}"
        f" (0 = erro de conexão, -1 = sem resposta em 10 s, -2 = fechada sem resposta)\n"
        f"lentas: fds abertos no servidor {fds}; conexões lentas reabertas {reopened[0]}; "
        f"stderr do servidor {err_bytes} bytes; SIGTERM→saída {took:.2f} s"
    )


async def _scenario_bombs(args: argparse.Namespace, tmp: Path) -> None:
    srv = Server(tmp / "bombas.db", args.nofile)
    valid = _body(1)
    bomb = valid.replace(b"<Nome>", b"<Nome " + b" ".join(b'a%d="1"' % i for i in range(90_000)) + b">")
    try:
        await asyncio.sleep(0.5)
        before = srv.status("VmRSS")
        started = time.perf_counter()
        answers = await asyncio.gather(*[_exchange(srv.port, _request(bomb), 120) for _ in range(12)])
        took = time.perf_counter() - started
        peak = srv.status("VmHWM")
    finally:
        await asyncio.to_thread(srv.stop)
    codes = sorted({status for status, _ in answers})
    print(
        f"bombas: 12 × {len(bomb) / 1e6:.2f} MB com 90.000 atributos; respostas HTTP {codes}; "
        f"{took:.2f} s; RSS antes {before} MB, pico {peak} MB"
    )


async def _scenario_bodies(args: argparse.Namespace, tmp: Path) -> None:
    srv = Server(tmp / "corpos.db", args.nofile)
    valid = _body(1)
    big = valid.replace(b"<Nome>", b"<Nome>" + b"A" * ((1 << 20) - 1 - len(valid)))
    assert len(big) == (1 << 20) - 1
    try:
        await asyncio.sleep(0.5)
        before = srv.status("VmRSS")
        answers = await asyncio.gather(*[_exchange(srv.port, _request(big), 120) for _ in range(400)])
        peak = srv.status("VmHWM")
        await asyncio.sleep(2)
        after = srv.status("VmRSS")
    finally:
        await asyncio.to_thread(srv.stop)
    codes = sorted({status for status, _ in answers})
    print(
        f"corpos: 400 × 1 MiB−1 ao mesmo tempo; respostas HTTP {codes}; "
        f"RSS antes {before} MB, pico {peak} MB, 2 s depois {after} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cenarios", nargs="*", choices=["lentas", "bombas", "corpos", []], default=[])
    parser.add_argument("--nofile", type=int, default=1024, help="limite de arquivos abertos do servidor")
    parser.add_argument("--slow", type=int, default=1100, help="conexões lentas/ociosas (padrão 1100)")
    parser.add_argument(
        "--reconnect", type=float, default=1.0, help="pausa antes de reabrir uma conexão lenta fechada (padrão 1 s)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="duração da carga normal (padrão 20 s)")
    args = parser.parse_args()
    chosen = args.cenarios or ["lentas", "bombas", "corpos"]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.slow + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.slow + 500), hard))
    scenarios = {"lentas": _scenario_slow, "bombas": _scenario_bombs, "corpos": _scenario_bodies}
    with tempfile.TemporaryDirectory(prefix="bench-abuso-") as tmp:
        for name in chosen:
            asyncio.run(scenarios[name](args, Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
