"""Checking one answer under load, with the same failure categories (pt-BR) as the contract suite.

Order of the checks: transport, HTTP status, Content-Type, size, well-formedness/safety, schema (on the sampled
answers), ``Erro`` element, echo (R4), status (R1 for new customers, R2 for re-sends). Status and echo are checked on
every answer; only the compiled-XSD validation can be sampled (see ``validate``).

Failure details are low-cardinality on purpose: Locust groups its failure table by message, so a detail never
carries a CNPJ or an id, and what the ERP chooses (its ``Erro`` code, its Content-Type) is named for the first
:data:`MAX_NAMED` distinct values only, the rest as "(outro)": an ERP that puts a protocol number in every error
cannot grow the master's failure table with the number of customers.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from homologa import xmlsafe
from homologa.categories import (
    ANSWER_CATEGORIES,
    ECO_DIVERGENTE,
    ERRO_RETORNADO,
    FALHA_DE_TRANSPORTE,
    RESPOSTA_INSEGURA,
    RESPOSTA_INVALIDA,
    STATUS_DIVERGENTE,
)
from homologa.contract import MessageSchema, load_pack
from homologa.model import STATUS_KNOWN, STATUS_NEW, STATUSES
from homologa.packs import soap
from homologa.packs.shape import WireShape

CATEGORIES = ANSWER_CATEGORIES

XML_MEDIA_TYPES = frozenset({"application/xml", "text/xml"})
MAX_ANSWER_BYTES = 1 << 20  # an answer is a few hundred bytes; beyond 1 MiB it is refused unread
MAX_NAMED = 50  # distinct ERP-chosen values (error codes, Content-Types) named in failure details, per process
_named: dict[str, set[str]] = {}


def named(kind: str, value: str) -> str:
    """``value`` if it is one of the first :data:`MAX_NAMED` distinct values of ``kind`` seen, else "(outro)"."""
    seen = _named.setdefault(kind, set())
    if value in seen or len(seen) < MAX_NAMED:
        seen.add(value)
        return value
    return "(outro)"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict on one answer: ``category`` is None when it passed; ``status`` is what the ERP said."""

    category: str | None = None
    status: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.category is None

    @property
    def message(self) -> str:
        """``categoria: detalhe``, as Locust's failure table shows it."""
        return f"{self.category}: {self.detail}" if self.detail else str(self.category)


_PASSED = {status: Outcome(None, status=status) for status in STATUSES}  # immutable: shared by every passing answer


def unverifiable(exc: Exception) -> Outcome:
    """The outcome of an answer whose check raised (a bug of the harness, not a verdict on the ERP): it counts as not
    verified, so the burst cannot pass on it, and it is recorded, so the burst still ends (an exception left the
    customer unconfirmed and the run waiting for ever). The traceback is logged once per exception type."""
    name = type(exc).__name__
    if name not in _logged:
        _logged.add(name)
        logging.getLogger("homologa.carga").error("erro interno do homologa ao verificar uma resposta", exc_info=exc)
    return Outcome(RESPOSTA_INVALIDA, detail=f"resposta que o homologa não conseguiu verificar ({name}): relate o caso")


_logged: set[str] = set()


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


_MEDIA_CACHE = 64  # an ERP sends one or two Content-Type strings: remembered, not split and lowered per answer
_media_of: dict[str | None, str] = {}


def _cached_media_type(content_type: str | None) -> str:
    found = _media_of.get(content_type)
    if found is None:
        found = media_type(content_type)
        if len(_media_of) < _MEDIA_CACHE:
            _media_of[content_type] = found
    return found


@functools.cache
def _default_shape() -> WireShape:
    return load_pack().shape


def check_answer(
    *,
    http_status: int,
    content_type: str | None,
    body: bytes | None,
    id_mensagem: str,
    cnpj: str,
    resend: bool,
    schema: MessageSchema,
    validate: bool = True,
    transport_error: str | None = None,
    shape: WireShape | None = None,
) -> Outcome:
    """The outcome of one answer to a ``CadastroCliente`` with ``id_mensagem``/``cnpj`` (a re-send when ``resend``),
    read through the pack's wire ``shape`` (v1's by default)."""
    shape = shape or _default_shape()
    if transport_error is not None or http_status == 0:
        return Outcome(FALHA_DE_TRANSPORTE, detail=transport_error or "sem resposta")
    if http_status != 200:
        if 200 <= http_status < 300:
            return Outcome(RESPOSTA_INVALIDA, detail=f"HTTP {http_status} (esperado 200)")
        return Outcome(ERRO_RETORNADO, detail=f"HTTP {http_status}")
    accepted = shape.answer_media_types
    if content_type not in accepted and _cached_media_type(content_type) not in accepted:
        return Outcome(RESPOSTA_INVALIDA, detail=f"Content-Type {named('ct', media_type(content_type)) or '(ausente)'}")
    data = body or b""
    if len(data) > MAX_ANSWER_BYTES:
        return Outcome(RESPOSTA_INVALIDA, detail="resposta maior que 1 MiB")
    try:
        root = xmlsafe.parse(data)
    except xmlsafe.UnsafeXML:
        return Outcome(RESPOSTA_INSEGURA, detail="DOCTYPE/ENTITY na resposta")
    except xmlsafe.MalformedXML:
        return Outcome(RESPOSTA_INVALIDA, detail="XML malformado")
    try:
        payload = shape.payload(root)
    except soap.NotAnEnvelope:
        return Outcome(RESPOSTA_INVALIDA, detail="fora do envelope SOAP 1.1")
    if isinstance(payload, soap.Fault):
        return Outcome(ERRO_RETORNADO, detail="Fault SOAP")
    if validate:
        if not schema.is_valid(payload):  # is_valid also compares the root element
            return Outcome(RESPOSTA_INVALIDA, detail=f"fora do schema {schema.root}")
    elif payload.tag != schema.qualified_root:
        return Outcome(RESPOSTA_INVALIDA, detail="elemento raiz inesperado")
    fields = shape.answer_fields(payload)
    if "erro" in fields or "erro_codigo" in fields:
        code = named("erro", fields.get("erro_codigo", "").strip()[:20])
        return Outcome(ERRO_RETORNADO, detail=f"Erro código {code}" if code else "elemento Erro")
    if fields.get("id_mensagem", "").strip() != id_mensagem:
        return Outcome(ECO_DIVERGENTE, detail="IdMensagem não ecoado")
    if fields.get("cnpj", "").strip() != cnpj:
        return Outcome(ECO_DIVERGENTE, detail="CNPJ não ecoado")
    status = shape.status_of(fields.get("status"))
    if status not in STATUSES:
        return Outcome(RESPOSTA_INVALIDA, status=status, detail="Status ausente ou desconhecido")
    if resend and status not in STATUS_KNOWN:
        return Outcome(STATUS_DIVERGENTE, status=status, detail=f"reenvio recebeu {status} (esperado APV ou RPV)")
    if not resend and status != STATUS_NEW:
        return Outcome(STATUS_DIVERGENTE, status=status, detail=f"cliente novo recebeu {status} (esperado PEN)")
    return _PASSED[status]
