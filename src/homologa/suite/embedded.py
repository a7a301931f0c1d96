"""The embedded default target: the reference distributor on a free loopback port with a fresh SQLite file."""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any


class _Embedded(AbstractContextManager[str]):
    def __init__(self, db_path: Path, protected_fields: tuple[str, ...]) -> None:
        server = importlib.import_module("homologa.server")
        config = server.ServerConfig(db_path=db_path, port=0, protected_fields=protected_fields)
        self._server: Any = server.ReferenceServer(config)

    def __enter__(self) -> str:
        self._server.__enter__()
        return str(self._server.url)

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(None, None, None)


def embedded_distributor(db_path: Path, protected_fields: tuple[str, ...]) -> AbstractContextManager[str]:
    """A context manager yielding the URL of a fresh reference distributor."""
    return _Embedded(db_path, protected_fields)
