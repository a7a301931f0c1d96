"""The reference distributor (``homologa serve``): contract v1 at ``POST /clientes`` with real persistence and
switchable ERP bugs. Layer: may import the contract core (``homologa.model``, ``messages``, ``xmlsafe``,
``contract``, ``cnpj``, ``resources``) and aiohttp; nothing imports it but the CLI, the tests and the pytest
plugin's fixture."""

from __future__ import annotations

from homologa.server.config import ServerConfig
from homologa.server.faults import FAULTS, Fault
from homologa.server.runner import ReferenceServer, ServerStartError

__all__ = ["FAULTS", "Fault", "ReferenceServer", "ServerConfig", "ServerStartError"]
