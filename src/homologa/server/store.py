"""Where the reference distributor keeps customers and the answers it gave: a SQLite file in WAL mode (or memory,
for the benchmark baseline).

Only the single writer (:mod:`homologa.server.writer`) writes; ``cnpj`` is the primary key, so a CNPJ is never
stored twice. Answers are kept by ``IdMensagem`` so a retry gets the first answer again. The read-only helpers at
the bottom (:func:`count_customers`, :func:`fetch_customer`) are for tests and load checks.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from homologa.model import Cliente, Endereco, Retorno
from homologa.server.business import Outcome, Stored, cliente_from_dict, cliente_to_dict, identity

SCHEMA = """
CREATE TABLE IF NOT EXISTS clientes (
    cnpj TEXT PRIMARY KEY,
    dados TEXT NOT NULL,
    status TEXT NOT NULL,
    recebimentos INTEGER NOT NULL,
    atualizado_em TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS respostas (
    id_mensagem TEXT PRIMARY KEY,
    cnpj TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    status TEXT,
    mensagem TEXT,
    erro_codigo TEXT,
    erro_descricao TEXT
);
"""


_IDENTITY_SQL = {
    **{f: f"json_extract(dados, '$.{f}')" for f in ("email", "inscricao_estadual", "nome", "telefone")},
    "raiz": "substr(cnpj, 1, 8)",
    "endereco": "json_extract(dados, '$.endereco.cep') || '|' || json_extract(dados, '$.endereco.numero') || '|' || "
    "json_extract(dados, '$.endereco.logradouro')",
}


class StoreError(Exception):
    """The database cannot be opened or written; the message is pt-BR and names the file."""


class StoreBusy(Exception):
    """Another process held the database's write lock longer than the allowed wait."""


def _busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class Store(Protocol):
    def try_begin(self) -> bool: ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def answer(self, id_mensagem: str) -> Outcome | None: ...
    def customer(self, cnpj: str) -> Stored | None: ...
    def find(self, field: str, value: str) -> Stored | None: ...
    def put_customer(self, record: Stored) -> None: ...
    def put_answer(self, id_mensagem: str, outcome: Outcome) -> None: ...
    def close(self) -> None: ...


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class MemoryStore:
    """Customers in dictionaries: nothing is durable (``ServerConfig(persist=False)``, benchmark baseline).

    Rows are flat tuples of strings, as the database holds them, not dataclass objects: the garbage collector
    stops tracking such tuples, so a baseline holding 100k customers does not pay full collections the durable
    server never pays (measured: p99 of ~0.5 s with objects)."""

    def __init__(self) -> None:
        self._customers: dict[str, tuple[Any, ...]] = {}
        self._answers: dict[str, tuple[str, int, str | None, str | None, str | None, str | None]] = {}

    def try_begin(self) -> bool:
        return True

    def begin(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def answer(self, id_mensagem: str) -> Outcome | None:
        row = self._answers.get(id_mensagem)
        if row is None:
            return None
        cnpj, http_status, status, mensagem, codigo, descricao = row
        return Outcome(Retorno(id_mensagem, cnpj, status, mensagem, codigo, descricao), http_status)

    def customer(self, cnpj: str) -> Stored | None:
        row = self._customers.get(cnpj)
        if row is None:
            return None
        c, e = row[:6], row[6:13]
        endereco = Endereco(e[0], e[1], e[2], e[3], e[4], e[5], e[6])
        return Stored(Cliente(c[0], c[1], c[2], c[3], c[4], endereco, c[5]), row[13], row[14])

    def find(self, field: str, value: str) -> Stored | None:
        """The first stored customer whose ``field`` (see :func:`~homologa.server.business.identity`) is ``value``:
        a scan, for the identity faults only."""
        for cnpj in self._customers:
            stored = self.customer(cnpj)
            if stored is not None and identity(stored.cliente, field) == value:
                return stored
        return None

    def put_customer(self, record: Stored) -> None:
        c, e = record.cliente, record.cliente.endereco
        self._customers[c.cnpj] = (
            c.cnpj, c.inscricao_estadual, c.nome, c.email, c.telefone, c.telefone_celular,
            e.logradouro, e.numero, e.bairro, e.cidade, e.estado, e.cep, e.complemento,
            record.status, record.recebimentos,
        )  # fmt: skip

    def put_answer(self, id_mensagem: str, outcome: Outcome) -> None:
        r = outcome.retorno
        row = (r.cnpj, outcome.http_status, r.status, r.mensagem, r.erro_codigo, r.erro_descricao)
        self._answers[id_mensagem] = row

    def close(self) -> None:
        pass


class SqliteStore:
    """The SQLite file in WAL mode. With ``synchronous="full"`` (default) a committed transaction survives a crash
    of the process and of the machine; with ``"normal"``, a crash of the process. Used by one thread (the writer)."""

    def __init__(self, path: Path, synchronous: str = "full", wait: float = 2.0) -> None:
        self.path = path
        self._batch_time = _now()
        self._wait_ms = max(1, int(wait * 1000))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=wait)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"modo WAL indisponível (journal_mode={mode})")
            self._db.execute(f"PRAGMA synchronous={'NORMAL' if synchronous == 'normal' else 'FULL'}")
            self._db.executescript(SCHEMA)
            self._probe_write()
        except (sqlite3.Error, OSError) as exc:
            with contextlib.suppress(Exception):
                self._db.close()
            raise StoreError(f"não foi possível abrir o banco {path} para escrita: {exc}") from None

    def _probe_write(self) -> None:
        """Write a row and roll it back: a read-only file or disk fails here, at start, not at the first POST.
        A lock held by another process is not a failure (writes will wait, then answer 503)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                return
            raise
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO respostas VALUES ('homologa-sonda', '', 0, NULL, NULL, NULL, NULL)"
            )
        finally:
            self._db.execute("ROLLBACK")

    def try_begin(self) -> bool:
        """``BEGIN IMMEDIATE`` without waiting (fit for the event loop): False when another process holds the lock."""
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                return False
            raise
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {self._wait_ms}")
        self._batch_time = _now()
        return True

    def begin(self) -> None:
        """``BEGIN IMMEDIATE``, waiting up to the configured wait (call it off the event loop); :class:`StoreBusy`
        when the lock is still held."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise StoreBusy(str(exc)) from None
            raise
        self._batch_time = _now()  # one timestamp per transaction (isoformat costs ~10 µs)

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def answer(self, id_mensagem: str) -> Outcome | None:
        row = self._db.execute(
            "SELECT cnpj, http_status, status, mensagem, erro_codigo, erro_descricao FROM respostas"
            " WHERE id_mensagem = ?",
            (id_mensagem,),
        ).fetchone()
        if row is None:
            return None
        cnpj, http_status, status, mensagem, codigo, descricao = row
        return Outcome(Retorno(id_mensagem, cnpj, status, mensagem, codigo, descricao), http_status)

    def customer(self, cnpj: str) -> Stored | None:
        row = self._db.execute("SELECT dados, status, recebimentos FROM clientes WHERE cnpj = ?", (cnpj,)).fetchone()
        if row is None:
            return None
        return Stored(cliente_from_dict(json.loads(row[0])), row[1], row[2])

    def find(self, field: str, value: str) -> Stored | None:
        """The first stored customer whose ``field`` (see :func:`~homologa.server.business.identity`) is ``value``:
        a table scan, for the identity faults only."""
        expression = _IDENTITY_SQL.get(field)
        if expression is None:
            raise ValueError(f"campo de identidade desconhecido: {field!r}")
        row = self._db.execute(
            f"SELECT dados, status, recebimentos FROM clientes WHERE {expression} = ? ORDER BY rowid LIMIT 1",
            (value,),
        ).fetchone()
        if row is None:
            return None
        return Stored(cliente_from_dict(json.loads(row[0])), row[1], row[2])

    def put_customer(self, record: Stored) -> None:
        self._db.execute(
            "INSERT INTO clientes (cnpj, dados, status, recebimentos, atualizado_em) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(cnpj) DO UPDATE SET dados = excluded.dados, status = excluded.status,"
            " recebimentos = excluded.recebimentos, atualizado_em = excluded.atualizado_em",
            (
                record.cliente.cnpj,
                json.dumps(cliente_to_dict(record.cliente), ensure_ascii=False),
                record.status,
                record.recebimentos,
                self._batch_time,
            ),
        )

    def put_answer(self, id_mensagem: str, outcome: Outcome) -> None:
        r = outcome.retorno
        self._db.execute(
            "INSERT OR REPLACE INTO respostas VALUES (?, ?, ?, ?, ?, ?, ?)",
            (id_mensagem, r.cnpj, outcome.http_status, r.status, r.mensagem, r.erro_codigo, r.erro_descricao),
        )

    def close(self) -> None:
        try:
            self.rollback()
            self._db.close()
        except sqlite3.Error:
            pass


def _read_only(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=10)


def count_customers(db_path: Path) -> int:
    """How many customers the database holds (read-only; safe while a server runs)."""
    with closing(_read_only(db_path)) as db:
        return int(db.execute("SELECT count(*) FROM clientes").fetchone()[0])


def fetch_customer(db_path: Path, cnpj: str) -> dict[str, Any] | None:
    """One stored customer as a dict: the ``Cliente`` fields (``endereco`` nested) plus ``status`` (the last one
    given) and ``recebimentos`` (how many receipts were applied); None when the CNPJ is not stored."""
    with closing(_read_only(db_path)) as db:
        row = db.execute("SELECT dados, status, recebimentos FROM clientes WHERE cnpj = ?", (cnpj,)).fetchone()
    if row is None:
        return None
    data: dict[str, Any] = json.loads(row[0])
    data["status"] = row[1]
    data["recebimentos"] = row[2]
    return data


def all_cnpjs(db_path: Path) -> list[str]:
    """Every stored CNPJ (read-only)."""
    with closing(_read_only(db_path)) as db:
        return [row[0] for row in db.execute("SELECT cnpj FROM clientes ORDER BY cnpj")]
