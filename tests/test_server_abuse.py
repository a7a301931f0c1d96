"""``homologa servir`` as a process under abuse: logs that cannot flood, a database that is read-only or locked by
another process, and SIGTERM in every state."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from server_support import body, make_cliente, post, running, valid_answer
from test_server_process import start_serve

from homologa.server import quietlog
from homologa.server.memory import Trimmer
from homologa.server.store import all_cnpjs, count_customers


def test_repeat_filter_counts_repeated_lines_and_keeps_one_traceback() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    repeat = quietlog.install(handler, ("homologa.teste.repetido",), logging.WARNING)
    logger = logging.getLogger("homologa.teste.repetido")
    for i in range(10_000):
        try:
            raise ValueError(i)
        except ValueError:
            logger.exception("falha ao tratar pedido de %s", f"10.0.0.{i % 250}")
    logger.warning("outra coisa")
    repeat.flush_all(logger)
    lines = out.getvalue().splitlines()
    assert out.getvalue().count("Traceback") == 1
    assert len(lines) < 40, lines
    assert any("suprimida 9997 vez(es)" in line for line in lines), lines[-3:]
    assert "outra coisa" in out.getvalue()


def _hostile_http(url: str, n: int) -> None:
    parts = urlsplit(url)
    for _ in range(n):
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
            sock.sendall(b"POST /clientes HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
            while sock.recv(4096):
                pass


def test_thousand_bad_requests_leave_a_few_log_lines_not_a_thousand_tracebacks(tmp_path: Path) -> None:
    proc, url = start_serve(tmp_path / "log.db", "--silencioso")
    try:
        _hostile_http(url, 1000)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert err.count("Traceback") <= 1, err[:2000]
    assert len(err.splitlines()) < 60, err[:2000]
    assert "suprimida" in err


def test_sigterm_stops_within_5_s_while_slow_peers_hold_connections(tmp_path: Path) -> None:
    proc, url = start_serve(tmp_path / "term.db", "--silencioso", "--prazo-cabecalhos", "60", "--prazo-corpo", "60")
    parts = urlsplit(url)
    socks = []
    try:
        for i in range(200):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
            if i % 2:
                sock.sendall(b"POST /clientes HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n<")
            else:
                sock.sendall(b"POST /clientes HTTP/1.1\r\nHost: x\r\n")
            socks.append(sock)
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
        took = time.monotonic() - started
    finally:
        proc.kill()
        for sock in socks:
            sock.close()
    assert proc.returncode == 0 and "encerrado" in out
    assert took < 5, f"levou {took:.1f} s para parar"


def _rss_mb(pid: int, field: str = "VmRSS") -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in text.splitlines() if line.startswith(field + ":"))
    return int(line.split()[1]) // 1024


async def _burst(port: int, data: bytes, n: int) -> list[bytes]:
    async def one() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(data)
        answer = await reader.read()
        writer.close()
        return answer[:12]

    return await asyncio.gather(*[one() for _ in range(n)])


def test_memory_returns_near_baseline_after_a_burst_of_large_bodies(tmp_path: Path) -> None:
    if not Trimmer().available:
        pytest.skip("sem malloc_trim (libc não é a glibc): a memória não é devolvida explicitamente")
    valid = body(make_cliente(1))
    big = valid.replace(b"<Nome>", b"<Nome>" + b"A" * ((1 << 20) - 1 - len(valid)))
    request = (
        b"POST /clientes HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(big)).encode() + b"\r\n\r\n" + big
    )
    proc, url = start_serve(tmp_path / "mem.db", "--silencioso")
    try:
        time.sleep(0.5)
        before = _rss_mb(proc.pid)
        answers = asyncio.run(_burst(urlsplit(url).port or 0, request, 250))
        assert set(answers) == {b"HTTP/1.1 400"}
        peak = _rss_mb(proc.pid, "VmHWM")
        time.sleep(2)
        after = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    assert peak > before + 100, (before, peak)  # the burst really was held in memory
    assert after < before + 50, f"RSS {before} MB → pico {peak} MB → {after} MB depois"


def _can_mount_read_only() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], check=False, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.parametrize("what", ["arquivo", "disco"])
def test_read_only_database_fails_at_start_with_one_pt_br_line(tmp_path: Path, what: str) -> None:
    if not _can_mount_read_only():
        pytest.skip("sem unshare/mount para simular um disco somente leitura")
    folder = tmp_path / "banco"
    db = folder / "ref.db"
    proc, url = start_serve(db, "--silencioso")  # an existing database in WAL mode, as a previous run leaves it
    with httpx.Client(timeout=10) as client:
        assert valid_answer(post(client, url, body(make_cliente(1)))).status == "PEN"
    proc.terminate()
    proc.wait(10)
    target = db if what == "arquivo" else folder  # the file only (folder writable), or the whole "disk"
    serve = f"{sys.executable} -m homologa servir --porta 0 --banco {db}"
    script = f"mount --bind -o ro {target} {target} && exec {serve}"
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "não foi possível abrir o banco" in lines[0] and "Traceback" not in done.stderr
    assert "ouvindo" not in done.stdout


def _lock_holder(db: Path) -> subprocess.Popen[str]:
    """A second process that takes the database's write lock and keeps it until its stdin closes."""
    code = (
        "import sqlite3, sys\n"
        f"db = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "print('travado', flush=True)\n"
        "sys.stdin.read()\n"
        "db.execute('ROLLBACK')\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "travado"
    return holder


def test_locked_database_answers_503_after_the_wait_and_health_keeps_answering(tmp_path: Path) -> None:
    with running(tmp_path, db_wait=3.0) as srv, httpx.Client(timeout=30) as client:
        assert valid_answer(post(client, srv.url, body(make_cliente(1)))).status == "PEN"
        holder = _lock_holder(tmp_path / "ref.db")
        try:
            with ThreadPoolExecutor(1) as pool:
                pending = pool.submit(post, httpx.Client(timeout=30), srv.url, body(make_cliente(2)))
                time.sleep(0.5)  # the POST is now waiting for the lock
                started = time.monotonic()
                health = client.get(srv.base_url + "/saude")
                health_took = time.monotonic() - started
                still_waiting = not pending.done()
                response = pending.result()
        finally:
            assert holder.stdin is not None
            holder.stdin.close()
            holder.wait(10)
        assert still_waiting, "o POST não esperou pelo bloqueio"
        assert health.status_code == 200 and health.json()["escrita"] == "ocupado"
        assert health_took < 1.5, f"/saude levou {health_took:.1f} s com o banco travado"
        assert response.status_code == 503 and response.headers["Retry-After"] == "1"
        assert valid_answer(response).erro_codigo == "BANCO-OCUPADO"
        assert valid_answer(post(client, srv.url, body(make_cliente(2)))).status == "PEN"
        assert client.get(srv.base_url + "/saude").json()["escrita"] == "ok"
    assert count_customers(tmp_path / "ref.db") == 2


def test_sigterm_with_the_database_locked_and_requests_waiting_stops_within_5_s(tmp_path: Path) -> None:
    db = tmp_path / "travado.db"
    proc, url = start_serve(db, "--silencioso")
    with httpx.Client(timeout=10) as client:
        assert valid_answer(post(client, url, body(make_cliente(1)))).status == "PEN"
    holder = _lock_holder(db)
    try:
        with ThreadPoolExecutor(20) as pool:
            waiting = [pool.submit(_post_ignoring_errors, url, 10 + i) for i in range(20)]
            time.sleep(0.7)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=15)
            took = time.monotonic() - started
            for future in waiting:
                future.result()
    finally:
        proc.kill()
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)
    assert proc.returncode == 0
    assert took < 5, f"levou {took:.1f} s para parar"
    assert count_customers(db) == 1


