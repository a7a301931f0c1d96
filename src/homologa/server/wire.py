"""Bytes in, bytes out: a request body becomes a :class:`CadastroCliente` or an error answer; an :class:`Outcome`
becomes the answer's bytes, with the answer-level fault switches applied. Both go through the contract pack's wire
shape (:mod:`homologa.packs`): element names, order, status words and binding (plain XML or SOAP 1.1) are data."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from homologa import xmlsafe
from homologa.contract import ContractPack, load_pack
from homologa.model import CadastroCliente, Retorno
from homologa.packs import soap
from homologa.server import prescan
from homologa.server.business import Outcome
from homologa.server.config import ServerConfig

XML_CONTENT_TYPE = "application/xml; charset=UTF-8"
WRONG_CONTENT_TYPE = "text/html; charset=UTF-8"
GIANT_SIZE = 8 << 20
WRONG_CNPJ = "11222333000181"
OTHER_WRONG_CNPJ = "11444777000161"
_LAST_END_TAG = re.compile(rb"</([^<>\s]+)>\s*$")


@dataclass(frozen=True, slots=True)
class Answer:
    http_status: int
    content_type: str
    body: bytes


@functools.lru_cache(maxsize=8)
def pack_of(contract: str) -> ContractPack:
    """The server's pack by its ``--contract`` (loaded once; the runner already proved it loads)."""
    return load_pack(contract)


def _echoes(pack: ContractPack, payload: etree._Element | None) -> tuple[str, str]:
    """``IdMensagem`` and ``CNPJ`` of an unusable request, when readable and short enough for the answer schema."""
    if payload is None:
        return "", ""
    fields = pack.shape.request_fields(payload)
    id_mensagem = fields.get("id_mensagem", "").strip()
    cnpj = fields.get("cnpj", "").strip()
    return (id_mensagem if len(id_mensagem) <= 36 else ""), (cnpj if len(cnpj) <= 14 else "")


def bad_request(codigo: str, descricao: str, id_mensagem: str = "", cnpj: str = "", http_status: int = 400) -> Outcome:
    return Outcome(Retorno(id_mensagem, cnpj, erro_codigo=codigo, erro_descricao=descricao[:500]), http_status)


