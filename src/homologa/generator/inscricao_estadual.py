"""Inscrição Estadual: check digits of the 27 UFs, to generate valid numbers and to validate them.

Rules from the SINTEGRA "Conferência de Inscrições Estaduais" pages (one per UF, the states' published
check-digit algorithms). Numbers are digits only (no mask). For each UF, :func:`generate` turns any non-negative
integer into a valid number deterministically and :data:`VALIDATORS` holds a strict validator (exact length,
mandatory prefix, check digits). ``ISENTO`` is not a number: :func:`is_valid` accepts it for every UF.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

ISENTO = "ISENTO"


def _weighted(digits: Sequence[int], weights: Sequence[int]) -> int:
    if len(digits) != len(weights):
        raise ValueError(f"{len(digits)} dígitos para {len(weights)} pesos")
    return sum(map(operator.mul, digits, weights))


def _mod11(digits: Sequence[int], weights: Sequence[int]) -> int:
    """The common rule: 11 minus the remainder, 0 when that is 10 or 11."""
    dv = 11 - _weighted(digits, weights) % 11
    return 0 if dv >= 10 else dv


def _desc(top: int, count: int) -> list[int]:
    """Weights ``top, top-1, ...`` (``_desc(9, 8)`` is 9..2)."""
    return list(range(top, top - count, -1))


def _weighted_text(text: str, weights: Sequence[int], offset: int) -> int:
    """``_weighted(_ints(text), weights)`` without the list: ``offset`` is ``48 * sum(weights)``."""
    if len(text) != len(weights):
        raise ValueError(f"{len(text)} dígitos para {len(weights)} pesos")
    total: int = sum(map(operator.mul, text.encode(), weights))
    return total - offset


def _ints(text: str) -> list[int]:
    return [c - 48 for c in text.encode()]


# --- one function per rule: base digits -> the full number ------------------------------------------------


def _simple(weights: Sequence[int]) -> Callable[[str], str]:
    offset = 48 * sum(weights)

    def complete(base: str) -> str:
        dv = 11 - _weighted_text(base, weights, offset) % 11
        return base + str(0 if dv >= 10 else dv)

    return complete


def _two_mod11(w1: Sequence[int], w2: Sequence[int]) -> Callable[[str], str]:
    def complete(base: str) -> str:
        digits = _ints(base)
        d1 = _mod11(digits, w1)
        d2 = _mod11([*digits, d1], w2)
        return f"{base}{d1}{d2}"

    return complete


def _al_rn(weights: Sequence[int]) -> Callable[[str], str]:
    """AL and RN: (sum x 10) mod 11, 10 becomes 0."""

    def complete(base: str) -> str:
        dv = _weighted(_ints(base), weights) * 10 % 11
        return base + str(0 if dv == 10 else dv)

    return complete


def _ap(base: str) -> str:
    number = int(base)
    p, d = (5, 0) if number <= 3017000 else (9, 1) if number <= 3019022 else (0, 0)
    dv = 11 - (p + _weighted(_ints(base), _desc(9, 8))) % 11
    return base + str(0 if dv == 10 else d if dv == 11 else dv)


def _am(base: str) -> str:
    total = _weighted(_ints(base), _desc(9, 8))
    if total < 11:
        return base + str(11 - total)  # 11 - 0 and 11 - 1 are not digits: such numbers cannot be valid
    rest = total % 11
    return base + str(0 if rest <= 1 else 11 - rest)


def _ba(base: str) -> str:
    """BA, 8 or 9 digits: modulo 10 or 11 by the first (8) or second (9) digit; the last digit comes first."""
    size = len(base)  # 6 or 7
    digits = _ints(base)
    modulo = 10 if digits[size - 6] in (0, 1, 2, 3, 4, 5, 8) else 11

    def dv(values: list[int], top: int) -> int:
        rest = _weighted(values, _desc(top, len(values))) % modulo
        if modulo == 10:
            return 0 if rest == 0 else 10 - rest
        return 0 if rest <= 1 else 11 - rest

    second = dv(digits, size + 1)
    first = dv([*digits, second], size + 2)
    return f"{base}{first}{second}"


def _go(base: str) -> str:
    rest = _weighted(_ints(base), _desc(9, 8)) % 11
    if rest == 0:
        dv = 0
    elif rest == 1:
        dv = 1 if 10103105 <= int(base) <= 10119997 else 0
    else:
        dv = 11 - rest
    return base + str(dv)


_DOUBLED = tuple(sum(map(int, str(2 * d))) for d in range(10))


def _mg(base: str) -> str:
    """MG: a '0' after the municipality code, weights 1,2 alternating and the digits of each product summed."""
    padded = _ints(base[:3] + "0" + base[3:])
    # weight 1 on even places, 2 on odd ones, each product's digits summed (_DOUBLED: the digit sum of 2*d)
    total = sum(padded[0::2]) + sum(map(_DOUBLED.__getitem__, padded[1::2]))
    d1 = (10 - total % 10) % 10
    d2 = _mod11([*_ints(base), d1], (3, 2, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2))
    return f"{base}{d1}{d2}"


def _ro(base: str) -> str:
    dv = 11 - _weighted(_ints(base), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)) % 11
    return base + str(dv - 10 if dv >= 10 else dv)


def _ro_legacy(body: str) -> str:
    """RO before 2000 (9 digits): the first three digits (municipality) do not enter the check digit."""
    dv = 11 - _weighted(_ints(body), (6, 5, 4, 3, 2)) % 11
    return body + str(dv - 10 if dv >= 10 else dv)


def _rr(base: str) -> str:
    return base + str(_weighted(_ints(base), range(1, 9)) % 9)


_SP1 = (1, 3, 4, 5, 6, 7, 8, 10)
_SP2 = (3, 2, 10, 9, 8, 7, 6, 5, 4, 3, 2)
_SP1_OFFSET = 48 * sum(_SP1)
_SP2_OFFSET = 48 * sum(_SP2)


def _sp(base: str) -> str:
    """SP: 12 digits; check digits in the 9th and 12th places (the rightmost digit of the remainder)."""
    head, tail = base[:8], base[8:]
    d1 = _weighted_text(head, _SP1, _SP1_OFFSET) % 11 % 10
    middle = f"{head}{d1}{tail}"
    d2 = _weighted_text(middle, _SP2, _SP2_OFFSET) % 11 % 10
    return f"{middle}{d2}"


@dataclass(frozen=True, slots=True)
class Rule:
    """A UF's number: its length, the digits that feed the check digits, the rule, the prefixes the state requires
    (checked on validation) and the usual prefixes (used to generate plausible numbers)."""

    length: int
    base: int
    complete: Callable[[str], str]
    required: tuple[str, ...] = ("",)
    usual: tuple[str, ...] = ()

    @property
    def prefixes(self) -> tuple[str, ...]:
        return self.usual or self.required

    def generate(self, number: int) -> str:
        prefixes = self.usual or self.required
        count = len(prefixes)
        prefix = prefixes[number % count]
        free = self.base - len(prefix)
        return self.complete(prefix + str(number // count % 10**free).zfill(free))

    def accepts(self, text: str) -> bool:
        if len(text) != self.length or not text.isdigit() or not text.isascii():
            return False
        if not text.startswith(self.required):
            return False
        base = text[:8] + text[9:11] if self.complete is _sp else text[: self.base]
        return self.complete(base) == text


_W8 = _desc(9, 8)
_AC_DF = _two_mod11(_desc(4, 3) + _desc(9, 8), _desc(5, 4) + _desc(9, 8))

# AL's third digit is the company type (0 normal, 3 produtor rural, 5 substituta, 7 micro-empresa ambulante,
# 8 micro-empresa): the prefixes below carry it. RS's first three digits are the municipality (001..497).
RULES: dict[str, Rule] = {
    "AC": Rule(13, 11, _AC_DF, ("01",)),
    "AL": Rule(9, 8, _al_rn(_W8), ("240", "243", "245", "247", "248")),
    "AM": Rule(9, 8, _am, usual=("04", "05", "06", "07")),
    "AP": Rule(9, 8, _ap, ("03",)),
    "BA": Rule(9, 7, _ba),
    "CE": Rule(9, 8, _simple(_W8), usual=("06",)),
    "DF": Rule(13, 11, _AC_DF, usual=("07",)),
    "ES": Rule(9, 8, _simple(_W8), usual=("08",)),
    "GO": Rule(9, 8, _go, ("10", "11", "15", "20"), usual=("10", "11")),
    "MA": Rule(9, 8, _simple(_W8), ("12",)),
    "MG": Rule(13, 11, _mg),
    "MS": Rule(9, 8, _simple(_W8), ("28", "50")),
    "MT": Rule(11, 10, _simple((3, 2, *_W8)), usual=("00", "13")),
    "PA": Rule(9, 8, _simple(_W8), ("15", "75", "76", "77", "78", "79"), usual=("15",)),
    "PB": Rule(9, 8, _simple(_W8), usual=("16",)),
    "PE": Rule(9, 7, _two_mod11(_desc(8, 7), _W8)),
    "PI": Rule(9, 8, _simple(_W8), usual=("19",)),
    "PR": Rule(10, 8, _two_mod11((3, 2, 7, 6, 5, 4, 3, 2), (4, 3, 2, 7, 6, 5, 4, 3, 2))),
    "RJ": Rule(8, 7, _simple((2, 7, 6, 5, 4, 3, 2))),
    "RN": Rule(9, 8, _al_rn(_W8), ("20",)),
    "RO": Rule(14, 13, _ro, usual=("00000",)),
    "RR": Rule(9, 8, _rr, ("24",)),
    "RS": Rule(10, 9, _simple((2, *_W8)), usual=tuple(f"{m:03d}" for m in range(1, 468))),
    "SC": Rule(9, 8, _simple(_W8), usual=("25",)),
    "SE": Rule(9, 8, _simple(_W8), usual=("27",)),
    "SP": Rule(12, 10, _sp),
    "TO": Rule(9, 8, _simple(_W8), usual=("29",)),
}

# Accepted on validation but not generated: older layouts still in use.
_EXTRA: dict[str, Rule] = {
    "BA": Rule(8, 6, _ba),
    "RN": Rule(10, 9, _al_rn(_desc(10, 9)), ("20",)),
    "RO": Rule(9, 8, lambda base: base[:3] + _ro_legacy(base[3:]), usual=("101",)),
}


def generate(uf: str, number: int) -> str:
    """A valid Inscrição Estadual of ``uf`` derived from ``number`` (any non-negative integer)."""
    return RULES[uf].generate(number)


def _validator(uf: str) -> Callable[[str], bool]:
    rules = [RULES[uf]] + ([_EXTRA[uf]] if uf in _EXTRA else [])

    def validate(text: str) -> bool:
        return any(rule.accepts(text) for rule in rules)

    validate.__name__ = f"valida_ie_{uf.lower()}"
    validate.__doc__ = f"True when ``text`` is a valid Inscrição Estadual of {uf} (digits only, no mask)."
    return validate


VALIDATORS: dict[str, Callable[[str], bool]] = {uf: _validator(uf) for uf in RULES}


def is_valid(uf: str, text: str) -> bool:
    """True for ``ISENTO`` or a number valid for ``uf``."""
    return text == ISENTO or (uf in VALIDATORS and VALIDATORS[uf](text))
