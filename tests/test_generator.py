"""The customer generator's invariants: determinism, slices, unique CNPJs, CEP and UF, IE, phones, validity."""

from __future__ import annotations

import itertools
import re
import tracemalloc
import uuid
from datetime import UTC, datetime

import pytest
from erpbrasil.base.fiscal import ie as ie_oracle
from validate_docbr import CNPJ

from homologa import cnpj
from homologa.contract import load_pack
from homologa.generator import CepRange, CustomerSource, parse_cep_range, uf_for_cep
from homologa.generator import inscricao_estadual as ie
from homologa.generator.cep import uf_table
from homologa.generator.mixing import Permutation, Stream, key
from homologa.generator.source import MAX_INDEX, RAIZ_SPACE
from homologa.messages import render_request
from homologa.model import UFS, CadastroCliente

PACK = load_pack()
RANGE_SETS = {
    "sao-paulo-capital": ["01000000-05999999"],
    "norte-duas-faixas": ["69900000-69999999", "76800000-76999999"],
    "df-go-fronteira": ["72000000-74999999"],
    "brasil-inteiro-com-lacunas": ["00000000-99999999"],
}


def source(name: str, seed: int = 1, **kwargs: float) -> CustomerSource:
    return CustomerSource([parse_cep_range(r) for r in RANGE_SETS[name]], seed, **kwargs)


# --- CEP ranges and UFs ---------------------------------------------------------------------------------------


