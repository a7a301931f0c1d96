"""Bytes in, bytes out: a request body becomes a :class:`CadastroCliente` or a 400 answer; an :class:`Outcome`
becomes the answer's bytes, with the answer-level fault switches applied."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from lxml import etree

from homologa import xmlsafe
from homologa.contract import ContractPack
from homologa.messages import NAMESPACE, read_request, render_answer
from homologa.model import CadastroCliente, Retorno
from homologa.server import prescan
from homologa.server.business import Outcome
from homologa.server.config import ServerConfig

XML_CONTENT_TYPE = "application/xml; charset=UTF-8"
WRONG_CONTENT_TYPE = "text/html; charset=UTF-8"
GIANT_SIZE = 8 << 20
WRONG_CNPJ = "11222333000181"
OTHER_WRONG_CNPJ = "11444777000161"
_N = f"{{{NAMESPACE}}}"


@dataclass(frozen=True, slots=True)
class Answer:
    http_status: int
    content_type: str
    body: bytes


def _echo(root: etree._Element, path: str, limit: int) -> str:
    node = root.find(path)
    text = (node.text or "").strip() if node is not None else ""
    return text if len(text) <= limit else ""


def _echoes(root: etree._Element) -> tuple[str, str]:
    """``IdMensagem`` and ``CNPJ`` of an unusable request, when readable and short enough for the answer schema."""
    return _echo(root, _N + "IdMensagem", 36), _echo(root, f"{_N}Cliente/{_N}CNPJ", 14)


def bad_request(codigo: str, descricao: str, id_mensagem: str = "", cnpj: str = "", http_status: int = 400) -> Outcome:
    return Outcome(Retorno(id_mensagem, cnpj, erro_codigo=codigo, erro_descricao=descricao[:500]), http_status)


def read(body: bytes, pack: ContractPack) -> CadastroCliente | Outcome:
    """The message in ``body``, or the 400 answer saying (pt-BR) which element breaks which rule.

    Cheap refusals first (:mod:`homologa.server.prescan`): an encoding other than UTF-8, and a structure absurd for
    contract v1, before lxml builds a tree."""
    foreign = prescan.foreign_encoding(body)
    if foreign is not None:
        if prescan.declares_dtd(body, foreign):
            return bad_request("XML-INSEGURO", "Pedido recusado: o documento declara DOCTYPE/ENTITY (proibido).")
        return bad_request(
            "CODIFICACAO", f"Corpo em {foreign}; regra de transporte do contrato v1: o corpo é XML em UTF-8."
        )
    problem = prescan.structure_problem(body)
    if problem is not None:
        return bad_request(
            "FORA-DO-CONTRATO", f"Pedido fora do contrato v1, estrutura recusada antes da leitura: {problem}."
        )
    try:
        root = xmlsafe.parse(body)
    except xmlsafe.UnsafeXML as exc:
        return bad_request("XML-INSEGURO", f"Pedido recusado: {exc}. Regra: o contrato v1 proíbe DTD e entidades.")
    except xmlsafe.MalformedXML as exc:
        where = f" (linha {exc.line})" if exc.line else ""
        return bad_request("XML-MALFORMADO", f"Pedido não é XML bem-formado{where}: {exc}")
    encoding = root.getroottree().docinfo.encoding or "UTF-8"
    if encoding.upper().replace("_", "-") not in {"UTF-8", "UTF8"}:
        return bad_request(
            "CODIFICACAO",
            f"Codificação declarada {encoding!r}; regra de transporte do contrato v1: o corpo é XML em UTF-8.",
            *_echoes(root),
        )
    schema = pack.request
    if not schema.is_valid(root):
        violations = schema.validate(root)
        first = violations[0] if violations else None
        detail = f"{first.path or '/'}: {first.reason}" if first else "documento fora do contrato"
        more = f" (e mais {len(violations) - 1} violação(ões))" if len(violations) > 1 else ""
        return bad_request(
            "FORA-DO-CONTRATO",
            f"Pedido fora do contrato v1 ({schema.xsd_path.name}), elemento {detail}{more}",
            *_echoes(root),
        )
    try:
        return read_request(root)
    except (KeyError, ValueError) as exc:  # schema-valid documents always read; kept as a guard
        return bad_request("FORA-DO-CONTRATO", f"Pedido fora do contrato v1: elemento {exc} ausente", *_echoes(root))


@functools.cache
def _giant_tail() -> bytes:
    return b"<!-- " + b"x" * GIANT_SIZE + b" -->\n"


def render(outcome: Outcome, cfg: ServerConfig) -> Answer:
    """The answer's bytes and headers, with the answer-level fault switches applied."""
    retorno = outcome.retorno
    if cfg.faults:
        if cfg.has("sem-eco-idmensagem"):
            retorno = dataclasses.replace(retorno, id_mensagem="")
        if cfg.has("eco-cnpj-errado"):
            other = OTHER_WRONG_CNPJ if retorno.cnpj == WRONG_CNPJ else WRONG_CNPJ
            retorno = dataclasses.replace(retorno, cnpj=other)
    body = render_answer(retorno)
    content_type = XML_CONTENT_TYPE
    if cfg.faults:
        if cfg.has("resposta-fora-do-schema"):
            if retorno.status is not None:
                body = body.replace(f"<Status>{retorno.status}</Status>".encode(), b"<Status>OK</Status>", 1)
            else:
                body = body.replace(
                    b"</RetornoCadastroCliente>", b"<Observacao>fora do contrato</Observacao></RetornoCadastroCliente>"
                )
        if cfg.has("resposta-com-doctype"):
            head, _, rest = body.partition(b"\n")
            body = head + b'\n<!DOCTYPE RetornoCadastroCliente [<!ENTITY eco "eco">]>\n' + rest
        if cfg.has("resposta-malformada"):
            body = body[: body.rindex(b"</RetornoCadastroCliente>") + 12]
        if cfg.has("resposta-gigante"):
            body += _giant_tail()
        if cfg.has("content-type-errado"):
            content_type = WRONG_CONTENT_TYPE
    return Answer(outcome.http_status, content_type, body)
