"""The word lists the generator picks from (``data/lugares.toml``), loaded once into immutable tuples."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "lugares.toml"


@dataclass(frozen=True, slots=True)
class Capital:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Words:
    capitals: dict[str, Capital]
    interior: dict[str, tuple[str, ...]]
    bairros: tuple[str, ...]
    street_types: tuple[str, ...]
    street_names: tuple[str, ...]
    complements: tuple[str, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    trades: tuple[str, ...]
    legal_forms: tuple[str, ...]
    brands: tuple[str, ...]
    domains: tuple[str, ...]
    mailboxes: tuple[str, ...]

    def city(self, uf: str, cep: int, choice: int) -> str:
        """The capital when ``cep`` is in the capital's range, else one of the UF's other cities."""
        capital = self.capitals[uf]
        if capital.start <= cep <= capital.end:
            return capital.name
        others = self.interior[uf]
        return others[choice % len(others)]


@functools.cache
def words() -> Words:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    enderecos, empresas = data["enderecos"], data["empresas"]
    return Words(
        capitals={uf: Capital(name, int(a), int(b)) for uf, (name, a, b) in data["capitais"].items()},
        interior={uf: tuple(names) for uf, names in data["interior"].items()},
        bairros=tuple(enderecos["bairros"]),
        street_types=tuple(enderecos["tipos"]),
        street_names=tuple(enderecos["nomes"]),
        complements=tuple(enderecos["complementos"]),
        first_names=tuple(empresas["nomes"]),
        surnames=tuple(empresas["sobrenomes"]),
        trades=tuple(empresas["ramos"]),
        legal_forms=tuple(empresas["naturezas"]),
        brands=tuple(empresas["fantasias"]),
        domains=tuple(empresas["dominios"]),
        mailboxes=tuple(empresas["caixas"]),
    )