def read(body: bytes, pack: ContractPack, headers: Mapping[str, str] | None = None) -> CadastroCliente | Outcome:
    """The message in ``body``, or the error answer saying (pt-BR) which element breaks which rule. ``headers``
    (when given) are checked against the binding: SOAP 1.1 requires the pack's ``SOAPAction``.

    Cheap refusals first (:mod:`homologa.server.prescan`): an encoding other than UTF-8, and a structure absurd for
    the contract, before lxml builds a tree."""
    shape = pack.shape
    label = f"contrato {pack.name}"
    foreign = prescan.foreign_encoding(body)
    if foreign is not None:
        if prescan.declares_dtd(body, foreign):
            return bad_request("XML-INSEGURO", "Pedido recusado: o documento declara DOCTYPE/ENTITY (proibido).")
        return bad_request(
            "CODIFICACAO", f"Corpo em {foreign}; regra de transporte do {label}: o corpo é XML em UTF-8."
        )
    problem = prescan.structure_problem(body)
    if problem is not None:
        return bad_request(
            "FORA-DO-CONTRATO", f"Pedido fora do {label}, estrutura recusada antes da leitura: {problem}."
        )
    try:
        root = xmlsafe.parse(body)
    except xmlsafe.UnsafeXML as exc:
        return bad_request("XML-INSEGURO", f"Pedido recusado: {exc}. Regra: o {label} proíbe DTD e entidades.")
    except xmlsafe.MalformedXML as exc:
        where = f" (linha {exc.line})" if exc.line else ""
        return bad_request("XML-MALFORMADO", f"Pedido não é XML bem-formado{where}: {exc}")
    payload: etree._Element | None
    try:
        found = shape.payload(root)
        payload = found if isinstance(found, etree._Element) else None
        problem = None if payload is not None else "o Body traz um Fault, não um pedido"
    except soap.NotAnEnvelope as exc:
        payload, problem = None, str(exc)
    encoding = root.getroottree().docinfo.encoding or "UTF-8"
    if encoding.upper().replace("_", "-") not in {"UTF-8", "UTF8"}:
        return bad_request(
            "CODIFICACAO",
            f"Codificação declarada {encoding!r}; regra de transporte do {label}: o corpo é XML em UTF-8.",
            *_echoes(pack, payload),
        )
    if shape.is_soap and headers is not None:
        action = (headers.get("SOAPAction") or "").strip().strip('"')
        if action != shape.soap_action:
            return bad_request(
                "SOAPACTION",
                f'Cabeçalho SOAPAction {action or "(ausente)"!r}; o {label} exige "{shape.soap_action}".',
                *_echoes(pack, payload),
            )
    if payload is None:
        return bad_request("FORA-DO-CONTRATO", f"Pedido fora do {label}: envelope SOAP 1.1 inválido: {problem}")
    schema = pack.request
    if not schema.is_valid(payload):
        violations = schema.validate(payload)
        first = violations[0] if violations else None
        detail = f"{first.path or '/'}: {first.reason}" if first else "documento fora do contrato"
        more = f" (e mais {len(violations) - 1} violação(ões))" if len(violations) > 1 else ""
        return bad_request(
            "FORA-DO-CONTRATO",
            f"Pedido fora do {label} ({schema.xsd_path.name}), elemento {detail}{more}",
            *_echoes(pack, payload),
        )
    try:
        return shape.read_request(payload)
    except (KeyError, ValueError) as exc:  # schema-valid documents always read; kept as a guard
        return bad_request("FORA-DO-CONTRATO", f"Pedido fora do {label}: {exc}", *_echoes(pack, payload))


@functools.cache
def _giant_tail() -> bytes:
    return b"<!-- " + b"x" * GIANT_SIZE + b" -->\n"


def render(outcome: Outcome, cfg: ServerConfig) -> Answer:
    """The answer's bytes and headers in the server's pack, with the answer-level fault switches applied."""
    shape = pack_of(cfg.contract).shape
    retorno = outcome.retorno
    if cfg.faults:
        if cfg.has("sem-eco-idmensagem"):
            retorno = dataclasses.replace(retorno, id_mensagem="")
        if cfg.has("eco-cnpj-errado"):
            other = OTHER_WRONG_CNPJ if retorno.cnpj == WRONG_CNPJ else WRONG_CNPJ
            retorno = dataclasses.replace(retorno, cnpj=other)
        if cfg.has("resposta-fora-do-schema") and retorno.status is not None:
            retorno = dataclasses.replace(retorno, status="OK")  # a word no pack's XSD accepts as a status
    rendered = shape.render_answer(retorno, outcome.http_status)
    body, content_type = rendered.body, rendered.content_type
    if cfg.faults:
        if cfg.has("resposta-fora-do-schema") and retorno.status is None:
            close = shape.answer_close_tag
            at = body.rfind(close) if close else -1
            if at >= 0:
                body = body[:at] + b"<Observacao>fora do contrato</Observacao>" + body[at:]
        match = _LAST_END_TAG.search(body)
        if cfg.has("resposta-com-doctype"):
            root_name = match.group(1).decode() if match else "resposta"
            head, _, rest = body.partition(b"\n")
            body = head + f'\n<!DOCTYPE {root_name} [<!ENTITY eco "eco">]>\n'.encode() + rest
        if cfg.has("resposta-malformada") and match:
            body = body[: match.start() + max(2, len(match.group(0).strip()) // 2)]
        if cfg.has("resposta-gigante"):
            body += _giant_tail()
        if cfg.has("content-type-errado"):
            content_type = WRONG_CONTENT_TYPE
    return Answer(rendered.http_status, content_type, body)
