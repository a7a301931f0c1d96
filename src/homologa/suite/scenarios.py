"""Building the messages of each scenario: fresh customers for every run, and the variations a real ERP trips on.

Every run draws its CNPJs from its own block of a space no real company, load burst or other run uses (see
:func:`new_cnpj` and docs/cnpjs-novos.md), chosen by the run's seed (shown in the report header): the suite passes
again and again against the same endpoint, even one holding a copy of production; the same seed against a fresh
endpoint replays the same customers. The other data comes
from the golden messages or from :func:`base_customer`, changed one concern at a time.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re
import uuid
import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from homologa import cnpj, xmlsafe
from homologa.messages import read_request
from homologa.model import FIELD_GROUPS, CadastroCliente, Cliente, Endereco

if TYPE_CHECKING:
    from homologa.generator.mixing import Permutation

# One real CEP per UF (inside the UF's range), for the "every UF" scenarios.
CEP_BY_UF: dict[str, tuple[str, str]] = {
    "AC": ("69900062", "Rio Branco"), "AL": ("57020050", "Maceió"), "AP": ("68900073", "Macapá"),
    "AM": ("69005040", "Manaus"), "BA": ("40020000", "Salvador"), "CE": ("60060440", "Fortaleza"),
    "DF": ("70040902", "Brasília"), "ES": ("29010120", "Vitória"), "GO": ("74003010", "Goiânia"),
    "MA": ("65010440", "São Luís"), "MT": ("78005370", "Cuiabá"), "MS": ("79002070", "Campo Grande"),
    "MG": ("30130010", "Belo Horizonte"), "PA": ("66010020", "Belém"), "PB": ("58010000", "João Pessoa"),
    "PR": ("80010010", "Curitiba"), "PE": ("50010000", "Recife"), "PI": ("64000020", "Teresina"),
    "RJ": ("20010000", "Rio de Janeiro"), "RN": ("59012300", "Natal"), "RS": ("90010150", "Porto Alegre"),
    "RO": ("76801050", "Porto Velho"), "RR": ("69301110", "Boa Vista"), "SC": ("88010000", "Florianópolis"),
    "SP": ("01001000", "São Paulo"), "SE": ("49010010", "Aracaju"), "TO": ("77001002", "Palmas"),
}  # fmt: skip

# Human names for the field groups, as titles show them.
FIELD_NAMES: dict[str, str] = {
    "nome": "o nome",
    "email": "o e-mail",
    "inscricao_estadual": "a inscrição estadual",
    "telefone": "o telefone",
    "telefone_celular": "o telefone celular",
    "endereco": "o endereço",
}


def base_customer() -> Cliente:
    """A plain, typical customer (every optional element present); its CNPJ is replaced before sending."""
    return Cliente(
        cnpj="11222333000181",
        inscricao_estadual="110042490114",
        nome="Mercearia Bom Preço Ltda",
        email="compras@bompreco.com.br",
        telefone="1133224455",
        telefone_celular="11987654321",
        endereco=Endereco(
            logradouro="Rua das Flores",
            numero="120",
            complemento="Loja 2",
            bairro="Centro",
            cidade="São Paulo",
            estado="SP",
            cep="01001000",
        ),
    )


# The space of "never received" CNPJs (docs/cnpjs-novos.md): raiz x branch order 9000-9999 (numeric) or Z000-Z999
# (alphanumeric). Real companies and the load generator use order 0001 and low orders; every run owns a disjoint
# block of it, so no run can meet a CNPJ an earlier run sent.
RUN_SLOTS = 10**8  # runs seeded less than 10**8 apart (seconds: ~3.2 years) never share a CNPJ
ROOTS_PER_RUN = 500  # new customers one run can have (each with one sibling branch)
BRANCHES = 2  # the customer itself and one filial with the same raiz
_RAIZES = 10**8


@functools.cache
def _raiz_permutation() -> Permutation:
    """One fixed bijection of the raiz space for every run and version: the same key always (injectivity across
    runs depends on it), so consecutive run indexes spread over all raízes."""
    from homologa.generator.mixing import Permutation

    return Permutation(0x484F4D4F4C4F4741, half_digits=4)  # "HOMOLOGA"


def new_cnpj(slot_index: int, branch: int, alphanumeric: bool) -> str:
    """The CNPJ of ``slot_index`` (in ``[0, RUN_SLOTS * ROOTS_PER_RUN)``) and ``branch`` (< BRANCHES): injective.

    The raiz is a bijection of ``slot_index mod 10**8``; the branch order holds ``slot_index div 10**8`` (< 500)
    and ``branch``, so ``(slot_index, branch)`` is recovered from the CNPJ: distinct arguments, distinct CNPJs.
    """
    if not 0 <= slot_index < RUN_SLOTS * ROOTS_PER_RUN or not 0 <= branch < BRANCHES:
        raise ValueError(f"índice de CNPJ novo fora do espaço: {slot_index}/{branch}")
    high, low = divmod(slot_index, _RAIZES)
    order = BRANCHES * high + branch  # < 1000
    raiz = f"{_raiz_permutation()(low):08d}"
    return cnpj.complete(raiz + (f"Z{order:03d}" if alphanumeric else f"{9000 + order}"))


def run_seed(now: float) -> int:
    """The default seed of a run started at ``now`` (epoch seconds): distinct for runs started in distinct seconds
    less than ~3.2 years apart, hence disjoint CNPJs."""
    return int(now) % RUN_SLOTS


class Customers:
    """Fresh CNPJs and message ids for one run, drawn from ``seed``.

    Every CNPJ is from the run's own block of the never-received space (:func:`new_cnpj`); the rest (message ids)
    comes from a generator seeded with ``seed``.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._slot = seed % RUN_SLOTS
        self._issued: dict[str, int] = {}  # CNPJ -> its index in the run's block
        self._branched: set[int] = set()

    def _next_index(self) -> int:
        count = len(self._issued)
        if count >= ROOTS_PER_RUN:
            raise ValueError(f"mais de {ROOTS_PER_RUN} CNPJs novos numa execução: amplie o bloco de cada execução")
        return self._slot * ROOTS_PER_RUN + count

    def cnpj(self, alphanumeric: bool = False) -> str:
        """A valid CNPJ no run with another seed (mod 10**8) ever sends, with branch order 9xxx (alphanumeric: Zxxx)."""
        index = self._next_index()
        value = new_cnpj(index, 0, alphanumeric)
        self._issued[value] = index
        return value

    def branch_of(self, matriz: str) -> str:
        """A never-received CNPJ with the same raiz as ``matriz`` (a CNPJ this run issued): another branch."""
        index = self._issued.get(matriz)
        if index is None or index in self._branched:
            raise ValueError(f"CNPJ {matriz} não é um cliente novo desta execução sem filial ainda")
        self._branched.add(index)
        return new_cnpj(index, 1, cnpj.is_alphanumeric(matriz))

    def fresh(self, cliente: Cliente) -> Cliente:
        """``cliente`` with a new CNPJ of the same kind (numeric or alphanumeric): a customer the ERP never saw."""
        return cliente.replace(cnpj=self.cnpj(cnpj.is_alphanumeric(cliente.cnpj)))

    def message(self, cliente: Cliente, id_mensagem: str | None = None) -> CadastroCliente:
        """A ``CadastroCliente`` for ``cliente``: a new IdMensagem (unless given) and the current time in UTC."""
        return CadastroCliente(
            id_mensagem=id_mensagem or str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            data_hora_envio=datetime.now(UTC).replace(microsecond=0).isoformat(),
            cliente=cliente,
        )


