"""Cheap checks on a request body before lxml builds a tree: its encoding, and a structure bound for contract v1.

A CadastroCliente has about 20 elements, 2 attributes and depth 4. A body with far more (an "attribute bomb" of
90,000 attributes, 30,000 repeated elements, deep nesting) is refused by one scan of its bytes, before parsing it
costs hundreds of megabytes and tens of seconds. The bounds are generous on purpose: whatever passes them is still
parsed and explained by the XSD. A body with at most ``SCAN_FROM`` '<' and ``MAX_ATTRIBUTES`` '=' is not scanned at
all (two ``bytes.count``, ~1 µs): it cannot cost lxml anything, and nesting it deeper than ``MAX_DEPTH`` is left to
the XSD.
"""

from __future__ import annotations

import codecs
import itertools
import re

MAX_TAGS = 512
MAX_ATTRIBUTES = 64
MAX_DEPTH = 16

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_WIDE = ((b"<\x00\x00\x00", "UTF-32"), (b"\x00\x00\x00<", "UTF-32"), (b"<\x00", "UTF-16"), (b"\x00<", "UTF-16"))
_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_ATTRIBUTE = re.compile(rb"""[^\s=/>"']+\s*=\s*(?:"[^"]*"|'[^']*')""")
_UTF8 = {"UTF-8", "UTF8"}
# below this many '<' (a CadastroCliente has ~40) a body is cheap for lxml whatever its shape: not scanned
SCAN_FROM = 64


def foreign_encoding(body: bytes) -> str | None:
    """The encoding of ``body`` when it is not UTF-8 (byte-order mark, wide characters, or declaration)."""
    if body.startswith(codecs.BOM_UTF8):
        declared = _DECLARED.match(body)
        name = declared.group(1).decode("ascii").upper().replace("_", "-") if declared else "UTF-8"
        return None if name in _UTF8 else name
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    for start, name in _WIDE:
        if body.startswith(start):
            return name
    declared = _DECLARED.match(body)
    if declared:
        name = declared.group(1).decode("ascii").upper().replace("_", "-")
        return None if name in _UTF8 else name
    return None


def declares_dtd(body: bytes, encoding: str) -> bool:
    """A DOCTYPE/ENTITY in the head of a body in a foreign encoding (refused as unsafe, not as an encoding)."""
    head = body[:8192]
    try:
        text = head.decode(encoding, errors="ignore")
    except LookupError:
        text = head.replace(b"\x00", b"").decode("latin-1")
    return "<!DOCTYPE" in text or "<!ENTITY" in text


def _attributes(tag: bytes) -> int:
    return sum(1 for _ in itertools.islice(_ATTRIBUTE.finditer(tag), MAX_ATTRIBUTES + 1))


def structure_problem(body: bytes) -> str | None:
    """Why ``body`` is structurally absurd for contract v1 (pt-BR), or None. One pass, no tree."""
    if body.count(b"<") > 2 * MAX_TAGS + 16:
        return f"mais de {MAX_TAGS} elementos (um CadastroCliente tem cerca de 20)"
    if body.count(b"<") <= SCAN_FROM and body.count(b"=") <= MAX_ATTRIBUTES:
        return None  # the common case, decided in C: too few tags to cost anything, too few '=' for a bomb
    tags = depth = 0
    i = body.find(b"<")
    while i >= 0:
        end = body.find(b">", i)
        if end < 0:
            return None  # unterminated: lxml explains it
        tag = body[i + 1 : end]
        if tag.startswith(b"/"):
            depth -= 1
        elif not tag.startswith((b"?", b"!")):
            tags += 1
            if tags > MAX_TAGS:
                return f"mais de {MAX_TAGS} elementos (um CadastroCliente tem cerca de 20)"
            if tag.count(b"=") > MAX_ATTRIBUTES and _attributes(tag) > MAX_ATTRIBUTES:
                return f"elemento com mais de {MAX_ATTRIBUTES} atributos"
            if not tag.endswith(b"/"):
                depth += 1
                if depth > MAX_DEPTH:
                    return f"aninhamento com mais de {MAX_DEPTH} níveis"
        i = body.find(b"<", end)
    return None
