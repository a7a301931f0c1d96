"""The reference server's fault switches: one realistic ERP bug each, named as agreed with the suite and the load
profile (``homologa servir --falha NAME``). This module is the catalogue only (data); the behaviour lives where the
bug happens: :mod:`homologa.server.business` (decisions and rejections), :mod:`homologa.server.wire` (the answer's
bytes) and :mod:`homologa.server.app` (transport).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from homologa.categories import (
    ECO_DIVERGENTE,
    ERRO_RETORNADO,
    FALHA_DE_TRANSPORTE,
    LATENCIA,
    RESPOSTA_INSEGURA,
    RESPOSTA_INVALIDA,
    STATUS_DIVERGENTE,
)


@dataclass(frozen=True, slots=True)
class Fault:
    """One switchable bug: its name, what it does (pt-BR), the contract rule it breaks and the suite's category."""

    name: str
    descricao: str
    regra: str  # the main rule it breaks: "R1".."R6", "B1", "B2"
    categoria: str  # what the contract suite should report
    regras: tuple[str, ...] = ()  # every rule it breaks (``regra`` first)

    def __post_init__(self) -> None:
        if not self.regras:
            object.__setattr__(self, "regras", (self.regra,))


_CATALOGUE = (
    Fault("apv-para-novo", "um CNPJ nunca recebido ganha APV em vez de PEN", "R1", STATUS_DIVERGENTE),
    Fault("pen-para-reenvio", "um CNPJ já cadastrado ganha PEN de novo no reenvio", "R2", STATUS_DIVERGENTE),
    Fault(
        "erro-ao-mudar-endereco",
        "devolve Erro (HTTP 200) quando o endereço difere do cadastrado",
        "R2",
        ERRO_RETORNADO,
        ("R2", "R3"),
    ),
    Fault(
        "http500-ao-mudar-telefone",
        "devolve HTTP 500 quando Telefone ou TelefoneCelular difere do cadastrado",
        "R2",
        ERRO_RETORNADO,
        ("R2", "R3"),
    ),
    Fault("erro-ao-mudar-email", "devolve Erro quando o Email difere do cadastrado", "R2", ERRO_RETORNADO),
    Fault(
        "erro-em-campo-protegido",
        "devolve Erro quando muda um campo protegido (--campos-protegidos do servidor)",
        "R3",
        ERRO_RETORNADO,
    ),
    Fault(
        "identifica-pela-raiz",
        "trata matriz e filiais como um cliente só: um CNPJ novo com a raiz de um cadastrado recebe APV",
        "R1",
        STATUS_DIVERGENTE,
    ),
    Fault(
        "identifica-pelo-email",
        "identifica o cliente pelo Email, não pelo CNPJ: CNPJ novo com e-mail conhecido recebe APV, CNPJ conhecido "
        "com e-mail novo recebe PEN",
        "R1",
        STATUS_DIVERGENTE,
        ("R1", "R2"),
    ),
    Fault(
        "identifica-pela-ie",
        "identifica o cliente pela InscricaoEstadual, não pelo CNPJ (novo com IE conhecida: APV; conhecido com IE "
        "nova: PEN)",
        "R1",
        STATUS_DIVERGENTE,
        ("R1", "R2"),
    ),
    Fault(
        "identifica-pelo-nome",
        "identifica o cliente pelo Nome (razão social), não pelo CNPJ (novo com nome conhecido: APV; conhecido com "
        "nome novo: PEN)",
        "R1",
        STATUS_DIVERGENTE,
        ("R1", "R2"),
    ),
    Fault(
        "identifica-pelo-endereco",
        "identifica o cliente pelo endereço (CEP, Numero, Logradouro), não pelo CNPJ (novo no mesmo endereço: APV; "
        "conhecido em endereço novo: PEN)",
        "R1",
        STATUS_DIVERGENTE,
        ("R1", "R2"),
    ),
    Fault(
        "identifica-pelo-telefone",
        "identifica o cliente pelo Telefone, não pelo CNPJ (novo com telefone conhecido: APV; conhecido com telefone "
        "novo: PEN)",
        "R1",
        STATUS_DIVERGENTE,
        ("R1", "R2"),
    ),
    Fault("rejeita-acentos", "devolve Erro quando algum texto tem caractere fora do ASCII", "R1", ERRO_RETORNADO),
    Fault(
        "rejeita-caracteres-especiais",
        "devolve Erro quando algum texto tem & < > ' ou \"",
        "R1",
        ERRO_RETORNADO,
    ),
    Fault("rejeita-isento", "devolve Erro quando a InscricaoEstadual é ISENTO", "R1", ERRO_RETORNADO),
    Fault("rejeita-cnpj-alfanumerico", "devolve Erro quando o CNPJ tem letras", "R1", ERRO_RETORNADO),
    Fault(
        "exige-opcionais",
        "devolve Erro quando falta Complemento ou TelefoneCelular (opcionais no contrato)",
        "R1",
        ERRO_RETORNADO,
    ),
    Fault(
        "rejeita-tamanho-maximo",
        "devolve Erro quando Nome ou Logradouro passa de 100 caracteres (coluna do ERP curta demais)",
        "R1",
        ERRO_RETORNADO,
    ),
    Fault("rejeita-uf-rara", "devolve Erro para clientes no AC, AP, RR e TO", "R1", ERRO_RETORNADO),
    Fault("sem-eco-idmensagem", "a resposta traz IdMensagem vazio (ainda válida no schema)", "R4", ECO_DIVERGENTE),
    Fault("eco-cnpj-errado", "a resposta ecoa outro CNPJ (ainda válida no schema)", "R4", ECO_DIVERGENTE),
    Fault(
        "resposta-fora-do-schema",
        'resposta bem-formada mas fora do schema (Status "OK" ou elemento a mais)',
        "R5",
        RESPOSTA_INVALIDA,
    ),
    Fault("resposta-malformada", "resposta que não é XML bem-formado (cortada)", "R5", RESPOSTA_INVALIDA),
    Fault("content-type-errado", "resposta com Content-Type text/html", "R5", RESPOSTA_INVALIDA),
    Fault("http500", "toda resposta é HTTP 500", "R5", ERRO_RETORNADO),
    Fault("resposta-com-doctype", "a resposta traz DOCTYPE com declaração de entidade", "R5", RESPOSTA_INSEGURA),
    Fault("resposta-gigante", "corpo de resposta com vários MiB", "R5", RESPOSTA_INVALIDA),
    Fault(
        "sem-idempotencia",
        "um reenvio do mesmo IdMensagem é processado de novo (PEN e depois APV)",
        "B1",
        STATUS_DIVERGENTE,
    ),
    Fault("lento", "toda resposta atrasa --atraso-falha segundos (padrão 2,5)", "B2", "latência"),
    Fault(
        "colapsa",
        "a latência cresce com os pedidos em andamento e com o volume já atendido (ERP que cai no go-live)",
        "B2",
        LATENCIA,
    ),
    Fault("trava", "aceita o pedido e nunca responde", "R5", FALHA_DE_TRANSPORTE),
    Fault("goteja", "responde um corpo válido um byte a cada 0,5 s", "R5", FALHA_DE_TRANSPORTE),
    Fault("derruba-conexao", "fecha a conexão sem responder", "R5", FALHA_DE_TRANSPORTE),
    Fault(
        "http503-as-vezes",
        "cerca de 10% dos pedidos (escolhidos pelo hash do CNPJ) recebem HTTP 503",
        "R6",
        ERRO_RETORNADO,
    ),
)

FAULTS: dict[str, Fault] = {fault.name: fault for fault in _CATALOGUE}


def check_names(names: Iterable[str]) -> tuple[str, ...]:
    """The fault names, deduplicated, in order; an unknown name raises ValueError with a pt-BR message."""
    chosen = tuple(dict.fromkeys(name.strip() for name in names if name.strip()))
    unknown = [name for name in chosen if name not in FAULTS]
    if unknown:
        raise ValueError(
            f"falha desconhecida: {', '.join(unknown)} (use homologa servir --listar-falhas para ver as disponíveis)"
        )
    return chosen


def describe() -> str:
    """The catalogue as text for ``homologa servir --listar-falhas``."""
    width = max(len(name) for name in FAULTS)
    lines = ["Falhas do distribuidor de referência (homologa servir --falha NOME; repetível):", ""]
    for fault in FAULTS.values():
        rules = ",".join(fault.regras)
        lines.append(f"  {fault.name:<{width}}  {rules:<5}  {fault.descricao} -> suíte: {fault.categoria}")
    return "\n".join(lines)