ALL_OF_BRAZIL = "01000000-99999999"


def regional_customers(ranges: tuple[str, ...], seed: int, count: int) -> list[Cliente]:
    """``count`` realistic customers (homologa's generator) with CEPs inside ``ranges`` (default: all of Brazil)."""
    from homologa.generator import CustomerSource, parse_cep_range

    source = CustomerSource([parse_cep_range(r) for r in ranges or (ALL_OF_BRAZIL,)], seed)
    return [source.customer(i) for i in range(count)]


def changed(cliente: Cliente, group: str) -> Cliente:
    """``cliente`` with only the field group ``group`` (a key of FIELD_GROUPS) changed to another valid value."""
    if group not in FIELD_GROUPS:
        raise ValueError(f"grupo de campos desconhecido: {group!r}")
    if group == "nome":
        return cliente.replace(nome=_other(cliente.nome, "Comercial Nova Era Ltda", "Atacado Horizonte S.A."))
    if group == "email":
        return cliente.replace(email=_other(cliente.email, "financeiro@novaera.com.br", "contato@horizonte.com.br"))
    if group == "inscricao_estadual":
        return cliente.replace(inscricao_estadual=_other(cliente.inscricao_estadual, "244012345678", "110042490115"))
    if group == "telefone":
        return cliente.replace(telefone=_other(cliente.telefone, "1140028922", "2133445566"))
    if group == "telefone_celular":
        return cliente.replace(telefone_celular=_other(cliente.telefone_celular or "", "11912345678", "21998765432"))
    return cliente.with_address(
        logradouro=_other(cliente.endereco.logradouro, "Avenida Brasil", "Rua Sete de Setembro"),
        numero=_other(cliente.endereco.numero, "2500", "77"),
        complemento=_other(cliente.endereco.complemento or "", "Galpão 3", "Sala 101"),
        bairro=_other(cliente.endereco.bairro, "Jardim América", "Vila Nova"),
        cep=_other(cliente.endereco.cep, cliente.endereco.cep[:5] + "999", cliente.endereco.cep[:5] + "123"),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Resemblance:
    """One way an ERP can wrongly identify a customer: the field shared (``code``) and how titles name it."""

    code: str
    name: str


RESEMBLANCES = (
    Resemblance("raiz", "a mesma raiz de CNPJ (outra filial)"),
    Resemblance("email", "o mesmo e-mail"),
    Resemblance("inscricao_estadual", "a mesma inscrição estadual"),
    Resemblance("nome", "o mesmo nome (razão social)"),
    Resemblance("endereco", "o mesmo endereço"),
    Resemblance("telefone", "o mesmo telefone"),
)


def distinct_from(cliente: Cliente, cnpj_value: str) -> Cliente:
    """A customer with CNPJ ``cnpj_value`` and every other field different from ``cliente`` and unique to that CNPJ
    (so an ERP that identifies customers by any of them cannot confuse it with another one of the run)."""
    tag = f"{zlib.crc32(cnpj_value.encode()) % 10**8:08d}"
    return cliente.replace(
        cnpj=cnpj_value,
        nome=f"Distribuidora Identidade {tag} Ltda",
        email=f"cadastro.{tag}@identidade.com.br",
        inscricao_estadual=f"9{tag}",
        telefone=f"31{tag}",
        telefone_celular=f"319{tag}",
    ).with_address(
        logradouro=f"Rua Identidade {tag}",
        numero=tag[-4:].lstrip("0") or "1",
        complemento=f"Sala {tag[:3]}",
        bairro="Jardim Identidade",
        cep=f"{int(tag) % 9_000_000 + 1_000_000:08d}" if cliente.endereco.estado == "SP" else cliente.endereco.cep,
    )


def resembling(known: Cliente, customers: Customers, resemblance: str) -> Cliente:
    """A never-received customer that shares only ``resemblance`` (a :data:`RESEMBLANCES` code) with ``known``."""
    if resemblance == "raiz":
        return distinct_from(known, customers.branch_of(known.cnpj))
    other = distinct_from(known, customers.cnpj(cnpj.is_alphanumeric(known.cnpj)))
    if resemblance == "endereco":
        return other.replace(endereco=known.endereco)
    if resemblance not in {"email", "inscricao_estadual", "nome", "telefone"}:
        raise ValueError(f"semelhança desconhecida: {resemblance!r}")
    return other.replace(**{resemblance: getattr(known, resemblance)})


def _other(current: str, first: str, second: str) -> str:
    return first if current != first else second


def contact_update(cliente: Cliente) -> Cliente:
    """E-mail and both phones changed at once (the usual 'contact update' re-send)."""
    return changed(changed(changed(cliente, "email"), "telefone"), "telefone_celular")


def at_max_lengths(cliente: Cliente) -> Cliente:
    """Every bounded text at the contract's maximum length (what a too-short ERP column truncates or rejects)."""
    return cliente.replace(
        nome=_fill("Distribuidora de Alimentos Limite Máximo ", 150),
        email=_fill("compras.", 254 - len("@exemplo.com.br")) + "@exemplo.com.br",
        endereco=dataclasses.replace(
            cliente.endereco,
            logradouro=_fill("Avenida Presidente Juscelino Kubitschek de Oliveira ", 120),
            numero="1234567890",
            complemento=_fill("Bloco B Conjunto 12 ", 60),
            bairro=_fill("Jardim Paulista Alto ", 60),
            cidade=_fill("São José dos Campos do Norte ", 60),
        ),
    )


def at_min_lengths(cliente: Cliente) -> Cliente:
    """Every bounded text at the contract's minimum length."""
    return cliente.replace(
        nome="X",
        email="a@b",
        inscricao_estadual="12",
        endereco=dataclasses.replace(
            cliente.endereco, logradouro="R", numero="1", complemento="A", bairro="C", cidade="I"
        ),
    )


def _fill(seed_text: str, length: int) -> str:
    text = (seed_text * (length // len(seed_text) + 1))[:length]
    return text[:-1] + "Z" if text.endswith(" ") else text


def with_accents(cliente: Cliente) -> Cliente:
    return cliente.replace(nome="Açougue e Padaria São João Ltda", email="joão.conceição@pão.com.br").with_address(
        logradouro="Praça da Árvore Antônio Gonçalves", bairro="Jardim Itá", cidade="São José do Rio Preto"
    )


def with_xml_specials(cliente: Cliente) -> Cliente:
    """Text with the five XML special characters (escaped on the wire; the ERP must store them as text)."""
    return cliente.replace(nome='Pereira & Filhos <Atacado> "Matriz" D\'Ávila').with_address(
        complemento="Sala 3 & 4 <fundos>", logradouro="Rua O'Higgins"
    )


def without_optionals(cliente: Cliente) -> Cliente:
    """No TelefoneCelular and no Complemento (both 0..1 in the contract)."""
    return cliente.replace(telefone_celular=None).with_address(complemento=None)


def isento(cliente: Cliente) -> Cliente:
    return cliente.replace(inscricao_estadual="ISENTO")


def in_uf(cliente: Cliente, uf: str) -> Cliente:
    cep, cidade = CEP_BY_UF[uf]
    return cliente.with_address(estado=uf, cep=cep, cidade=cidade)


def sem_numero(cliente: Cliente) -> Cliente:
    return cliente.with_address(numero="S/N")


def replay_golden(data: bytes, original: CadastroCliente, fresh: CadastroCliente) -> bytes:
    """A golden file's own bytes (its prefix, indentation, escapes) with ``fresh``'s IdMensagem and CNPJ.

    Only the text of the ``IdMensagem`` and ``CNPJ`` elements changes; the result is read back and must equal
    ``fresh`` (anything else is a harness bug, raised as ValueError).
    """
    out = data
    for tag, old, new in (
        ("IdMensagem", original.id_mensagem, fresh.id_mensagem),
        ("CNPJ", original.cliente.cnpj, fresh.cliente.cnpj),
    ):
        pattern = rb"(<(?:[\w.-]+:)?" + tag.encode() + rb">\s*)" + re.escape(old.encode()) + rb"(\s*</)"
        out, count = re.subn(pattern, rb"\g<1>" + new.encode() + rb"\g<2>", out)
        if count != 1:
            raise ValueError(f"mensagem de ouro: elemento {tag} com {old!r} não encontrado uma única vez")
    replayed = read_request(xmlsafe.parse(out))
    if dataclasses.replace(replayed, data_hora_envio=fresh.data_hora_envio) != fresh:
        raise ValueError("mensagem de ouro: a troca de IdMensagem/CNPJ mudou outros dados")
    return out
