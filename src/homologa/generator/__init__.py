"""Deterministic Brazilian customers for contract v1: the ``homologa gerar`` command and the streaming source
the load profile uses.

``CustomerSource(ranges, seed).customer(i)`` depends only on ``(seed, i)``: any slice of indexes is produced
directly, CNPJs are unique within a seed, CEPs fall inside the given ranges and ``Estado`` is the UF that owns
the CEP (Correios table in ``data/cep_uf.toml``).
"""

from __future__ import annotations

from homologa.generator.cep import CepRange, parse_cep_range, uf_for_cep
from homologa.generator.source import CustomerSource

__all__ = ["CepRange", "CustomerSource", "parse_cep_range", "uf_for_cep"]
