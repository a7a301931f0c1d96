"""Deterministic mixing: a per-customer stream of choices and a keyed bijection of the CNPJ raiz space.

Everything here is a pure function of its arguments (a :class:`Stream` lives for one customer): nothing is kept
between customers, so customer ``i`` costs the same whatever was generated before, and any slice of indexes can be
produced on its own.
"""

from __future__ import annotations

import hashlib

_M64 = (1 << 64) - 1
_REFILL = 1 << 128
_GOLDEN = 0x9E3779B97F4A7C15


def mix64(value: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit integers with good avalanche."""
    z = (value + _GOLDEN) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def key(*parts: int) -> int:
    """A 64-bit key from several integers (order matters)."""
    h = 0x6A09E667F3BCC908
    for part in parts:
        h = mix64(h ^ (part & _M64) ^ ((part >> 64) * 0x2545F4914F6CDD1D & _M64))
    return h


class Stream:
    """Random choices for one customer, all drawn from one BLAKE2b digest of ``(seed key, index, ...)``.

    The digest (512 bits, extended by re-hashing when used up) is consumed as a mixed-radix number: ``below(n)``
    takes the remainder by ``n`` and divides. One hash per customer instead of one hash per field.
    """

    __slots__ = ("_block", "_pool", "_salt")

    def __init__(self, salt: bytes, *parts: int) -> None:
        self._salt = salt
        self._block = 0
        self._pool = self._hash(b"%d" % parts[0] if len(parts) == 1 else repr(parts).encode())

    def _hash(self, data: bytes) -> int:
        return int.from_bytes(hashlib.blake2b(data, digest_size=64, key=self._salt).digest(), "little")

    def below(self, bound: int) -> int:
        """An integer in ``[0, bound)`` (bias below 2**-60 for the bounds used here)."""
        if self._pool < _REFILL:
            self._block += 1
            self._pool = (self._pool << 512) | self._hash(b"refill:%d:%d" % (self._block, self._pool))
        self._pool, value = divmod(self._pool, bound)
        return value

    def next(self) -> int:
        return self.below(_M64 + 1)

    def chance(self, share: float) -> bool:
        return self.below(1 << 24) < share * 16777216.0

    def pick(self, items: tuple[str, ...]) -> str:
        return items[self.below(len(items))]


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
