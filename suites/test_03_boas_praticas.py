"""Boas práticas (B1, B2): consultivas; reprovam só com --strict"""

from __future__ import annotations

import pytest

from homologa.suite.checks import status_is

MIN_SAMPLES = 20


@pytest.mark.regra("B1")
def test_retentativa_com_mesmo_idmensagem_recebe_o_mesmo_status(homologa):
    """Retentativa com o mesmo IdMensagem recebe o mesmo Status da primeira resposta"""
    cliente = homologa.new_customer()
    message = homologa.message(cliente)
    first = homologa.register(message, step="primeiro envio")
    status = first.answer.status
    homologa.send(message, step="retentativa com o mesmo IdMensagem", expect=status_is(status, rule="B1"))


@pytest.mark.regra("B2")
def test_latencia_p95_dentro_do_orcamento(homologa):
    """Latência p95 dentro do orçamento do perfil"""
    homologa.register(homologa.new_customer(), step="amostra de latência (cliente novo)")
    while len(homologa.client.latencies) < MIN_SAMPLES:
        homologa.register(homologa.new_customer(), step="amostra de latência (cliente novo)")
    homologa.check_latency()
