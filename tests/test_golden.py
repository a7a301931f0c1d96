"""The golden messages: the loader, what the set covers, and that each one is a plausible real customer."""

from __future__ import annotations

from pathlib import Path

import pytest
from erpbrasil.base.fiscal import ie as ie_oracle
from validate_docbr import CNPJ

from homologa.generator import inscricao_estadual, uf_for_cep
from homologa.generator.cep import uf_table
from homologa.golden import Golden, GoldenError, load_golden
from homologa.model import UFS
from homologa.resources import golden_dir

GOLDEN = load_golden()
REQUIRED_TAGS = {
    "acentos", "escape", "isento", "cnpj-alfanumerico", "sem-complemento", "sem-celular", "tamanho-maximo", "sn",
    "telefone-10", "telefone-11", "uf",
}  # fmt: skip


def with_tag(tag: str) -> list[Golden]:
    return [g for g in GOLDEN if tag in g.tags]


def test_index_lists_every_file_once() -> None:
    names = [g.path.name for g in GOLDEN]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(p.name for p in golden_dir().glob("*.xml"))


def test_set_covers_every_required_case_and_all_27_ufs() -> None:
    tags = {t for g in GOLDEN for t in g.tags}
    assert tags >= REQUIRED_TAGS, REQUIRED_TAGS - tags
    assert {g.message.cliente.endereco.estado for g in GOLDEN} == set(UFS)


def test_first_send_expectations_and_unique_keys() -> None:
    assert {g.expected_status for g in GOLDEN} == {"PEN"}
    assert len({g.message.cliente.cnpj for g in GOLDEN}) == len(GOLDEN)
    assert len({g.message.id_mensagem for g in GOLDEN}) == len(GOLDEN)
    assert all(g.description and g.tags for g in GOLDEN)


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.name)
def test_golden_is_a_consistent_brazilian_customer(golden: Golden) -> None:
    c = golden.message.cliente
    uf = c.endereco.estado
    assert CNPJ().validate(c.cnpj)
    assert uf_for_cep(c.endereco.cep) == uf
    assert inscricao_estadual.is_valid(uf, c.inscricao_estadual)
    if c.inscricao_estadual != "ISENTO":
        assert ie_oracle.validar(uf.lower(), c.inscricao_estadual)
    for phone in filter(None, (c.telefone, c.telefone_celular)):
        assert int(phone[:2]) in uf_table().ddd[uf], phone


def test_tags_say_the_truth() -> None:
    for g in with_tag("isento"):
        assert g.message.cliente.inscricao_estadual == "ISENTO"
    for g in with_tag("cnpj-alfanumerico"):
        assert any(ch.isalpha() for ch in g.message.cliente.cnpj)
    for g in with_tag("sem-complemento"):
        assert g.message.cliente.endereco.complemento is None
        assert b"Complemento" not in g.data
    for g in with_tag("sem-celular"):
        assert g.message.cliente.telefone_celular is None
    for g in with_tag("sn"):
        assert g.message.cliente.endereco.numero == "S/N"
    for g in with_tag("telefone-10"):
        assert len(g.message.cliente.telefone) == 10
    for g in with_tag("telefone-11"):
        assert len(g.message.cliente.telefone) == 11
    for g in with_tag("escape"):
        assert b"&amp;" in g.data and "&" in g.message.cliente.nome
    for g in with_tag("acentos"):
        c = g.message.cliente
        assert any(not ch.isascii() for ch in c.nome + c.endereco.logradouro + c.endereco.cidade + c.endereco.bairro)


def test_accents_and_cedilla_reach_names_and_cities() -> None:
    texts = [g.message.cliente.nome + g.message.cliente.endereco.cidade for g in with_tag("acentos")]
    assert any("ç" in t for t in texts)
    assert any("ã" in t or "á" in t for t in texts)
    assert any("'" in g.message.cliente.nome for g in with_tag("escape"))


def test_maximum_lengths_are_really_the_maximum() -> None:
    (g,) = with_tag("tamanho-maximo")
    c, e = g.message.cliente, g.message.cliente.endereco
    assert (len(c.nome), len(c.email), len(e.logradouro), len(e.numero)) == (150, 254, 120, 10)
    assert (len(e.complemento or ""), len(e.bairro), len(e.cidade), len(c.inscricao_estadual)) == (60, 60, 60, 14)


def test_loader_reports_a_broken_index(tmp_path: Path) -> None:
    (tmp_path / "index.toml").write_text('[[mensagem]]\narquivo = "x.xml"\n', encoding="utf-8")
    with pytest.raises(GoldenError, match="sem a chave"):
        load_golden(tmp_path)
    (tmp_path / "index.toml").write_text(
        '[[mensagem]]\narquivo = "x.xml"\ndescricao = "d"\nstatus_esperado = "OK"\n', encoding="utf-8"
    )
    with pytest.raises(GoldenError, match="status esperado"):
        load_golden(tmp_path)
