"""Clientes novos (R1): todo CNPJ nunca recebido recebe PEN"""

from __future__ import annotations

import dataclasses

import pytest

from homologa.model import UFS
from homologa.suite import scenarios
from homologa.suite.checks import status_new

pytestmark = pytest.mark.regra("R1")


def test_mensagem_de_ouro_como_cliente_novo_recebe_pen(homologa, homologa_golden):
    """Mensagem de ouro '{homologa_golden}' com CNPJ novo recebe PEN"""
    fresh = homologa.message(homologa.new_customer(homologa_golden.message.cliente))
    fresh = dataclasses.replace(fresh, data_hora_envio=homologa_golden.message.data_hora_envio)
    body = scenarios.replay_golden(homologa_golden.data, homologa_golden.message, fresh)
    homologa.send(
        fresh, step="cadastro de cliente novo (a mensagem de ouro, com CNPJ novo)", expect=status_new(), body=body
    )


def test_campos_no_tamanho_maximo_recebem_pen(homologa):
    """Cliente com todos os textos no tamanho máximo do contrato recebe PEN"""
    cliente = homologa.new_customer(scenarios.at_max_lengths(scenarios.base_customer()))
    homologa.send(cliente, step="cadastro com textos no tamanho máximo", expect=status_new())


def test_campos_no_tamanho_minimo_recebem_pen(homologa):
    """Cliente com todos os textos no tamanho mínimo do contrato recebe PEN"""
    cliente = homologa.new_customer(scenarios.at_min_lengths(scenarios.base_customer()))
    homologa.send(cliente, step="cadastro com textos no tamanho mínimo", expect=status_new())


def test_acentos_recebem_pen(homologa):
    """Cliente com acentos e cedilha no nome e no endereço recebe PEN"""
    cliente = homologa.new_customer(scenarios.with_accents(scenarios.base_customer()))
    homologa.send(cliente, step="cadastro com acentos", expect=status_new())


def test_caracteres_especiais_do_xml_recebem_pen(homologa):
    """Cliente com & < > ' " no nome e no endereço recebe PEN"""
    cliente = homologa.new_customer(scenarios.with_xml_specials(scenarios.base_customer()))
    homologa.send(cliente, step="cadastro com caracteres especiais do XML", expect=status_new())


def test_sem_elementos_opcionais_recebe_pen(homologa):
    """Cliente sem TelefoneCelular e sem Complemento (opcionais) recebe PEN"""
    cliente = homologa.new_customer(scenarios.without_optionals(scenarios.base_customer()))
    homologa.send(cliente, step="cadastro sem elementos opcionais", expect=status_new())


def test_cnpj_alfanumerico_recebe_pen(homologa, homologa_customers):
    """Cliente com CNPJ alfanumérico recebe PEN"""
    cliente = scenarios.base_customer().replace(cnpj=homologa_customers.cnpj(alphanumeric=True))
    homologa.send(cliente, step="cadastro com CNPJ alfanumérico", expect=status_new())


def test_inscricao_estadual_isento_recebe_pen(homologa):
    """Cliente com InscricaoEstadual ISENTO recebe PEN"""
    cliente = homologa.new_customer(scenarios.isento(scenarios.base_customer()))
    homologa.send(cliente, step="cadastro com inscrição estadual ISENTO", expect=status_new())


def test_endereco_sem_numero_recebe_pen(homologa):
    """Cliente com Numero S/N recebe PEN"""
    cliente = homologa.new_customer(scenarios.sem_numero(scenarios.base_customer()))
    homologa.send(cliente, step="cadastro com número S/N", expect=status_new())


def test_clientes_das_faixas_de_cep_do_distribuidor_recebem_pen(homologa):
    """Clientes realistas das faixas de CEP do perfil (ou de todo o Brasil) recebem PEN"""
    for cliente in homologa.regional_customers(10):
        where = f"{cliente.endereco.cidade}/{cliente.endereco.estado}, CEP {cliente.endereco.cep}"
        homologa.send(cliente, step=f"cadastro de cliente gerado ({where})", expect=status_new())


@pytest.mark.parametrize("uf", UFS)
def test_cliente_de_cada_uf_recebe_pen(homologa, uf):
    """Cliente de {uf} recebe PEN"""
    cliente = homologa.new_customer(scenarios.in_uf(scenarios.base_customer(), uf))
    homologa.send(cliente, step=f"cadastro de cliente de {uf}", expect=status_new())
