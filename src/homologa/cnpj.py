"""CNPJ check digits, numeric and alphanumeric (Receita Federal rule, IN RFB 2.229/2024).

Each character is worth its ASCII code minus 48 (so ``0``-``9`` are 0-9 and ``A``-``Z`` are 17-42); the two
check digits use the usual modulo-11 weights.
"""

from __future__ import annotations

import operator
import re

_BODY = re.compile(r"[0-9A-Z]{12}")
_FULL = re.compile(r"[0-9A-Z]{12}[0-9]{2}")
_W1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_W2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


_W1_OFFSET = 48 * sum(_W1)
_W2_OFFSET = 48 * sum(_W2[:12])


def _digit(weighted_sum: int) -> int:
    rest = weighted_sum % 11
    return 0 if rest < 2 else 11 - rest


def check_digits(body: str) -> str:
    """The two check digits of a 12-character CNPJ body (``[0-9A-Z]{12}``)."""
    if not _BODY.fullmatch(body):
        raise ValueError(f"raiz de CNPJ inválida: {body!r} (esperado 12 caracteres [0-9A-Z])")
    return trusted_check_digits(body)


def trusted_check_digits(body: str) -> str:
    """:func:`check_digits` for a body already known to be ``[0-9A-Z]{12}`` (the generator builds them so)."""
    codes = body.encode("ascii")  # each character's value is its ASCII code - 48: subtract the offsets once
    d1 = _digit(sum(map(operator.mul, codes, _W1)) - _W1_OFFSET)
    d2 = _digit(sum(map(operator.mul, codes, _W2)) - _W2_OFFSET + d1 * _W2[12])
    return f"{d1}{d2}"


def complete(body: str) -> str:
    """The full 14-character CNPJ for a 12-character body."""
    return body + check_digits(body)


def is_valid(cnpj: str) -> bool:
    """True when ``cnpj`` has the contract's shape and correct check digits."""
    return bool(_FULL.fullmatch(cnpj)) and check_digits(cnpj[:12]) == cnpj[12:]


def is_alphanumeric(cnpj: str) -> bool:
    return any(c.isalpha() for c in cnpj)
