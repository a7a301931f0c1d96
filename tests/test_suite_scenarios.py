"""The suite's messages: every variation is a valid CadastroCliente, changes exactly what it says, and each run's
customers are new."""

from __future__ import annotations

import dataclasses

import pytest

from homologa import cnpj
from homologa.contract import load_pack
from homologa.generator import uf_for_cep
from homologa.golden import load_golden
from homologa.messages import read_request, render_request
from homologa.model import FIELD_GROUPS, UFS, Cliente
from homologa.suite import scenarios
from homologa.xmlsafe import parse

PACK = load_pack()
BASE = scenarios.base_customer()
VARIATIONS = {
    "tamanho máximo": scenarios.at_max_lengths(BASE),
    "tamanho mínimo": scenarios.at_min_lengths(BASE),
    "acentos": scenarios.with_accents(BASE),
    "caracteres especiais": scenarios.with_xml_specials(BASE),
    "sem opcionais": scenarios.without_optionals(BASE),
    "isento": scenarios.isento(BASE),
    "S/N": scenarios.sem_numero(BASE),
    "contato": scenarios.contact_update(BASE),
    **{f"UF {uf}": scenarios.in_uf(BASE, uf) for uf in UFS},
    **{f"muda {group}": scenarios.changed(BASE, group) for group in FIELD_GROUPS},
}


def _valid(cliente: Cliente) -> list[str]:
    msg = scenarios.Customers(1).message(cliente)
    return [str(v) for v in PACK.request.validate(render_request(msg))]


@pytest.mark.parametrize("name", sorted(VARIATIONS))
def test_every_variation_is_a_valid_request(name):
    assert _valid(VARIATIONS[name]) == []


def test_max_and_min_lengths_are_the_contracts_bounds():
    big = VARIATIONS["tamanho máximo"]
    assert (len(big.nome), len(big.email), len(big.endereco.logradouro)) == (150, 254, 120)
    assert (len(big.endereco.numero), len(big.endereco.complemento or ""), len(big.endereco.bairro)) == (10, 60, 60)
    assert len(big.endereco.cidade) == 60
    # one character more is refused by the contract: the maxima really are the edge
    assert _valid(big.replace(nome=big.nome + "X")) != []
    small = VARIATIONS["tamanho mínimo"]
    assert (len(small.nome), len(small.email), len(small.inscricao_estadual)) == (1, 3, 2)


@pytest.mark.parametrize("group", list(FIELD_GROUPS))
def test_changing_one_group_changes_only_that_group(group):
    after = scenarios.changed(BASE, group)
    differing = {f.name for f in dataclasses.fields(Cliente) if getattr(after, f.name) != getattr(BASE, f.name)}
    assert differing == set(FIELD_GROUPS[group])
    assert scenarios.changed(after, group) != after  # changing again still changes


def test_every_uf_cep_belongs_to_its_uf():
    assert set(scenarios.CEP_BY_UF) == set(UFS)
    assert {uf: uf_for_cep(cep) for uf, (cep, _) in scenarios.CEP_BY_UF.items()} == {uf: uf for uf in UFS}


def test_customers_are_new_valid_and_keep_their_kind():
    customers = scenarios.Customers(123)
    numeric = [customers.cnpj() for _ in range(200)]
    alnum = [customers.cnpj(alphanumeric=True) for _ in range(200)]
    assert len(set(numeric + alnum)) == 400
    assert all(cnpj.is_valid(c) for c in numeric + alnum)
    assert not any(cnpj.is_alphanumeric(c) for c in numeric) and all(cnpj.is_alphanumeric(c) for c in alnum)
    assert cnpj.is_alphanumeric(customers.fresh(BASE.replace(cnpj=alnum[0])).cnpj)
    assert scenarios.Customers(5).cnpj() == scenarios.Customers(5).cnpj()  # a seed replays a run


@pytest.mark.parametrize("golden", load_golden(), ids=lambda g: g.name)
def test_golden_replay_keeps_the_spelling_and_swaps_only_id_and_cnpj(golden):
    customers = scenarios.Customers(9)
    fresh = customers.message(customers.fresh(golden.message.cliente))
    fresh = dataclasses.replace(fresh, data_hora_envio=golden.message.data_hora_envio)
    body = scenarios.replay_golden(golden.data, golden.message, fresh)
    assert read_request(parse(body)) == fresh
    assert PACK.request.validate(body) == []
    stripped = body.replace(fresh.id_mensagem.encode(), b"").replace(fresh.cliente.cnpj.encode(), b"")
    original = golden.data.replace(golden.message.id_mensagem.encode(), b"").replace(
        golden.message.cliente.cnpj.encode(), b""
    )
    assert stripped == original


def test_regional_customers_live_in_the_declared_ranges():
    found = scenarios.regional_customers(("01000000-05999999",), seed=3, count=10)
    assert len({c.cnpj for c in found}) == 10
    assert all(1000000 <= int(c.endereco.cep) <= 5999999 and c.endereco.estado == "SP" for c in found)
    assert all(_valid(c) == [] for c in found)
    assert {c.endereco.estado for c in scenarios.regional_customers((), seed=3, count=40)} != {"SP"}
