"""Parsing XML that comes from outside: no DTD, no entities, no network, no huge trees.

Every byte string the harness did not build itself (a distributor's answer, a request reaching the reference
server) goes through :func:`parse`. A document with a DOCTYPE or an entity declaration is refused before and
after parsing, whatever its encoding.
"""

from __future__ import annotations

from typing import Any

from lxml import etree


class UnsafeXML(ValueError):
    """The document declares a DOCTYPE or entities: refused, never expanded."""


class MalformedXML(ValueError):
    """The document is not well-formed XML."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


_PARSER = _parser()
_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_HEAD = 4096


def _declares_dtd(data: bytes) -> bool:
    """A DOCTYPE/ENTITY marker anywhere in ``data``, or in its head once NUL bytes are dropped (UTF-16/32).

    Both markers start with ``<!``: one scan for that pair (absent from ordinary answers) settles the common case.
    A marker in the NUL-free head can only differ from one in ``data`` when the head holds a NUL byte.
    """
    if b"<!" in data and (_MARKERS[0] in data or _MARKERS[1] in data):
        return True
    head = data[:_HEAD]
    if b"\x00" not in head:
        return False
    head = head.replace(b"\x00", b"")
    return _MARKERS[0] in head or _MARKERS[1] in head


def parse(data: bytes) -> etree._Element:
    """Parse untrusted bytes into an element, or raise :class:`UnsafeXML` / :class:`MalformedXML`."""
    if not data or data.isspace():
        raise MalformedXML("corpo vazio")
    if _declares_dtd(data):
        raise UnsafeXML("o documento declara DOCTYPE/ENTITY (proibido: risco de XXE e de expansão de entidades)")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise MalformedXML(f"XML malformado: {exc.msg}", line) from None
    except ValueError as exc:  # e.g. unicode strings with an encoding declaration
        raise MalformedXML(f"XML malformado: {exc}") from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXML("o documento declara DOCTYPE/ENTITY (proibido: risco de XXE e de expansão de entidades)")
    return root
