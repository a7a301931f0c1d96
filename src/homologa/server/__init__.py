"""The reference distributor (``homologa servir``): contract v1 at ``POST /clientes`` with real persistence and
switchable ERP bugs. Layer: may import the contract core (``homologa.model``, ``messages``, ``xmlsafe``,
``contract``, ``cnpj``, ``resources``) and aiohttp; nothing imports it but the CLI, the tests and the pytest
plugin's fixture.

``ReferenceServer`` is imported on first use, so ``from homologa.server.faults import FAULTS`` (the load profile,
under gevent) does not pull in aiohttp or asyncio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homologa.server.config import ServerConfig
from homologa.server.faults import FAULTS, Fault

if TYPE_CHECKING:
    from homologa.server.runner import ReferenceServer, ServerStartError

__all__ = ["FAULTS", "Fault", "ReferenceServer", "ServerConfig", "ServerStartError"]


def __getattr__(name: str) -> Any:
    if name in {"ReferenceServer", "ServerStartError"}:
        from homologa.server import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
