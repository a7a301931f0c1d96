"""Reenvios (R2, R3): um CNPJ já recebido recebe APV ou RPV, nunca erro, mude o que mudar"""

from __future__ import annotations

import pytest

from homologa.model import FIELD_GROUPS
from homologa.suite import scenarios
from homologa.suite.checks import status_known

# regra("R2", campos=...): the scenario proves R3 instead when one of those fields is declared protected.


@pytest.mark.regra("R2")
def test_reenvio_completo_sem_alteracoes_recebe_apv_ou_rpv(homologa):
    """Reenvio completo, sem alterações, recebe APV/RPV"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    homologa.send(cliente, step="reenvio sem alterações", expect=status_known(homologa.rule))


@pytest.mark.regra("R2", campos=("email", "telefone", "telefone_celular"))
def test_reenvio_com_contato_atualizado_recebe_apv_ou_rpv(homologa):
    """Reenvio com contato atualizado (e-mail e telefones) recebe APV/RPV, sem erro"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    novo = scenarios.contact_update(cliente)
    homologa.send(novo, step="reenvio com e-mail e telefones novos", expect=status_known(homologa.rule))


@pytest.mark.regra("R2", campos=("endereco",))
def test_reenvio_com_endereco_alterado_recebe_apv_ou_rpv(homologa):
    """Reenvio com endereço alterado recebe APV/RPV, sem erro"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    novo = scenarios.changed(cliente, "endereco")
    homologa.send(novo, step="reenvio com endereço novo", expect=status_known(homologa.rule))


@pytest.mark.parametrize(
    "campo", [pytest.param(c, marks=pytest.mark.regra("R2", campos=(c,)), id=c) for c in FIELD_GROUPS]
)
def test_reenvio_mudando_um_campo_so_recebe_apv_ou_rpv(homologa, campo):
    """Reenvio mudando só {campo} recebe APV/RPV, sem erro (protegido ou não)"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    kind = "campo protegido" if homologa.rule == "R3" else "campo atualizável"
    homologa.send(
        scenarios.changed(cliente, campo),
        step=f"reenvio mudando só {scenarios.FIELD_NAMES[campo]} ({kind})",
        expect=status_known(homologa.rule),
    )


@pytest.mark.regra("R2", campos=("telefone_celular", "endereco"))
def test_reenvio_sem_opcionais_recebe_apv_ou_rpv(homologa):
    """Reenvio que deixa de trazer TelefoneCelular e Complemento recebe APV/RPV, sem erro"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    novo = scenarios.without_optionals(cliente)
    homologa.send(novo, step="reenvio sem elementos opcionais", expect=status_known(homologa.rule))


@pytest.mark.regra("R2")
def test_reenvio_de_cliente_com_caracteres_especiais_recebe_apv_ou_rpv(homologa):
    """Reenvio de cliente com acentos e caracteres especiais do XML recebe APV/RPV"""
    cliente = homologa.new_customer(scenarios.with_xml_specials(scenarios.with_accents(scenarios.base_customer())))
    homologa.register(cliente)
    homologa.send(cliente, step="reenvio com caracteres especiais", expect=status_known(homologa.rule))
