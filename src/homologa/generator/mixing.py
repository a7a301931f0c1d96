"""Deterministic mixing: a per-customer stream of choices and a keyed bijection of the CNPJ raiz space.

Everything here is a pure function of its arguments (a :class:`Stream` lives for one customer): nothing is kept
between customers, so customer ``i`` costs the same whatever was generated before, and any slice of indexes can be
produced on its own.
"""

from __future__ import annotations

import hashlib
import struct

M64 = (1 << 64) - 1
_LANES_PER_BLOCK = 32
BLOCK = 8 * _LANES_PER_BLOCK  # bytes of SHAKE-256 output read per block
LANES = struct.Struct(f"<{_LANES_PER_BLOCK}Q")  # one block as 64-bit lanes
GOLDEN = 0x9E3779B97F4A7C15


def mix64(value: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit integers with good avalanche."""
    z = (value + GOLDEN) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def key(*parts: int) -> int:
    """A 64-bit key from several integers (order matters)."""
    h = 0x6A09E667F3BCC908
    for part in parts:
        h = mix64(h ^ (part & M64) ^ ((part >> 64) * 0x2545F4914F6CDD1D & M64))
    return h


class Stream:
    """Random choices for one customer, all drawn from one SHAKE-256 output of ``(salt, index, ...)``.

    The output is read as 64-bit lanes (32 per 256-byte block; the XOF is simply read further when a customer
    needs more). ``below(n)`` maps one lane to ``[0, n)`` by multiply-shift, ``(lane * n) >> 64``: no big-number
    division, one hash per customer, and a bias below ``n / 2**64`` (under 2**-40 for the bounds used here).
    """

    __slots__ = ("_lanes", "_pos", "_seed")

    def __init__(self, salt: bytes, *parts: int) -> None:
        # salt has a fixed length and an index encodes as digits while a tuple encodes with "(": prefix-free
        self._seed = salt + (b"%d" % parts[0] if len(parts) == 1 else repr(parts).encode())
        self._lanes: tuple[int, ...] = LANES.unpack(hashlib.shake_256(self._seed).digest(BLOCK))
        self._pos = 0

    def _refill(self) -> None:
        blocks = len(self._lanes) // _LANES_PER_BLOCK + 1
        extended = hashlib.shake_256(self._seed).digest(BLOCK * blocks)
        self._lanes += LANES.unpack(extended[-BLOCK:])

    def below(self, bound: int) -> int:
        """An integer in ``[0, bound)``."""
        pos = self._pos
        if pos == len(self._lanes):
            self._refill()
        self._pos = pos + 1
        return (self._lanes[pos] * bound) >> 64

    def next(self) -> int:
        """A full 64-bit draw."""
        pos = self._pos
        if pos == len(self._lanes):
            self._refill()
        self._pos = pos + 1
        return self._lanes[pos]

    def chance(self, share: float) -> bool:
        return self.next() < share * 18446744073709551616.0

    def pick(self, items: tuple[str, ...]) -> str:
        pos = self._pos
        if pos == len(self._lanes):
            self._refill()
        self._pos = pos + 1
        return items[(self._lanes[pos] * len(items)) >> 64]


class Permutation:
    """A keyed bijection of ``[0, 10**(2*half_digits))``: a balanced Feistel network on two decimal halves.

    Each round maps ``(left, right)`` to ``(right, (left + F(right)) mod 10**half_digits)``, which is invertible
    whatever ``F`` is, so distinct inputs always give distinct outputs: uniqueness without remembering anything.
    """

    __slots__ = ("_mod", "_tables")

    def __init__(self, seed_key: int, half_digits: int, rounds: int = 4) -> None:
        if half_digits > 5:
            raise ValueError("meia-largura acima de 5 dígitos: tabelas grandes demais")
        mod = 10**half_digits
        self._mod: int = mod
        # the round functions as tables: rounds x 10**half_digits integers, computed once per seed
        self._tables: tuple[tuple[int, ...], ...] = tuple(
            tuple(mix64(round_key ^ r) % mod for r in range(mod))
            for round_key in (key(seed_key, r, 0x5EED) for r in range(rounds))
        )

    @property
    def tables(self) -> tuple[tuple[int, ...], ...]:
        """The round functions, one table per round (for callers that unroll the rounds)."""
        return self._tables

    @property
    def size(self) -> int:
        return self._mod * self._mod

    def __call__(self, x: int) -> int:
        mod = self._mod
        if not 0 <= x < mod * mod:
            raise ValueError(f"fora do domínio da permutação: {x}")
        left, right = divmod(x, mod)
        for table in self._tables:
            left, right = right, (left + table[right]) % mod
        return left * mod + right

    def inverse(self, y: int) -> int:
        mod = self._mod
        left, right = divmod(y, mod)
        for table in reversed(self._tables):
            left, right = (right - table[left]) % mod, left
        return left * mod + right
