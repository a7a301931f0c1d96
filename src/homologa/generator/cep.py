"""CEP ranges and the UF that owns each CEP (the Correios table shipped in ``data/cep_uf.toml``)."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from homologa.model import UFS

_DATA = Path(__file__).resolve().parent / "data" / "cep_uf.toml"
_RANGE = re.compile(r"\s*(\d{5}-?\d{3})\s*[-:]\s*(\d{5}-?\d{3})\s*")
CEP_MAX = 99_999_999


@dataclass(frozen=True, slots=True)
class CepRange:
    """An inclusive range of CEPs, as integers (``01000000`` is ``1000000``)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end <= CEP_MAX:
            raise ValueError(f"faixa de CEP inválida: {self.start:08d}-{self.end:08d}")

    def __str__(self) -> str:
        return f"{self.start:08d}-{self.end:08d}"

    def __len__(self) -> int:
        return self.end - self.start + 1

    def __contains__(self, cep: object) -> bool:
        if isinstance(cep, str):
            cep = int(cep) if cep.isdigit() else -1
        return isinstance(cep, int) and self.start <= cep <= self.end


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a range owned by one UF."""

    start: int
    end: int
    uf: str

    def __len__(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class UfTable:
    """The Correios table: sorted, non-overlapping segments, each owned by a UF; plus each UF's DDDs."""

    segments: tuple[Segment, ...]
    ddd: dict[str, tuple[int, ...]]

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [s.start for s in self.segments]

    def owner(self, cep: int) -> str | None:
        i = bisect.bisect_right(self._starts, cep) - 1
        if i >= 0 and cep <= self.segments[i].end:
            return self.segments[i].uf
        return None

    def owned_parts(self, cep_range: CepRange) -> list[Segment]:
        """The parts of ``cep_range`` some UF owns, each tagged with that UF, in CEP order."""
        parts = []
        for seg in self.segments:
            lo, hi = max(seg.start, cep_range.start), min(seg.end, cep_range.end)
            if lo <= hi:
                parts.append(Segment(lo, hi, seg.uf))
        return parts


@functools.cache
def uf_table() -> UfTable:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    segments = [Segment(int(a), int(b), uf) for uf, pairs in data["faixas"].items() for a, b in pairs]
    segments.sort(key=lambda s: s.start)
    for before, after in itertools.pairwise(segments):
        if after.start <= before.end:
            raise ValueError(f"tabela de CEP inconsistente: {before} sobrepõe {after}")
    if {s.uf for s in segments} != set(UFS):
        raise ValueError("tabela de CEP inconsistente: não cobre exatamente as 27 UFs")
    ddd = {uf: tuple(int(d) for d in codes) for uf, codes in data["ddd"].items()}
    if set(ddd) != set(UFS):
        raise ValueError("tabela de DDD inconsistente: não cobre exatamente as 27 UFs")
    return UfTable(tuple(segments), ddd)


def uf_for_cep(cep: str | int) -> str | None:
    """The UF that owns ``cep`` (``"01310100"``, ``"01310-100"`` or ``1310100``), or None."""
    if isinstance(cep, str):
        digits = cep.replace("-", "").strip()
        if not re.fullmatch(r"\d{8}", digits):
            return None
        cep = int(digits)
    if not 0 <= cep <= CEP_MAX:
        return None
    return uf_table().owner(cep)


def parse_cep_range(text: str) -> CepRange:
    """``"01000000-05999999"`` (or ``01000-000-05999-999``) as a :class:`CepRange`; pt-BR ValueError otherwise."""
    match = _RANGE.fullmatch(text)
    if not match:
        raise ValueError(
            f"faixa de CEP malformada: {text!r} (use INICIO-FIM com 8 dígitos cada, ex.: 01000000-05999999)"
        )
    start, end = (int(part.replace("-", "")) for part in match.groups())
    if start > end:
        raise ValueError(f"faixa de CEP invertida: {text!r} (o início {start:08d} é maior que o fim {end:08d})")
    cep_range = CepRange(start, end)
    if not uf_table().owned_parts(cep_range):
        raise ValueError(f"faixa de CEP {cep_range} não pertence a nenhuma UF (tabela de faixas dos Correios)")
    return cep_range


def owned_segments(ranges: Sequence[CepRange]) -> list[Segment]:
    """Every UF-owned part of ``ranges``, overlaps between ranges merged, in CEP order."""
    merged: list[list[int]] = []
    for r in sorted(ranges, key=lambda r: r.start):
        if merged and r.start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], r.end)
        else:
            merged.append([r.start, r.end])
    table = uf_table()
    return [part for start, end in merged for part in table.owned_parts(CepRange(start, end))]
