"""The customer registration as data: what the platform sends (contract v1 ``CadastroCliente``) and what the ERP
answers (``RetornoCadastroCliente``). Field names follow the contract's element names."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

STATUS_NEW = "PEN"
STATUS_KNOWN = frozenset({"APV", "RPV"})
STATUSES = frozenset({STATUS_NEW, *STATUS_KNOWN})

UFS = (
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA",
    "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Endereco:
    logradouro: str
    numero: str
    bairro: str
    cidade: str
    estado: str
    cep: str
    complemento: str | None = None


@dataclass(frozen=True, slots=True)
class Cliente:
    cnpj: str
    inscricao_estadual: str
    nome: str
    email: str
    telefone: str
    endereco: Endereco
    telefone_celular: str | None = None

    def replace(self, **changes: object) -> Cliente:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def with_address(self, **changes: object) -> Cliente:
        return dataclasses.replace(self, endereco=dataclasses.replace(self.endereco, **changes))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class CadastroCliente:
    """One message: a customer with its message id and send time (xs:dateTime with offset)."""

    id_mensagem: str
    data_hora_envio: str
    cliente: Cliente


@dataclass(frozen=True, slots=True)
class Retorno:
    """An ERP's answer: an echo plus either a status or an error."""

    id_mensagem: str
    cnpj: str
    status: str | None = None
    mensagem: str | None = None
    erro_codigo: str | None = None
    erro_descricao: str | None = None

    @property
    def is_error(self) -> bool:
        return self.erro_codigo is not None


# Field groups a distributor may protect (not overwrite from the platform). Keys are what users type in
# --protected-fields; values are the Cliente attributes (``endereco`` covers the whole address).
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "nome": ("nome",),
    "email": ("email",),
    "inscricao_estadual": ("inscricao_estadual",),
    "telefone": ("telefone",),
    "telefone_celular": ("telefone_celular",),
    "endereco": ("endereco",),
}


def parse_field_groups(text: str) -> tuple[str, ...]:
    """``"telefone, endereco"`` -> ``("telefone", "endereco")``; unknown names raise ValueError (pt-BR)."""
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [n for n in names if n not in FIELD_GROUPS]
    if unknown:
        raise ValueError(f"campo(s) protegido(s) desconhecido(s): {', '.join(unknown)}; use: {', '.join(FIELD_GROUPS)}")
    return names
