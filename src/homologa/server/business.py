"""What the reference distributor decides for one valid ``CadastroCliente``: pure functions, no I/O.

The documented rules (contract v1, R1..R3, B1):

- a CNPJ never received gets ``PEN`` and is stored;
- a CNPJ already stored gets ``APV``, or ``RPV`` when the e-mail it ends up with is in the domain
  ``invalido.example`` (the reference's stand-in for a credit analysis that fails); the stored record is replaced
  by the received one, except for the protected field groups, which keep the stored values (never an error);
- ``Mensagem`` says which receipt this was (``recebimento N``), so the order in which concurrent re-sends were
  applied can be read from the answers;
- a retry of an ``IdMensagem`` already answered gets the first answer again (see :mod:`homologa.server.registry`).

Fault switches that change decisions or reject messages are applied here too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from homologa.model import FIELD_GROUPS, CadastroCliente, Cliente, Endereco, Retorno
from homologa.server.config import ServerConfig

REJECTED_EMAIL_DOMAIN = "invalido.example"
RARE_UFS = frozenset({"AC", "AP", "RR", "TO"})
SPECIAL_CHARACTERS = frozenset("&<>'\"")
SHORT_COLUMN = 100


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to send (before any answer-level fault) and its HTTP status."""

    retorno: Retorno
    http_status: int = 200


@dataclass(frozen=True, slots=True)
class Stored:
    """A customer as the distributor holds it."""

    cliente: Cliente
    status: str
    recebimentos: int


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    record: Stored | None  # what to store now; None stores nothing


def cliente_to_dict(cliente: Cliente) -> dict[str, Any]:
    """Same as ``dataclasses.asdict`` (which deep-copies and costs ~50 µs; this is on the writer's hot path)."""
    e = cliente.endereco
    return {
        "cnpj": cliente.cnpj,
        "inscricao_estadual": cliente.inscricao_estadual,
        "nome": cliente.nome,
        "email": cliente.email,
        "telefone": cliente.telefone,
        "endereco": {
            "logradouro": e.logradouro,
            "numero": e.numero,
            "bairro": e.bairro,
            "cidade": e.cidade,
            "estado": e.estado,
            "cep": e.cep,
            "complemento": e.complemento,
        },
        "telefone_celular": cliente.telefone_celular,
    }


def cliente_from_dict(data: dict[str, Any]) -> Cliente:
    fields = dict(data)
    endereco = Endereco(**fields.pop("endereco"))
    return Cliente(**fields, endereco=endereco)


def _error(msg: CadastroCliente, codigo: str, descricao: str, http_status: int = 200) -> Outcome:
    retorno = Retorno(msg.id_mensagem, msg.cliente.cnpj, erro_codigo=codigo, erro_descricao=descricao[:500])
    return Outcome(retorno, http_status)


def _texts(cliente: Cliente) -> list[str]:
    values = [*dataclasses.astuple(cliente.endereco), *(getattr(cliente, f.name) for f in dataclasses.fields(cliente))]
    return [v for v in values if isinstance(v, str)]


def reject(msg: CadastroCliente, cfg: ServerConfig) -> Outcome | None:
    """An ``Erro`` from a fault switch that looks at the message alone, or None."""
    c = msg.cliente
    if not cfg.faults:
        return None
    if cfg.has("rejeita-acentos") and any(not t.isascii() for t in _texts(c)):
        return _error(msg, "ERP-CHARSET", "Caractere inválido para o ERP: use apenas ASCII, sem acentos")
    if cfg.has("rejeita-caracteres-especiais") and any(SPECIAL_CHARACTERS.intersection(t) for t in _texts(c)):
        return _error(msg, "ERP-CARACTERE", "Caractere especial não permitido (& < > ' \")")
    if cfg.has("rejeita-isento") and c.inscricao_estadual == "ISENTO":
        return _error(msg, "ERP-IE", "InscricaoEstadual inválida: ISENTO não é aceito, informe o número")
    if cfg.has("rejeita-cnpj-alfanumerico") and any(ch.isalpha() for ch in c.cnpj):
        return _error(msg, "ERP-CNPJ", "CNPJ inválido: o ERP só aceita CNPJ numérico")
    if cfg.has("exige-opcionais") and (c.endereco.complemento is None or c.telefone_celular is None):
        return _error(msg, "ERP-OBRIGATORIO", "Complemento e TelefoneCelular são obrigatórios no ERP")
    if cfg.has("rejeita-tamanho-maximo") and (len(c.nome) > SHORT_COLUMN or len(c.endereco.logradouro) > SHORT_COLUMN):
        return _error(
            msg, "ERP-TAMANHO", f"Valor grande demais para a coluna do ERP (Nome/Logradouro, máximo {SHORT_COLUMN})"
        )
    if cfg.has("rejeita-uf-rara") and c.endereco.estado in RARE_UFS:
        return _error(msg, "ERP-UF", f"UF {c.endereco.estado} não atendida pelo cadastro do ERP")
    return None


