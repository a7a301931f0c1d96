"""``homologa servir`` as a process: kill -9 under load loses no acknowledged customer; SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from server_support import body, make_cliente, post, valid_answer

from homologa.model import Cliente
from homologa.server.store import count_customers, fetch_customer

START_TIMEOUT = 30.0


def start_serve(db: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, "-m", "homologa", "servir", "--porta", "0", "--banco", str(db), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(START_TIMEOUT):
            proc.kill()
            raise AssertionError("homologa servir não anunciou o endereço")
    line = proc.stdout.readline()
    match = re.search(r"(http://\S+/clientes)", line)
    if not match:
        proc.kill()
        raise AssertionError(f"saída inesperada: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, match.group(1)


def test_kill_9_under_load_loses_no_acknowledged_customer(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    proc, url = start_serve(db, "--silencioso")
    acknowledged: list[Cliente] = []
    lock = threading.Lock()
    enough = threading.Event()

    def worker(w: int) -> None:
        with httpx.Client(timeout=10) as client:
            for j in range(10_000):
                cliente = make_cliente(1_000_000 + w * 10_000 + j)
                try:
                    response = post(client, url, body(cliente))
                except httpx.TransportError:
                    return  # the server is gone
                assert valid_answer(response).status == "PEN"
                with lock:
                    acknowledged.append(cliente)
                    if len(acknowledged) >= 300:
                        enough.set()

    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(worker, w) for w in range(8)]
            assert enough.wait(60), "a carga não progrediu"
            os.kill(proc.pid, signal.SIGKILL)  # mid-load: requests are in flight
            for future in futures:
                future.result()
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    proc, url = start_serve(db, "--silencioso")
    try:
        assert count_customers(db) >= len(acknowledged)
        missing = [c.cnpj for c in acknowledged if fetch_customer(db, c.cnpj) is None]
        assert not missing, f"{len(missing)} cliente(s) confirmados sumiram após kill -9"
        with httpx.Client(timeout=10) as client:
            for cliente in acknowledged:
                answer = valid_answer(post(client, url, body(cliente)))
                assert answer.status in {"APV", "RPV"}, (cliente.cnpj, answer)
    finally:
        proc.terminate()
        proc.wait(10)


def test_sigterm_stops_cleanly_and_logs_one_line_per_request(tmp_path: Path) -> None:
    proc, url = start_serve(tmp_path / "term.db")
    try:
        with httpx.Client(timeout=10) as client:
            assert valid_answer(post(client, url, body(make_cliente(1)))).status == "PEN"
            assert client.get(url.replace("/clientes", "/saude")).status_code == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "encerrado" in out
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert [(line["caminho"], line["http"]) for line in lines] == [("/clientes", 200), ("/saude", 200)]
    assert lines[0]["cnpj"] == make_cliente(1).cnpj
