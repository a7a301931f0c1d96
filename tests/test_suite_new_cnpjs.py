"""Never received means never received: the suite's new CNPJs stay new on an ERP that holds a copy of production,
earlier suite runs and earlier go-live bursts (docs/cnpjs-novos.md).

The space is proven disjoint by construction (every new CNPJ decodes back to its run and index), then the product
suite runs against a reference distributor pre-loaded with ~200k customers shaped that way and must pass, while a
wrong-status ERP on the same database is still caught.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from homologa import cnpj
from homologa.generator import CustomerSource, parse_cep_range
from homologa.server import ReferenceServer, ServerConfig
from homologa.server.business import cliente_to_dict
from homologa.server.store import SqliteStore, count_customers
from homologa.suite import scenarios

pytest_plugins = ["pytester"]

SUITES = Path(__file__).resolve().parents[1] / "suites"
THIS_RUN = scenarios.run_seed(time.time())
EARLIER_RUNS = 150  # full blocks of earlier runs, one per second before this one (and one ~3 years ago)
PRODUCTION = 120_000
BURST = 20_000


def decode(value: str) -> tuple[int, int]:
    """(index in the never-received space, branch) of a suite CNPJ: the inverse of :func:`scenarios.new_cnpj`."""
    raiz, ordem = value[:8], value[8:12]
    order = int(ordem[1:]) if ordem.startswith("Z") else int(ordem) - 9000
    high, branch = divmod(order, scenarios.BRANCHES)
    low = scenarios._raiz_permutation().inverse(int(raiz))
    return high * 10**8 + low, branch


def test_every_new_cnpj_decodes_to_its_run_and_index() -> None:
    """Injective by construction: distinct (seed, index, branch) can never give the same CNPJ."""
    rng = random.Random(1)
    for seed in [0, 1, THIS_RUN, scenarios.RUN_SLOTS - 1, *(rng.randrange(10**9) for _ in range(40))]:
        customers = scenarios.Customers(seed)
        for i in range(scenarios.ROOTS_PER_RUN):
            alnum = i % 7 == 0
            value = customers.cnpj(alphanumeric=alnum)
            assert cnpj.is_valid(value) and cnpj.is_alphanumeric(value) == alnum
            assert value[8] == ("Z" if alnum else "9"), value  # never a real company's 0001 / low order
            assert decode(value) == ((seed % scenarios.RUN_SLOTS) * scenarios.ROOTS_PER_RUN + i, 0)
            if i % 50 == 0:
                sibling = customers.branch_of(value)
                assert sibling[:8] == value[:8] and sibling != value and decode(sibling) == (decode(value)[0], 1)
        with pytest.raises(ValueError, match="mais de 500 CNPJs novos"):
            customers.cnpj()


def test_runs_in_distinct_seconds_share_no_cnpj() -> None:
    blocks = [_block(THIS_RUN - k) for k in range(60)]
    union = set().union(*blocks)
    assert len(union) == sum(len(b) for b in blocks)


def _block(seed: int) -> set[str]:
    """Every CNPJ a run with ``seed`` can send: its 500 customers and their 500 branches."""
    customers = scenarios.Customers(seed)
    out: set[str] = set()
    for _ in range(scenarios.ROOTS_PER_RUN):
        value = customers.cnpj()
        out.update((value, customers.branch_of(value)))
    return out


# --- a reference distributor that already knows ~200k customers ----------------------------------------------


def _production(rng: random.Random) -> Iterator[str]:
    """A copy of production: random raízes, order 0001 for ~90% and low orders (filiais) for the rest, and a few
    very large chains with orders in the thousands, 9xxx included."""
    for i in range(PRODUCTION):
        raiz = f"{rng.randrange(10**8):08d}"
        if i % 10_000 == 0:
            ordem = f"{rng.randrange(1000, 10000):04d}"
        elif i % 10 == 0:
            ordem = f"{rng.randrange(2, 60):04d}"
        else:
            ordem = "0001"
        yield cnpj.complete(raiz + ordem)


@pytest.fixture(scope="module")
def preloaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference distributor's database: production copy + earlier suite runs + a go-live burst (~200k)."""
    db = tmp_path_factory.mktemp("pre-carregado") / "distribuidor.sqlite3"
    SqliteStore(db).close()  # the schema
    rng = random.Random(2026_12_02)
    known: set[str] = set(_production(rng))
    for k in range(1, EARLIER_RUNS + 1):
        known |= _block(THIS_RUN - k)
    known |= _block(THIS_RUN - scenarios.RUN_SLOTS // 2)  # a run long ago
    source = CustomerSource([parse_cep_range("01000000-99999999")], 7)
    known.update(source.cnpj(i) for i in range(BURST))
    template = json.dumps(cliente_to_dict(scenarios.base_customer()), ensure_ascii=False)
    head, tail = template.split(scenarios.base_customer().cnpj)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            "INSERT OR IGNORE INTO clientes (cnpj, dados, status, recebimentos, atualizado_em) VALUES (?, ?, 'APV', 1,"
            " '2026-12-01T00:00:00.000+00:00')",
            ((value, head + value + tail) for value in sorted(known)),  # key order: B-tree appends
        )
    assert count_customers(db) > 190_000
    return db


def _run_suite(pytester: pytest.Pytester, url: str, seed: int, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "-p", "no:locust", "-p", "no:faker", "-p", "no:cacheprovider", str(SUITES),
        "--alluredir", str(pytester.path / "allure-results"), "--target", url, "--customer-seed", str(seed), *args,
    )  # fmt: skip


def test_correct_erp_holding_production_and_earlier_runs_passes(pytester: pytest.Pytester, preloaded: Path) -> None:
    """Every new-customer scenario gets PEN: the whole suite passes on a correct ERP that knows ~200k customers."""
    with ReferenceServer(ServerConfig(db_path=preloaded, port=0)) as server:
        result = _run_suite(pytester, server.url, THIS_RUN)
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert "failed" not in result.parseoutcomes()


def test_wrong_status_is_still_caught_on_the_preloaded_erp(pytester: pytest.Pytester, preloaded: Path) -> None:
    with ReferenceServer(ServerConfig(db_path=preloaded, port=0, faults=("apv-para-novo",))) as server:
        result = _run_suite(pytester, server.url, THIS_RUN + 1, "-k", "cnpj_alfanumerico or tamanho_maximo")
    assert result.parseoutcomes().get("failed") == 2
    result.stdout.fnmatch_lines(["[[]status divergente[]] R1 — *"])


def test_a_run_reusing_an_earlier_seed_is_caught_by_the_preloaded_erp(
    pytester: pytest.Pytester, preloaded: Path
) -> None:
    """Negative control: the pre-loaded database really answers APV for what it knows (an earlier run's seed)."""
    with ReferenceServer(ServerConfig(db_path=preloaded, port=0)) as server:
        result = _run_suite(pytester, server.url, THIS_RUN - 1, "-k", "cnpj_alfanumerico or tamanho_maximo")
    assert result.parseoutcomes().get("failed") == 1  # the numeric one; the earlier blocks hold numeric CNPJs only
    result.stdout.fnmatch_lines(["[[]status divergente[]] R1 — *"])
