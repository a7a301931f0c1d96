"""SOAP 1.1 as a binding: the envelope around a contract message, and a ``Fault`` read as an error."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_E = f"{{{ENVELOPE_NS}}}"
ENVELOPE = _E + "Envelope"
BODY = _E + "Body"
HEADER = _E + "Header"
FAULT = _E + "Fault"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="{ENVELOPE_NS}"><soap:Body>'
TAIL = "</soap:Body></soap:Envelope>\n"


@dataclass(frozen=True, slots=True)
class Fault:
    """A SOAP 1.1 ``Fault``: ``faultcode`` and ``faultstring`` as the distributor wrote them."""

    code: str
    string: str


class NotAnEnvelope(ValueError):
    """The document is not a SOAP 1.1 envelope with one element in its ``Body`` (pt-BR reason)."""


def payload(root: etree._Element) -> etree._Element | Fault:
    """The one element in the envelope's ``Body`` (or its ``Fault``); :class:`NotAnEnvelope` otherwise."""
    if root.tag != ENVELOPE:
        qname = etree.QName(root)
        raise NotAnEnvelope(
            f"elemento raiz {qname.localname!r} no namespace {qname.namespace or '(nenhum)'!r}; esperado Envelope "
            f"no namespace {ENVELOPE_NS!r} (SOAP 1.1)"
        )
    body = None
    for child in root:
        if child.tag == BODY:
            body = child
            break
        if child.tag != HEADER and isinstance(child.tag, str):
            raise NotAnEnvelope(f"elemento {etree.QName(child).localname!r} no Envelope; esperado Header ou Body")
    if body is None:
        raise NotAnEnvelope("Envelope SOAP sem Body")
    elements = [child for child in body if isinstance(child.tag, str)]
    if len(elements) != 1:
        raise NotAnEnvelope(f"o Body do envelope SOAP tem {len(elements)} elementos; esperado exatamente 1")
    element = elements[0]
    if element.tag == FAULT:
        return Fault((element.findtext("faultcode") or "").strip(), (element.findtext("faultstring") or "").strip())
    return element


def render_fault(code: str, string: str) -> bytes:
    """A SOAP 1.1 Fault envelope (sent with HTTP 500)."""
    return (
        f"{HEAD}<soap:Fault><faultcode>{escape(code)}</faultcode><faultstring>{escape(string)}</faultstring>"
        f"</soap:Fault>{TAIL}"
    ).encode()
