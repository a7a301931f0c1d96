"""Identidade do cliente (R1, R2): o ERP reconhece o cliente pelo CNPJ completo, e só por ele"""

from __future__ import annotations

import pytest

from homologa.model import FIELD_GROUPS
from homologa.suite import scenarios
from homologa.suite.checks import status_known, status_new


@pytest.mark.regra("R1")
@pytest.mark.parametrize("semelhanca", scenarios.RESEMBLANCES, ids=lambda r: r.code)
def test_cnpj_novo_parecido_com_cliente_cadastrado_recebe_pen(homologa, semelhanca):
    """CNPJ nunca recebido com {semelhanca} de um cliente já cadastrado recebe PEN"""
    base = scenarios.base_customer()
    conhecido = scenarios.distinct_from(base, homologa.customers.cnpj())
    homologa.register(conhecido, step="cadastro do cliente conhecido")
    parecido = scenarios.resembling(conhecido, homologa.customers, semelhanca.code)
    homologa.send(
        parecido,
        step=f"cadastro de CNPJ novo com {semelhanca.name} do cliente conhecido (todo o resto diferente)",
        expect=status_new(),
    )


@pytest.mark.regra("R2", campos=tuple(FIELD_GROUPS))
def test_cnpj_cadastrado_com_todos_os_outros_dados_mudados_recebe_apv_ou_rpv(homologa):
    """CNPJ já cadastrado reenviado com todos os outros dados mudados recebe APV/RPV"""
    conhecido = scenarios.distinct_from(scenarios.base_customer(), homologa.customers.cnpj())
    homologa.register(conhecido, step="cadastro do cliente")
    mudado = scenarios.distinct_from(conhecido, homologa.customers.cnpj()).replace(cnpj=conhecido.cnpj)
    homologa.send(
        mudado,
        step="reenvio do mesmo CNPJ com nome, e-mail, inscrição estadual, telefones e endereço novos",
        expect=status_known(homologa.rule),
    )
