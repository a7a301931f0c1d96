"""The customer source: customer ``i`` of a seed, computed directly from ``(seed, i)``.

Nothing is remembered between calls (memory stays flat whatever N) and no customer depends on the ones before it,
so load workers can split an index range with no overlap and no gap. CNPJs are unique within a seed because the
CNPJ raiz is a keyed bijection (:class:`~homologa.generator.mixing.Permutation`) of the index, not a draw.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from homologa import cnpj
from homologa.generator import inscricao_estadual
from homologa.generator.cep import CepRange, Segment, owned_segments, uf_table
from homologa.generator.inscricao_estadual import ISENTO
from homologa.generator.mixing import BLOCK as _BLOCK
from homologa.generator.mixing import GOLDEN as _GOLDEN
from homologa.generator.mixing import LANES as _LANES
from homologa.generator.mixing import M64 as _M64
from homologa.generator.mixing import Permutation, Stream, key, mix64
from homologa.generator.words import Words, words
from homologa.model import CadastroCliente, Cliente, Endereco

BRASILIA = timezone(timedelta(hours=-3))
_T = TypeVar("_T")
RAIZ_SPACE = 10**8  # 8-digit CNPJ raiz
MAX_INDEX = RAIZ_SPACE * 9999  # ordem 0001..9999: index // 10**8 + 1
_LETTERS = "ABCDEFGHIJKLMNOPQRST"  # digit d -> _LETTERS[d] or _LETTERS[d + 10]: reversible
_VARIANT = {f"{n:x}": f"{8 | (n & 3):x}" for n in range(16)}  # RFC 4122 variant bits over a hex digit
_REGION_SALT = 0xB41 << 40
_STOPWORDS = frozenset({"de", "da", "do", "das", "dos", "e"})  # left out of e-mail domains

# Shares of optional or variant fields (realistic, fixed: the contract suite needs all of them to occur).
SHARE_SN = 0.03
SHARE_COMPLEMENTO = 0.35
SHARE_CELULAR = 0.7
SHARE_TELEFONE_11 = 0.4
# Stream.chance(share) is ``lane < share * 2**64``; the fast customer() compares with the same products
_CUT_SN = SHARE_SN * 18446744073709551616.0
_CUT_COMPLEMENTO = SHARE_COMPLEMENTO * 18446744073709551616.0
_CUT_CELULAR = SHARE_CELULAR * 18446744073709551616.0
_CUT_TELEFONE_11 = SHARE_TELEFONE_11 * 18446744073709551616.0
_CUT_HALF = 0.5 * 18446744073709551616.0
_shake = hashlib.shake_256


def _builder(cls: type[_T]) -> Callable[..., _T]:
    """``cls(*values)`` (values in field order) for a frozen slots dataclass of 7 fields without its generated
    ``__init__``, which sets each field through ``object.__setattr__`` with keyword parsing and cost the generator
    twice as much as setting the slots directly (the model has no ``__post_init__``: the object is the same,
    ``tests/test_generator.py`` compares them)."""
    s0, s1, s2, s3, s4, s5, s6 = (getattr(cls, field.name).__set__ for field in dataclasses.fields(cls))  # type: ignore[arg-type]
    new = object.__new__

    def build(a: object, b: object, c: object, d: object, e: object, f: object, g: object) -> _T:  # noqa: PLR0917 (field order)
        obj = new(cls)
        s0(obj, a)
        s1(obj, b)
        s2(obj, c)
        s3(obj, d)
        s4(obj, e)
        s5(obj, f)
        s6(obj, g)
        return obj

    return build


_new_cliente = _builder(Cliente)
_new_endereco = _builder(Endereco)


def _at(items: tuple[str, ...], lane: int) -> str:
    """``Stream.pick(items)`` for a lane already drawn."""
    return items[(lane * len(items)) >> 64]


@functools.lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    """Lowercase ASCII letters and digits only (``"D'Ávila"`` -> ``"davila"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


@functools.lru_cache(maxsize=4096)
def _word_slugs(entry: str) -> tuple[str, ...]:
    """The slug of each word of one word-list entry (the lists are small: every entry stays cached)."""
    return tuple(_slug(word) for word in entry.split())


@functools.cache
def _entry_slugs() -> dict[str, tuple[str, ...]]:
    """The slugs of every entry a razão social is made of (the name lists, ``&`` and ``Filhos``)."""
    w = words()
    entries = {"&", "Filhos", *w.surnames, *w.trades, *w.brands, *w.first_names, *w.legal_forms}
    return {entry: _word_slugs(entry) for entry in entries}


class _Segments:
    """CEP segments with cumulative sizes, to pick a CEP uniformly from a union of ranges."""

    __slots__ = ("_cumulative", "_segments", "total")

    def __init__(self, segments: Sequence[Segment]) -> None:
        self._segments = tuple(segments)
        cumulative, total = [], 0
        for seg in self._segments:
            total += len(seg)
            cumulative.append(total)
        self._cumulative = cumulative
        self.total = total

    def pick(self, draw: int) -> tuple[int, str]:
        offset = draw % self.total
        i = bisect.bisect_right(self._cumulative, offset)
        seg = self._segments[i]
        before = self._cumulative[i - 1] if i else 0
        return seg.start + offset - before, seg.uf


class CustomerSource:
    """Deterministic Brazilian customers for some CEP ranges: ``customer(i)`` depends only on ``(seed, i)``."""

    def __init__(
        self,
        ranges: Sequence[CepRange],
        seed: int,
        alnum_share: float = 0.1,
        isento_share: float = 0.1,
    ) -> None:
        if not ranges:
            raise ValueError("informe ao menos uma faixa de CEP")
        for name, share in (("CNPJs alfanuméricos", alnum_share), ("clientes ISENTO", isento_share)):
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"a fração de {name} deve estar entre 0 e 1, recebeu {share}")
        segments = owned_segments(ranges)
        if not segments:
            raise ValueError("nenhuma das faixas de CEP pertence a uma UF")
        self.ranges = tuple(ranges)
        self.seed = seed
        self.alnum_share = alnum_share
        self.isento_share = isento_share
        self._alnum_key = key(seed, 0xA1F4)
        self._letters_key = key(seed, 0x1E77E5)
        self._alnum_cut = alnum_share * 18446744073709551616.0
        self._salt = hashlib.blake2b(b"homologa:%d" % seed, digest_size=32).digest()
        self._raiz = Permutation(key(seed, 0xC9A1), half_digits=4)
        self._rounds = self._raiz.tables
        self._all = _Segments(segments)
        by_uf: dict[str, list[Segment]] = {}
        for seg in segments:
            by_uf.setdefault(seg.uf, []).append(seg)
        self._by_uf = {uf: _Segments(segs) for uf, segs in by_uf.items()}
        self._ddd = uf_table().ddd
        self._ddd_text = {uf: tuple(map(str, codes)) for uf, codes in self._ddd.items()}
        self._words: Words = words()
        self._isento_cut = isento_share * 18446744073709551616.0
        self._id_hasher = hashlib.blake2b(b"%d:" % seed, digest_size=16, person=b"homologa-id")
        self._slugs = _entry_slugs()

    @property
    def ufs(self) -> tuple[str, ...]:
        """The UFs that own some CEP of the ranges."""
        return tuple(sorted(self._by_uf))

    # --- public API -------------------------------------------------------------------------------------------

    def customer(self, index: int) -> Cliente:
        """Customer ``index`` (0-based) of this seed, computed directly.

        The draws are the ones :class:`~homologa.generator.mixing.Stream` would give, read straight from its lanes
        in the same order (``_name``, ``_email``, ``_phone`` and ``_address`` below, which :meth:`changed` uses,
        consume them the same way): one customer takes at most 29 of the 32 lanes of a block, so no refill. This
        is the burst's hottest function; ``tests/test_generator.py`` pins its output to those helpers'.
        """
        if not 0 <= index < MAX_INDEX:
            self._check(index)
        lanes = _LANES.unpack(_shake(self._salt + b"%d" % index).digest(_BLOCK))
        w = self._words
        cep, uf = self._all.pick(lanes[0])
        ie = ISENTO if lanes[1] < self._isento_cut else inscricao_estadual.generate(uf, lanes[2])
        pattern = (lanes[3] * 6) >> 64
        forma = w.legal_forms[(lanes[4] * len(w.legal_forms)) >> 64]
        if pattern == 0:
            entries: tuple[str, ...] = (_at(w.surnames, lanes[5]), _at(w.trades, lanes[6]), forma)
        elif pattern == 1:
            entries = (_at(w.surnames, lanes[5]), "&", _at(w.surnames, lanes[6]), forma)
        elif pattern == 2:
            entries = (_at(w.trades, lanes[5]), _at(w.brands, lanes[6]), forma)
        elif pattern == 3:
            entries = (_at(w.first_names, lanes[5]), _at(w.surnames, lanes[6]), _at(w.trades, lanes[7]), forma)
        elif pattern == 4:
            entries = (_at(w.brands, lanes[5]), _at(w.trades, lanes[6]), forma)
        else:
            entries = (_at(w.surnames, lanes[5]), "&", "Filhos", _at(w.trades, lanes[6]), forma)
        p = 8 if pattern == 3 else 7
        slugs = self._slugs
        words_ = slugs[entries[0]] + slugs[entries[1]] + slugs[entries[2]]
        if len(words_) < 4 and len(entries) > 3:
            words_ += slugs[entries[3]]
        host = "".join([part for part in words_[:4] if part and part not in _STOPWORDS][:2]) or "cliente"
        email = f"{_at(w.mailboxes, lanes[p])}@{host}.{_at(w.domains, lanes[p + 1])}"
        # the phones, as _phone draws them (DDD of the UF, the first digit, seven digits), formatted from tables
        ddds = self._ddd_text[uf]
        ddd = ddds[(lanes[p + 3] * len(ddds)) >> 64]
        heads = _MOBILE if lanes[p + 2] < _CUT_TELEFONE_11 else _LANDLINE
        high, low = divmod((lanes[p + 5] * 10_000_000) >> 64, 10_000)
        telefone = f"{ddd}{heads[(lanes[p + 4] * 4) >> 64]}{_TRIPLE[high]}{_GROUP[low]}"
        if lanes[p + 6] < _CUT_CELULAR:
            ddd = ddds[(lanes[p + 7] * len(ddds)) >> 64]
            high, low = divmod((lanes[p + 9] * 10_000_000) >> 64, 10_000)
            celular: str | None = f"{ddd}{_MOBILE[(lanes[p + 8] * 4) >> 64]}{_TRIPLE[high]}{_GROUP[low]}"
            p += 10
        else:
            celular = None
            p += 7
        endereco = self._drawn_address(lanes, p, cep, uf)
        return _new_cliente(self._cnpj(index), ie, " ".join(entries), email, telefone, endereco, celular)

    def _drawn_address(self, lanes: tuple[int, ...], p: int, cep: int, uf: str) -> Endereco:
        """:meth:`_address` from lanes already drawn, the first at ``p``."""
        w = self._words
        if lanes[p] < _CUT_SN:
            numero = "S/N"
            p += 1
        else:
            numero = str(1 + ((lanes[p + 1] * 4999) >> 64))
            p += 2
        if lanes[p] < _CUT_COMPLEMENTO:
            template = _at(w.complements, lanes[p + 1])
            complemento: str | None = template.format(
                n=1 + ((lanes[p + 2] * 120) >> 64), l="ABCDEFGH"[(lanes[p + 3] * 8) >> 64]
            )
            p += 4
        else:
            complemento = None
            p += 1
        logradouro = f"{_at(w.street_types, lanes[p])} {_at(w.street_names, lanes[p + 1])}"
        region = mix64(cep // 1000 ^ _REGION_SALT)
        half = lanes[p + 2] < _CUT_HALF
        bairro = w.bairros[(region >> 8) % len(w.bairros)] if half else _at(w.bairros, lanes[p + 3])
        cep_text = _GROUP[cep // 10_000] + _GROUP[cep % 10_000]  # f"{cep:08d}"
        return _new_endereco(logradouro, numero, bairro, w.city(uf, cep, region), uf, cep_text, complemento)

    def reference_customer(self, index: int) -> Cliente:
        """:meth:`customer` drawn through :class:`Stream` and the field helpers, the way :meth:`changed` draws:
        the readable definition the fast :meth:`customer` is tested against."""
        self._check(index)
        s = Stream(self._salt, index)
        cnpj_value = self._cnpj(index)
        cep, uf = self._all.pick(s.next())
        isento = s.chance(self.isento_share)
        ie_draw = s.next()
        ie = inscricao_estadual.ISENTO if isento else inscricao_estadual.generate(uf, ie_draw)
        entries = self._name(s)
        slugs = [slug for entry in entries for slug in _word_slugs(entry)]  # == map(_slug, nome.split())
        return Cliente(
            cnpj=cnpj_value,
            inscricao_estadual=ie,
            nome=" ".join(entries),
            email=self._email(s, slugs, ""),
            telefone=self._phone(s, uf, mobile=s.chance(SHARE_TELEFONE_11)),
            telefone_celular=self._phone(s, uf, mobile=True) if s.chance(SHARE_CELULAR) else None,
            endereco=self._address(s, cep, uf),
        )

    def cnpj(self, index: int) -> str:
        """The CNPJ of customer ``index`` alone (what :meth:`customer` puts in ``Cliente.cnpj``)."""
        self._check(index)
        return self._cnpj(index)

    def changed(self, index: int, version: int) -> Cliente:
        """Customer ``index`` with e-mail, phones and address changed (same CNPJ, name, IE and UF).

        ``version`` 0 is the original; each version >= 1 is a different, deterministic change.
        """
        base = self.customer(index)
        if version < 0:
            raise ValueError(f"versão de alteração negativa: {version}")
        if version == 0:
            return base
        s = Stream(self._salt, index, version)
        uf = base.endereco.estado
        email = self._email(s, [_slug(word) for word in base.nome.split()], str(version + 1))
        telefone = base.telefone
        while telefone == base.telefone:
            telefone = self._phone(s, uf, mobile=len(base.telefone) == 11)
        celular = base.telefone_celular
        while celular is not None and celular == base.telefone_celular:
            celular = self._phone(s, uf, mobile=True)
        endereco = base.endereco
        for _ in range(8):
            cep, _uf = self._by_uf[uf].pick(s.next())
            endereco = self._address(s, cep, uf)
            if endereco != base.endereco:
                break
        else:  # a one-CEP range and eight identical draws: change the complement instead
            endereco = dataclasses.replace(base.endereco, complemento=f"Alteração {version}")
        return base.replace(email=email, telefone=telefone, telefone_celular=celular, endereco=endereco)

    def message(self, index: int, attempt: int = 0, sent_at: datetime | None = None) -> CadastroCliente:
        """The ``CadastroCliente`` of customer ``index``; ``IdMensagem`` depends on ``(seed, index, attempt)``."""
        return CadastroCliente(
            id_mensagem=self.message_id(index, attempt),
            data_hora_envio=format_sent_at(sent_at),
            cliente=self.customer(index),
        )

    def message_id(self, index: int, attempt: int = 0) -> str:
        """A lowercase UUID (version 4 layout) derived from ``(seed, index, attempt)``."""
        if not 0 <= index < MAX_INDEX:
            self._check(index)
        hasher = self._id_hasher.copy()  # blake2b of f"{seed}:{index}:{attempt}", its "{seed}:" already hashed
        hasher.update(b"%d:%d" % (index, attempt))
        h = hasher.hexdigest()
        # what str(uuid.UUID(bytes=digest, version=4)) gives, without the UUID object: version nibble 4, variant 10xx
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"

    def iter(self, start: int, stop: int) -> Iterator[Cliente]:
        """Customers ``start`` .. ``stop - 1``, one at a time."""
        if not 0 <= start <= stop:
            raise ValueError(f"intervalo de índices inválido: {start}..{stop}")
        self._check(max(stop - 1, 0))
        return map(self.customer, range(start, stop))

    # --- fields ----------------------------------------------------------------------------------------------

    @staticmethod
    def _check(index: int) -> None:
        if not 0 <= index < MAX_INDEX:
            raise ValueError(f"índice de cliente fora do intervalo 0..{MAX_INDEX - 1}: {index}")

    def _cnpj(self, index: int) -> str:
        ordem, left = divmod(index, RAIZ_SPACE)
        # self._raiz(raiz_index), unrolled: the Feistel rounds over the two 4-digit halves of the raiz
        t0, t1, t2, t3 = self._rounds
        left, right = divmod(left, 10_000)
        left, right = right, (left + t0[right]) % 10_000
        left, right = right, (left + t1[right]) % 10_000
        left, right = right, (left + t2[right]) % 10_000
        left, right = right, (left + t3[right]) % 10_000
        raiz = left * 10_000 + right
        ordem += 1
        z = (self._alnum_key ^ index) + _GOLDEN & _M64  # mix64(self._alnum_key ^ index), inlined
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        if z ^ (z >> 31) < self._alnum_cut:
            body = f"{_with_letters(_GROUP[left] + _GROUP[right], mix64(self._letters_key ^ raiz))}{_GROUP[ordem]}"
            return body + cnpj.trusted_check_digits(body)
        # digits only: both weighted sums from three tables of 4-digit groups (see _digit_sums)
        sums = _RAIZ_HIGH[left] + _RAIZ_LOW[right] + _ORDEM[ordem]
        d1 = _dv(sums >> 12)
        return f"{_GROUP[left]}{_GROUP[right]}{_GROUP[ordem]}{_DIGITS[d1]}{_DIGITS[_dv((sums & 4095) + 2 * d1)]}"

    def _name(self, s: Stream) -> tuple[str, ...]:
        """The words of a razão social (joined by spaces it is ``Nome``), picked as whole list entries."""
        w = self._words
        pattern = s.below(6)
        forma = s.pick(w.legal_forms)
        if pattern == 0:
            return (s.pick(w.surnames), s.pick(w.trades), forma)
        if pattern == 1:
            return (s.pick(w.surnames), "&", s.pick(w.surnames), forma)
        if pattern == 2:
            return (s.pick(w.trades), s.pick(w.brands), forma)
        if pattern == 3:
            return (s.pick(w.first_names), s.pick(w.surnames), s.pick(w.trades), forma)
        if pattern == 4:
            return (s.pick(w.brands), s.pick(w.trades), forma)
        return (s.pick(w.surnames), "&", "Filhos", s.pick(w.trades), forma)

    def _email(self, s: Stream, slugs: Sequence[str], suffix: str) -> str:
        """An e-mail whose host is made of the first two meaningful words among the name's first four."""
        parts = [p for p in slugs[:4] if p and p not in _STOPWORDS][:2]
        host = "".join(parts) or "cliente"
        return f"{s.pick(self._words.mailboxes)}{suffix}@{host}.{s.pick(self._words.domains)}"

    def _phone(self, s: Stream, uf: str, mobile: bool) -> str:
        ddds = self._ddd[uf]
        ddd = ddds[s.below(len(ddds))]
        if mobile:
            return f"{ddd}9{6 + s.below(4)}{s.below(10**7):07d}"
        return f"{ddd}{2 + s.below(4)}{s.below(10**7):07d}"

    def _address(self, s: Stream, cep: int, uf: str) -> Endereco:
        w = self._words
        region = mix64(cep // 1000 ^ _REGION_SALT)  # the same bairro and city for a CEP's first five digits
        numero = "S/N" if s.chance(SHARE_SN) else str(1 + s.below(4999))
        complemento = None
        if s.chance(SHARE_COMPLEMENTO):
            template = s.pick(w.complements)
            complemento = template.format(n=1 + s.below(120), l="ABCDEFGH"[s.below(8)])
        return Endereco(
            logradouro=f"{s.pick(w.street_types)} {s.pick(w.street_names)}",
            numero=numero,
            complemento=complemento,
            bairro=w.bairros[(region >> 8) % len(w.bairros)] if s.chance(0.5) else s.pick(w.bairros),
            cidade=w.city(uf, cep, region),
            estado=uf,
            cep=f"{cep:08d}",
        )


def _digit_sums(weights1: Sequence[int], weights2: Sequence[int]) -> tuple[int, ...]:
    """For every 4-digit group ``0000``..``9999``: its weighted sum under ``weights1`` shifted left 12 bits, plus its
    weighted sum under ``weights2`` (each sum is below 4096, so three groups add up without carrying)."""
    table = []
    for group in range(10_000):
        digits = (group // 1000, group // 100 % 10, group // 10 % 10, group % 10)
        first = sum(d * w for d, w in zip(digits, weights1, strict=True))
        second = sum(d * w for d, w in zip(digits, weights2, strict=True))
        table.append(first << 12 | second)
    return tuple(table)


# cnpj's weights (first digit: 5,4,3,2,9,8,7,6,5,4,3,2; second: 6,5,4,3,2,9,8,7,6,5,4,3 and 2 for the first digit)
_RAIZ_HIGH = _digit_sums((5, 4, 3, 2), (6, 5, 4, 3))
_RAIZ_LOW = _digit_sums((9, 8, 7, 6), (2, 9, 8, 7))
_ORDEM = _digit_sums((5, 4, 3, 2), (6, 5, 4, 3))
_DV = tuple(0 if rest < 2 else 11 - rest for rest in range(11))
# numbers as text from tables: formatting an int with a width cost more than the rest of a phone or a CNPJ
_DIGITS = tuple(str(d) for d in range(10))
_TRIPLE = tuple(f"{n:03d}" for n in range(1000))
_GROUP = tuple(f"{n:04d}" for n in range(10_000))
_MOBILE = ("96", "97", "98", "99")  # _phone(mobile=True): 9 then 6 + below(4)
_LANDLINE = ("2", "3", "4", "5")  # _phone(mobile=False): 2 + below(4)


def _dv(weighted_sum: int) -> int:
    """A CNPJ check digit from its weighted sum (``cnpj._digit``)."""
    return _DV[weighted_sum % 11]


def _with_letters(raiz: str, h: int) -> str:
    """Replace 1 to 3 digits of ``raiz`` with letters, reversibly (letter -> digit), so CNPJs stay unique."""
    chars = list(raiz)
    count = 1 + h % 3
    h //= 3
    for _ in range(count):
        pos = h % 8
        h //= 8
        if chars[pos].isdigit():
            chars[pos] = _LETTERS[int(chars[pos]) + 10 * (h & 1)]
        h >>= 1
    return "".join(chars)


def format_sent_at(sent_at: datetime | None = None) -> str:
    """``DataHoraEnvio``: ``sent_at`` (or now) in Brasília time with its offset, to the millisecond."""
    moment = datetime.now(BRASILIA) if sent_at is None else sent_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BRASILIA)
    return moment.astimezone(BRASILIA).isoformat(timespec="milliseconds")
