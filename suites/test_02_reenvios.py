"""Reenvios (R2, R3): um CNPJ já recebido recebe APV ou RPV, nunca erro, mude o que mudar"""

from __future__ import annotations

import pytest

from homologa.model import FIELD_GROUPS
from homologa.suite import scenarios
from homologa.suite.checks import status_known


def _rule(homologa, *groups: str) -> str:
    """R3 when the re-send changes a field the distributor declared protected, else R2."""
    return "R3" if set(groups) & set(homologa.protected_fields) else "R2"


@pytest.mark.regra("R2")
def test_reenvio_completo_sem_alteracoes_recebe_apv_ou_rpv(homologa):
    """Reenvio completo, sem alterações, recebe APV/RPV"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    homologa.send(cliente, step="reenvio sem alterações", expect=status_known())


@pytest.mark.regra("R2")
def test_reenvio_com_contato_atualizado_recebe_apv_ou_rpv(homologa):
    """Reenvio com contato atualizado (e-mail e telefones) recebe APV/RPV, sem erro"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    rule = _rule(homologa, "email", "telefone", "telefone_celular")
    homologa.send(
        scenarios.contact_update(cliente),
        step="reenvio com e-mail e telefones novos",
        expect=status_known(rule),
        rule=rule,
    )


@pytest.mark.regra("R2")
def test_reenvio_com_endereco_alterado_recebe_apv_ou_rpv(homologa):
    """Reenvio com endereço alterado recebe APV/RPV, sem erro"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    rule = _rule(homologa, "endereco")
    homologa.send(
        scenarios.changed(cliente, "endereco"), step="reenvio com endereço novo", expect=status_known(rule), rule=rule
    )


@pytest.mark.regra("R3")
@pytest.mark.parametrize("campo", list(FIELD_GROUPS))
def test_reenvio_mudando_um_campo_so_recebe_apv_ou_rpv(homologa, campo):
    """Reenvio mudando só {campo} recebe APV/RPV, sem erro (protegido ou não)"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    rule = _rule(homologa, campo)
    kind = "campo protegido" if rule == "R3" else "campo atualizável"
    homologa.send(
        scenarios.changed(cliente, campo),
        step=f"reenvio mudando só {scenarios.FIELD_NAMES[campo]} ({kind})",
        expect=status_known(rule),
        rule=rule,
    )


@pytest.mark.regra("R2")
def test_reenvio_sem_opcionais_recebe_apv_ou_rpv(homologa):
    """Reenvio que deixa de trazer TelefoneCelular e Complemento recebe APV/RPV, sem erro"""
    cliente = homologa.new_customer()
    homologa.register(cliente)
    homologa.send(scenarios.without_optionals(cliente), step="reenvio sem elementos opcionais", expect=status_known())


@pytest.mark.regra("R2")
def test_reenvio_de_cliente_com_caracteres_especiais_recebe_apv_ou_rpv(homologa):
    """Reenvio de cliente com acentos e caracteres especiais do XML recebe APV/RPV"""
    cliente = homologa.new_customer(scenarios.with_xml_specials(scenarios.with_accents(scenarios.base_customer())))
    homologa.register(cliente)
    homologa.send(cliente, step="reenvio com caracteres especiais", expect=status_known())
