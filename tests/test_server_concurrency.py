"""50 concurrent clients re-sending overlapping CNPJs: one row per CNPJ, one PEN per CNPJ, no lost update, the last
applied data stored, every answer schema-valid."""

from __future__ import annotations

import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from server_support import body, make_cliente, post, running, valid_answer

from homologa.model import Cliente, Retorno
from homologa.server.business import REJECTED_EMAIL_DOMAIN, cliente_to_dict
from homologa.server.store import all_cnpjs, count_customers, fetch_customer

CLIENTS = 50
CNPJS = 12
SENDS_PER_CLIENT = 6


def _client_run(client: httpx.Client, url: str, worker: int) -> list[tuple[Cliente, Retorno]]:
    results = []
    for j in range(SENDS_PER_CLIENT):
        k = (worker * 7 + j) % CNPJS
        email = f"w{worker}j{j}@{REJECTED_EMAIL_DOMAIN if (worker + j) % 5 == 0 else 'exemplo.com.br'}"
        cliente = make_cliente(100 + k, nome=f"Cliente {k} pelo cliente {worker} envio {j}", email=email)
        response = post(client, url, body(cliente))
        assert response.status_code == 200
        results.append((cliente, valid_answer(response)))
    return results


def test_concurrent_resends_never_duplicate_nor_lose_updates(tmp_path: Path) -> None:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    with (
        running(tmp_path) as srv,
        httpx.Client(timeout=30, limits=limits) as client,  # one connection per worker thread
        ThreadPoolExecutor(CLIENTS) as pool,
    ):
        runs = list(pool.map(lambda w: _client_run(client, srv.url, w), range(CLIENTS)))
    db = tmp_path / "ref.db"
    by_cnpj: dict[str, list[tuple[int, Cliente, Retorno]]] = defaultdict(list)
    for cliente, answer in (pair for run in runs for pair in run):
        assert answer.cnpj == cliente.cnpj and answer.status in {"PEN", "APV", "RPV"}
        match = re.search(r"recebimento (\d+)", answer.mensagem or "")
        assert match, answer.mensagem
        by_cnpj[cliente.cnpj].append((int(match.group(1)), cliente, answer))

    assert count_customers(db) == len(by_cnpj) == CNPJS
    assert sorted(all_cnpjs(db)) == sorted(by_cnpj)
    for cnpj, sends in by_cnpj.items():
        sends.sort(key=lambda item: item[0])
        assert [n for n, _, _ in sends] == list(range(1, len(sends) + 1)), "recebimento perdido ou repetido"
        assert [a.status for _, _, a in sends].count("PEN") == 1 and sends[0][2].status == "PEN"
        for _, cliente, answer in sends[1:]:
            rejected = cliente.email.endswith(REJECTED_EMAIL_DOMAIN)
            assert answer.status == ("RPV" if rejected else "APV")
        stored = fetch_customer(db, cnpj)
        assert stored is not None
        last = sends[-1][1]
        assert stored["recebimentos"] == len(sends)
        assert {k: v for k, v in stored.items() if k not in {"status", "recebimentos"}} == cliente_to_dict(last)
