"""homologa: homologação do endpoint de cadastro de clientes do ERP do distribuidor."""

from __future__ import annotations

__version__ = "0.1.0"
