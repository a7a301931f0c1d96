"""How a reference server is started: where its database lives, where it listens, which fields it protects and
which faults are switched on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from homologa.model import FIELD_GROUPS
from homologa.server.faults import check_names

DEFAULT_MAX_BODY = 1 << 20
# SQLite ``synchronous`` in WAL mode. "full": every commit is fsynced (survives kill -9 and power loss);
# "normal": the commit is in the WAL file through the OS before the answer (survives kill -9, not power loss).
SYNCHRONOUS_MODES = ("full", "normal")
_LABELS = {
    "header_timeout": "--prazo-cabecalhos",
    "body_timeout": "--prazo-corpo",
    "idle_timeout": "--prazo-ocioso",
    "db_wait": "--espera-banco",
}


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one :class:`~homologa.server.runner.ReferenceServer`.

    ``persist=False`` keeps customers in memory only (benchmark baseline; nothing survives a restart).
    ``max_batch`` bounds the writer's group commit (requests committed in one SQLite transaction).
    ``synchronous`` is SQLite's setting in WAL mode (see :data:`SYNCHRONOUS_MODES`).
    ``header_timeout``/``body_timeout``/``idle_timeout`` bound how long a peer may take to send a request's headers,
    its body, and how long an idle keep-alive connection is kept (seconds). ``max_connections`` caps simultaneous
    connections (0: three quarters of the open-file limit). ``db_wait`` bounds the wait for SQLite's write lock.
    """

    db_path: Path
    host: str = "127.0.0.1"
    port: int = 0
    protected_fields: tuple[str, ...] = ()
    faults: tuple[str, ...] = ()
    fault_delay: float = 2.5
    max_body: int = DEFAULT_MAX_BODY
    persist: bool = True
    max_batch: int = 256
    synchronous: str = "full"
    contract: str = "1"  # the contract pack the server speaks: a name under contracts/ or a folder
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    idle_timeout: float = 30.0
    max_connections: int = 0
    db_wait: float = 2.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "db_path", Path(self.db_path))
        object.__setattr__(self, "faults", check_names(self.faults))
        unknown = [name for name in self.protected_fields if name not in FIELD_GROUPS]
        if unknown:
            raise ValueError(
                f"campo(s) protegido(s) desconhecido(s): {', '.join(unknown)}; use: {', '.join(FIELD_GROUPS)}"
            )
        if not 0 <= self.port <= 65535:
            raise ValueError(f"porta inválida: {self.port} (use 0 a 65535)")
        if self.fault_delay < 0:
            raise ValueError("--atraso-falha não pode ser negativo")
        if self.synchronous not in SYNCHRONOUS_MODES:
            raise ValueError(f"sincronismo inválido: {self.synchronous!r} (use {' ou '.join(SYNCHRONOUS_MODES)})")
        for name in ("header_timeout", "body_timeout", "idle_timeout", "db_wait"):
            if not 0 < getattr(self, name) <= 3600:
                raise ValueError(f"{_LABELS[name]} inválido: {getattr(self, name)} (use de 0 a 3600 segundos)")
        if self.max_connections < 0:
            raise ValueError(f"limite de conexões inválido: {self.max_connections} (use 0 para automático ou mais)")
        if self.max_body < 1024:
            raise ValueError("limite de corpo pequeno demais (mínimo 1024 bytes)")

    def has(self, fault: str) -> bool:
        return fault in self.faults
