"""The embedded default target: the reference distributor on a free loopback port with a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def embedded_distributor(
    db_path: Path, protected_fields: tuple[str, ...] = (), faults: tuple[str, ...] = (), contract: str = "1"
) -> Iterator[str]:
    """A fresh reference distributor while the block runs; yields its URL (``http://127.0.0.1:PORT/clientes``)."""
    from homologa.server import ReferenceServer, ServerConfig

    config = ServerConfig(db_path=db_path, port=0, protected_fields=protected_fields, faults=faults, contract=contract)
    with ReferenceServer(config) as server:
        yield server.url