def test_cep_range_api() -> None:
    r = parse_cep_range("01000000-05999999")
    assert r == CepRange(1_000_000, 5_999_999)
    assert str(r) == "01000000-05999999"
    assert len(r) == 5_000_000
    assert parse_cep_range(" 01000-000-05999-999 ") == r
    assert "01310100" in r and 6_000_000 not in r


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0100000-05999999", "malformada"),
        ("01000000", "malformada"),
        ("abc-def", "malformada"),
        ("05999999-01000000", "invertida"),
        ("00000000-00999999", "não pertence a nenhuma UF"),
        ("78900000-78999999", "não pertence a nenhuma UF"),
    ],
)
def test_parse_cep_range_errors_are_pt_br(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_cep_range(text)


def test_uf_table_has_27_ufs_without_overlap_and_edges_map_right() -> None:
    table = uf_table()
    assert {s.uf for s in table.segments} == set(UFS) == set(table.ddd)
    for seg in table.segments:
        assert uf_for_cep(seg.start) == seg.uf == uf_for_cep(f"{seg.end:08d}")
        assert uf_for_cep(seg.start - 1) != seg.uf or seg.start == 0
    assert (uf_for_cep("01310-100"), uf_for_cep("70040010"), uf_for_cep("72800000"), uf_for_cep("69300000")) == (
        "SP",
        "DF",
        "GO",
        "RR",
    )
    assert uf_for_cep("00999999") is None and uf_for_cep("123") is None and uf_for_cep(-1) is None


# --- determinism and slices -----------------------------------------------------------------------------------


def test_same_seed_same_customers_other_seed_other_customers() -> None:
    a, b, c = source("sao-paulo-capital", 7), source("sao-paulo-capital", 7), source("sao-paulo-capital", 8)
    assert list(a.iter(0, 300)) == list(b.iter(0, 300))
    assert sum(x.cnpj == y.cnpj for x, y in zip(a.iter(0, 300), c.iter(0, 300), strict=True)) == 0


def test_any_slice_equals_the_slice_of_the_full_sequence() -> None:
    src = source("brasil-inteiro-com-lacunas", 3)
    full = list(src.iter(0, 1000))
    assert list(src.iter(250, 600)) == full[250:600]
    assert [src.customer(i) for i in reversed(range(1000))] == full[::-1]
    workers = [list(source("brasil-inteiro-com-lacunas", 3).iter(k, k + 250)) for k in range(0, 1000, 250)]
    assert list(itertools.chain.from_iterable(workers)) == full
    assert [src.cnpj(i) for i in range(1000)] == [c.cnpj for c in full]


def test_far_indexes_are_computed_directly() -> None:
    src = source("sao-paulo-capital", 5)
    far = [RAIZ_SPACE - 1, RAIZ_SPACE, 5 * RAIZ_SPACE + 17, MAX_INDEX - 1]
    for index in far:
        assert src.customer(index) == source("sao-paulo-capital", 5).customer(index)
    assert src.customer(RAIZ_SPACE).cnpj[8:12] == "0002"  # second branch (ordem) once the raiz space is used
    with pytest.raises(ValueError, match="fora do intervalo"):
        src.customer(MAX_INDEX)
    with pytest.raises(ValueError, match="fora do intervalo"):
        src.customer(-1)


# --- the fast customer() is its readable definition, drawn faster --------------------------------------------


@pytest.mark.parametrize("name", sorted(RANGE_SETS))
@pytest.mark.parametrize(
    ("seed", "shares"),
    [(1, {}), (9, {"alnum_share": 0.5, "isento_share": 0.5}), (4, {"alnum_share": 1.0, "isento_share": 0.0})],
)
def test_customer_is_the_stream_definition_drawn_faster(name: str, seed: int, shares: dict[str, float]) -> None:
    src = source(name, seed, **shares)
    for index in [*range(1500), RAIZ_SPACE - 1, RAIZ_SPACE, 7 * RAIZ_SPACE + 3, MAX_INDEX - 1]:
        assert src.customer(index) == src.reference_customer(index), index


def test_message_id_is_the_blake2b_of_seed_index_and_attempt_as_a_uuid4() -> None:
    """message_id hashes its seed's prefix once and copies the hasher: the same ids as hashing the whole text."""
    import hashlib

    for seed in (1, -5, 2**70 + 3):
        src = source("sao-paulo-capital", seed)
        for index, attempt in [(0, 0), (1, 1), (99_999, 2), (MAX_INDEX - 1, 0)]:
            h = hashlib.blake2b(f"{seed}:{index}:{attempt}".encode(), digest_size=16, person=b"homologa-id").digest()
            assert src.message_id(index, attempt) == str(uuid.UUID(bytes=h, version=4))


def test_cnpj_is_the_feistel_raiz_with_the_receita_check_digits() -> None:
    seed = 11
    src = source("sao-paulo-capital", seed, alnum_share=0.3)
    raiz_of = Permutation(key(seed, 0xC9A1), half_digits=4)  # the raiz permutation, applied the slow way
    numeric = 0
    for index in [*range(3000), RAIZ_SPACE + 5, 42 * RAIZ_SPACE + 99, MAX_INDEX - 1]:
        value = src.cnpj(index)
        assert cnpj.check_digits(value[:12]) == value[12:], value
        assert value[8:12] == f"{index // RAIZ_SPACE + 1:04d}"
        if value.isdigit():
            numeric += 1
            assert value[:8] == f"{raiz_of(index % RAIZ_SPACE):08d}"
            assert CNPJ().validate(value)
    assert 1800 < numeric < 2400  # both paths taken (30% alphanumeric)


# --- CNPJ -----------------------------------------------------------------------------------------------------


def test_permutation_is_a_bijection_and_inverts() -> None:
    perm = Permutation(12345, half_digits=2)
    images = [perm(x) for x in range(perm.size)]
    assert sorted(images) == list(range(perm.size))
    assert all(perm.inverse(y) == x for x, y in enumerate(images))
    assert images[:10] != list(range(10))


def test_cnpjs_unique_over_200k_indexes_and_across_the_ordem_boundary() -> None:
    src = source("sao-paulo-capital", 11, alnum_share=0.5)
    indexes = itertools.chain(range(200_000), range(RAIZ_SPACE - 2000, RAIZ_SPACE + 2000))
    seen = [src.cnpj(i) for i in indexes]
    assert len(set(seen)) == len(seen)


def test_check_digits_agree_with_validate_docbr() -> None:
    oracle = CNPJ()
    for seed in (1, 2, 99):
        src = source("brasil-inteiro-com-lacunas", seed, alnum_share=0.5)
        for i in range(0, 60_000, 20):
            value = src.cnpj(i)
            assert re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", value)
            assert oracle.validate(value), value


@pytest.mark.parametrize("share", [0.0, 0.1, 0.5, 1.0])
def test_alphanumeric_share(share: float) -> None:
    src = source("sao-paulo-capital", 4, alnum_share=share)
    n = 4000
    alnum = sum(any(ch.isalpha() for ch in src.cnpj(i)) for i in range(n)) / n
    assert abs(alnum - share) < 0.03


# --- CEP, UF, IE, phones, texts -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RANGE_SETS))
def test_cep_inside_ranges_uf_owns_cep_ie_and_phones_fit_the_uf(name: str) -> None:
    ranges = [parse_cep_range(r) for r in RANGE_SETS[name]]
    src = CustomerSource(ranges, 21)
    ddd = uf_table().ddd
    for c in src.iter(0, 1500):
        e = c.endereco
        assert any(e.cep in r for r in ranges)
        assert uf_for_cep(e.cep) == e.estado
        assert ie.is_valid(e.estado, c.inscricao_estadual), c
        if c.inscricao_estadual != "ISENTO":
            assert ie_oracle.validar(e.estado.lower(), c.inscricao_estadual), c
        assert len(c.telefone) in (10, 11) and int(c.telefone[:2]) in ddd[e.estado]
        assert c.telefone_celular is None or (len(c.telefone_celular) == 11 and c.telefone_celular[2] == "9")


def test_df_go_range_yields_both_ufs_and_the_whole_country_all_27() -> None:
    assert {c.endereco.estado for c in source("df-go-fronteira").iter(0, 500)} == {"DF", "GO"}
    assert {c.endereco.estado for c in source("brasil-inteiro-com-lacunas").iter(0, 10_000)} == set(UFS)


def test_isento_share_and_optional_fields_all_occur() -> None:
    customers = list(source("brasil-inteiro-com-lacunas", 8, isento_share=0.2).iter(0, 3000))
    isentos = sum(c.inscricao_estadual == "ISENTO" for c in customers) / len(customers)
    assert abs(isentos - 0.2) < 0.03
    assert any(c.endereco.numero == "S/N" for c in customers)
    assert any(c.endereco.complemento is None for c in customers)
    assert any(c.endereco.complemento for c in customers)
    assert any(c.telefone_celular is None for c in customers)
    assert {len(c.telefone) for c in customers} == {10, 11}
    assert any("&" in c.nome or "'" in c.nome for c in customers)
    assert any(not c.endereco.cidade.isascii() for c in customers)
    assert len({c.endereco.cidade for c in customers}) > 100


@pytest.mark.parametrize("seed", [1, 42, 2026])
@pytest.mark.parametrize("name", ["sao-paulo-capital", "brasil-inteiro-com-lacunas"])
def test_every_message_is_valid_against_the_pack(name: str, seed: int) -> None:
    src = source(name, seed, alnum_share=0.3)
    for i in range(1500):
        violations = PACK.request.validate(render_request(src.message(i)))
        assert violations == [], (i, violations)


# --- messages and re-sends ------------------------------------------------------------------------------------


def test_message_id_and_send_time() -> None:
    src = source("sao-paulo-capital", 9)
    when = datetime(2026, 11, 27, 15, 0, 0, tzinfo=UTC)
    m0, m1 = src.message(5, sent_at=when), src.message(5, attempt=1, sent_at=when)
    assert m0.id_mensagem == source("sao-paulo-capital", 9).message(5).id_mensagem
    assert m0.id_mensagem != m1.id_mensagem != source("sao-paulo-capital", 10).message(5).id_mensagem
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", m0.id_mensagem)
    assert m0.data_hora_envio == "2026-11-27T12:00:00.000-03:00"
    assert m0.cliente == m1.cliente == src.customer(5)
    assert src.message(5).data_hora_envio.endswith("-03:00")
    assert len({src.message_id(i, a) for i in range(300) for a in range(3)}) == 900


def test_changed_keeps_identity_and_changes_contact_and_address() -> None:
    src = source("brasil-inteiro-com-lacunas", 12)
    for i in range(300):
        base, v1, v2 = src.customer(i), src.changed(i, 1), src.changed(i, 2)
        assert src.changed(i, 0) == base and src.changed(i, 1) == v1
        for new in (v1, v2):
            assert (new.cnpj, new.nome, new.inscricao_estadual) == (base.cnpj, base.nome, base.inscricao_estadual)
            assert new.endereco.estado == base.endereco.estado == uf_for_cep(new.endereco.cep)
            assert new.email != base.email and new.telefone != base.telefone and new.endereco != base.endereco
            assert (new.telefone_celular is None) == (base.telefone_celular is None)
            assert new.telefone_celular is None or new.telefone_celular != base.telefone_celular
        assert v1 != v2


def test_changed_messages_are_valid() -> None:
    src = source("df-go-fronteira", 13)
    for i in range(500):
        msg = src.message(i)
        changed = CadastroCliente(msg.id_mensagem, msg.data_hora_envio, src.changed(i, 1 + i % 3))
        assert PACK.request.validate(render_request(changed)) == []


# --- memory ---------------------------------------------------------------------------------------------------


def _peak(src: CustomerSource, n: int) -> int:
    tracemalloc.start()
    try:
        for _ in src.iter(0, n):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_whatever_n() -> None:
    src = source("brasil-inteiro-com-lacunas", 14)
    src.customer(0)  # warm the caches (word lists, slugs) before measuring
    small, large = _peak(src, 200), _peak(src, 2000)
    assert large < small * 1.5 + 64 * 1024, (small, large)


def test_bad_arguments_are_refused_in_pt_br() -> None:
    with pytest.raises(ValueError, match="ao menos uma faixa"):
        CustomerSource([], 1)
    with pytest.raises(ValueError, match="entre 0 e 1"):
        CustomerSource([parse_cep_range("01000000-05999999")], 1, alnum_share=1.5)
    with pytest.raises(ValueError, match="nenhuma das faixas"):
        CustomerSource([CepRange(0, 999_999)], 1)
    with pytest.raises(ValueError, match="intervalo de índices"):
        source("sao-paulo-capital").iter(5, 2)


def test_email_host_comes_from_the_company_name() -> None:
    src = source("brasil-inteiro-com-lacunas", 21)
    for i in range(500):
        c = src.customer(i)
        words = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in c.nome.split()[:4]]
        words = [w for w in words if w and w not in {"de", "da", "do", "das", "dos", "e"}][:2]
        host = c.email.split("@", 1)[1].rsplit(".", 1)[0]
        # accents are folded to ASCII by the generator; compare letters only where the name is plain ASCII
        if c.nome.isascii():
            assert host.split(".")[0] == ("".join(words) or "cliente"), (c.nome, c.email)


def test_stream_reads_past_its_first_block_deterministically() -> None:
    first, again = Stream(b"s" * 32, 7), Stream(b"s" * 32, 7)
    draws = [first.below(1000) for _ in range(100)]  # 32 lanes per block: three refills
    assert draws == [again.below(1000) for _ in range(100)]
    assert all(0 <= d < 1000 for d in draws) and len(set(draws[32:])) > 50
    assert draws != [Stream(b"s" * 32, 8).below(1000) for _ in range(100)]