def _post_ignoring_errors(url: str, i: int) -> int:
    try:
        with httpx.Client(timeout=20) as client:
            return post(client, url, body(make_cliente(i))).status_code
    except httpx.HTTPError:
        return 0


def test_sigterm_under_load_keeps_every_acknowledged_customer(tmp_path: Path) -> None:
    db = tmp_path / "carga.db"
    proc, url = start_serve(db, "--silencioso")
    acknowledged: list[str] = []
    stop = threading.Event()

    def worker(w: int) -> None:
        with httpx.Client(timeout=10) as client:
            for j in range(100_000):
                if stop.is_set():
                    return
                cliente = make_cliente(2_000_000 + w * 100_000 + j)
                try:
                    response = post(client, url, body(cliente))
                except httpx.TransportError:
                    return
                if response.status_code == 200 and valid_answer(response).status == "PEN":
                    acknowledged.append(cliente.cnpj)

    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(worker, w) for w in range(8)]
            time.sleep(2)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=15)
            took = time.monotonic() - started
            stop.set()
            for future in futures:
                future.result()
    finally:
        proc.kill()
    assert proc.returncode == 0 and took < 5
    assert acknowledged, "a carga não progrediu"
    stored = set(all_cnpjs(db))
    missing = [cnpj for cnpj in acknowledged if cnpj not in stored]
    assert not missing, f"{len(missing)} cliente(s) confirmados não foram gravados"