# Fault switches that identify a customer by something other than the full CNPJ: fault -> identity field.
IDENTITY_FAULTS: dict[str, str] = {
    "identifica-pela-raiz": "raiz",
    "identifica-pelo-email": "email",
    "identifica-pela-ie": "inscricao_estadual",
    "identifica-pelo-nome": "nome",
    "identifica-pelo-endereco": "endereco",
    "identifica-pelo-telefone": "telefone",
}


def identity(cliente: Cliente, field: str) -> str:
    """The value a faulty ERP identifies ``cliente`` by (``field``: a value of :data:`IDENTITY_FAULTS`)."""
    if field == "raiz":
        return cliente.cnpj[:8]
    if field == "endereco":
        e = cliente.endereco
        return f"{e.cep}|{e.numero}|{e.logradouro}"
    return str(getattr(cliente, field))


def identity_field(cfg: ServerConfig) -> str | None:
    """The field the ERP identifies customers by instead of the CNPJ (an identity fault), or None (the CNPJ)."""
    for fault, field in IDENTITY_FAULTS.items():
        if cfg.has(fault):
            return field
    return None


def _changed(groups: tuple[str, ...], old: Cliente, new: Cliente) -> list[str]:
    return [g for g in groups if any(getattr(old, a) != getattr(new, a) for a in FIELD_GROUPS[g])]


def _keep_protected(incoming: Cliente, stored: Cliente, groups: tuple[str, ...]) -> Cliente:
    kept = {attr: getattr(stored, attr) for group in groups for attr in FIELD_GROUPS[group]}
    return dataclasses.replace(incoming, **kept) if kept else incoming


def decide(msg: CadastroCliente, stored: Stored | None, cfg: ServerConfig) -> Decision:
    """The answer and the record to store for a valid message, given what is stored for its CNPJ."""
    c = msg.cliente
    if stored is None:
        status = "APV" if cfg.has("apv-para-novo") else "PEN"
        record = Stored(c, status, 1)
        retorno = Retorno(msg.id_mensagem, c.cnpj, status=status, mensagem="Cadastro recebido (recebimento 1)")
        return Decision(Outcome(retorno), record)

    old = stored.cliente
    if cfg.faults:
        if cfg.has("erro-ao-mudar-endereco") and old.endereco != c.endereco:
            return Decision(_error(msg, "ERP-ENDERECO", "Alteração de endereço não permitida pela integração"), None)
        if cfg.has("http500-ao-mudar-telefone") and (
            old.telefone != c.telefone or old.telefone_celular != c.telefone_celular
        ):
            return Decision(_error(msg, "ERP-500", "Falha interna ao atualizar telefone", http_status=500), None)
        if cfg.has("erro-ao-mudar-email") and old.email != c.email:
            return Decision(_error(msg, "ERP-EMAIL", "Alteração de e-mail não permitida pela integração"), None)
        if cfg.has("erro-em-campo-protegido") and (changed := _changed(cfg.protected_fields, old, c)):
            return Decision(
                _error(msg, "ERP-PROTEGIDO", f"Campo(s) protegido(s) não podem mudar: {', '.join(changed)}"), None
            )

    kept = _changed(cfg.protected_fields, old, c)
    effective = _keep_protected(c, old, cfg.protected_fields)
    count = stored.recebimentos + 1
    if cfg.has("pen-para-reenvio"):
        status = "PEN"
    elif effective.email.lower().endswith("@" + REJECTED_EMAIL_DOMAIN):
        status = "RPV"
    else:
        status = "APV"
    text = {"APV": "Cadastro atualizado e aprovado", "RPV": "Cadastro atualizado e reprovado na análise de crédito"}
    mensagem = f"{text.get(status, 'Cadastro recebido')} (recebimento {count})"
    if kept:
        mensagem += f"; campos protegidos mantidos: {', '.join(kept)}"
    retorno = Retorno(msg.id_mensagem, c.cnpj, status=status, mensagem=mensagem)
    return Decision(Outcome(retorno), Stored(effective, status, count))
