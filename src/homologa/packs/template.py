"""An XML template with ``{campo}`` placeholders, compiled once into a Python function of string concatenation.

A template is the message as the pack wants it on the wire, with every logical field as the whole text of a leaf
element: ``<CNPJ>{cnpj}</CNPJ>``; ``<Complemento>{complemento?}</Complemento>`` leaves the element out when the field
is absent. Order, nesting, names, prefixes and fixed values (attributes, constant elements) are the template's.
Compiling serialises the template once with lxml and generates the same kind of function ``messages.py`` writes by
hand (escaped literals and fields joined), so rendering costs what it cost before packs (see
``docs/pacotes-de-contrato.md`` for the measurement). The generated source uses only ``repr`` of the template's
serialised text and a fixed table of field accessors: nothing of the pack is executed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from homologa import xmlsafe

PLACEHOLDER = re.compile(r"\{([a-z_]+)(\?)?\}")
_MARK = re.compile(r"@@([BFE])(\d+)@@")

# logical fields of a request: name -> accessor in the generated function (m: CadastroCliente)
REQUEST_FIELDS: dict[str, str] = {
    "id_mensagem": "m.id_mensagem",
    "data_hora_envio": "m.data_hora_envio",
    "cnpj": "c.cnpj",
    "inscricao_estadual": "c.inscricao_estadual",
    "nome": "c.nome",
    "email": "c.email",
    "telefone": "c.telefone",
    "telefone_celular": "c.telefone_celular",
    "logradouro": "e.logradouro",
    "numero": "e.numero",
    "complemento": "e.complemento",
    "bairro": "e.bairro",
    "cidade": "e.cidade",
    "estado": "e.estado",
    "cep": "e.cep",
}
REQUEST_OPTIONAL = frozenset({"telefone_celular", "complemento"})
REQUEST_PREAMBLE = "    c = m.cliente\n    e = c.endereco\n"

# logical fields of an answer (m: Retorno); the status goes out as the pack's word for it
ANSWER_FIELDS: dict[str, str] = {
    "id_mensagem": "m.id_mensagem",
    "cnpj": "m.cnpj",
    "status": "_S.get(m.status, m.status)",
    "mensagem": "m.mensagem",
    "erro_codigo": "m.erro_codigo",
    "erro_descricao": "m.erro_descricao",
}
ANSWER_OPTIONAL = frozenset({"mensagem"})


class TemplateError(ValueError):
    """The template cannot be compiled (pt-BR reason, without the file name: the caller adds it)."""


Path_ = tuple[str, ...]  # Clark names from the root's children down to the element


@dataclass(frozen=True)
class Template:
    """A compiled template: ``render(obj) -> bytes``, the root's Clark name, and where each field lives."""

    root: str
    fields: dict[str, Path_]  # field -> path of its element below the root
    render: Callable[[Any], bytes]
    source: str  # the generated function, for the curious (docs, debugging)


def compile_template(
    text: bytes,
    fields: Mapping[str, str],
    optional: frozenset[str],
    *,
    preamble: str = "",
    head: str = "",
    tail: str = "",
    constants: Mapping[str, object] | None = None,
) -> Template:
    """Compile ``text``; the output is ``head`` + the serialised template + ``tail`` (declaration, envelope)."""
    try:
        root = xmlsafe.parse(text)
    except (xmlsafe.MalformedXML, xmlsafe.UnsafeXML) as exc:
        raise TemplateError(f"modelo não é XML bem-formado e seguro: {exc}") from None
    for node in list(root.iter(etree.Comment, etree.PI)):
        parent = node.getparent()
        if parent is not None:
            _drop_keeping_tail(node, parent)
    for node in root.iter():
        if len(node) and node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    slots: list[tuple[str, bool]] = []
    where: dict[str, Path_] = {}
    for node in root.iter():
        text_ = (node.text or "").strip()
        if "{" not in text_ and "}" not in text_:
            continue
        match = PLACEHOLDER.fullmatch(text_)
        if match is None or len(node):
            raise TemplateError(
                f"elemento {etree.QName(node).localname}: um campo ocupa o texto inteiro de um elemento folha "
                f"({{campo}} ou {{campo?}}), recebeu {text_!r}"
            )
        name, is_optional = match.group(1), bool(match.group(2))
        if name not in fields:
            raise TemplateError(f"campo desconhecido {{{name}}}; conhecidos: {', '.join(fields)}")
        if name in where:
            raise TemplateError(f"campo {{{name}}} aparece mais de uma vez")
        if name in optional and not is_optional:
            raise TemplateError(f"campo {{{name}}} é opcional no modelo de dados: escreva {{{name}?}}")
        if node is root:
            raise TemplateError("o elemento raiz não pode ser um campo")
        index = len(slots)
        slots.append((name, is_optional))
        where[name] = _path_of(node)
        node.text = f"@@F{index}@@"
        if is_optional:
            previous = node.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + f"@@B{index}@@"
            else:
                parent = node.getparent()
                assert parent is not None
                parent.text = (parent.text or "") + f"@@B{index}@@"
            node.tail = f"@@E{index}@@" + (node.tail or "")
    serialised = etree.tostring(root, encoding="unicode")
    lines, parts = _expression(head + serialised + tail, slots)
    body = "\n        ".join(parts)
    extra = "".join(f", {name}={name}" for name in (constants or {}))  # locals, not globals, in the hot loop
    source = (
        f"def render(m, _e=_e{extra}):\n{preamble}{_escaping(slots, fields)}{''.join(lines)}"
        f"    return (\n        {body}\n    ).encode()\n"
    )
    scope: dict[str, Any] = {"_e": _escape, **(constants or {})}
    exec(compile(source, "<modelo de contrato>", "exec"), scope)  # generated from repr() literals only
    return Template(root.tag if isinstance(root.tag, str) else "", where, scope["render"], source)


def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape``, skipped for a field without ``&``, ``<`` or ``>`` (once one field has them, say
    a razão social with ``&``, the others mostly do not: the three replacements cost twice the three scans)."""
    if "&" in text or "<" in text or ">" in text:
        return escape(text)
    return text


def _escaping(slots: list[tuple[str, bool]], fields: Mapping[str, str]) -> str:
    """The generated lines that read each field into ``_v<i>`` and escape them all only when one holds ``&``, ``<``
    or ``>``: nearly no message does, and one scan of the fields joined cost a seventh of escaping each of them.
    The join is with ``+``, so a required field that is not text fails as ``escape`` would (TypeError)."""
    if not slots:
        return ""
    read = "".join(f"    _v{i} = {fields[name]}\n" for i, (name, _) in enumerate(slots))
    joined = " + ".join(f"(_v{i} or '')" if optional else f"_v{i}" for i, (_, optional) in enumerate(slots))
    escaped = "".join(
        f"        if _v{i} is not None:\n            _v{i} = _e(_v{i})\n"
        if optional
        else f"        _v{i} = _e(_v{i})\n"
        for i, (_, optional) in enumerate(slots)
    )
    return f"{read}    _raw = {joined}\n    if '&' in _raw or '<' in _raw or '>' in _raw:\n{escaped}"


def _drop_keeping_tail(node: etree._Element, parent: etree._Element) -> None:
    tail = node.tail
    previous = node.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def _path_of(node: etree._Element) -> Path_:
    names: list[str] = []
    current: etree._Element | None = node
    while current is not None and current.getparent() is not None:
        names.append(str(current.tag))
        current = current.getparent()
    return tuple(reversed(names))


def _expression(text: str, slots: list[tuple[str, bool]]) -> tuple[list[str], list[str]]:
    """The generated function's lines before ``return`` (one per optional element) and the pieces of its one
    f-string: adjacent literals and ``f'{...}'`` parts compile into a single string build, as a hand-written
    f-string does."""
    pieces = _MARK.split(text)  # literal, kind, index, literal, kind, index, ...
    out: list[str] = []
    lines: list[str] = []
    group: list[str] | None = None
    group_field = ""
    literal = pieces[0]
    for i in range(1, len(pieces), 3):
        kind, index, after = pieces[i], int(pieces[i + 1]), pieces[i + 2]
        value = f"_v{index}"  # read and escaped by the lines of _escaping
        if kind == "B":
            if literal:
                out.append(repr(literal))
            group, group_field = [], value
        elif kind == "F":
            target = group if group is not None else out
            if literal:
                target.append(repr(literal))
            target.append(value if group is not None else f"f'{{{value}}}'")
        else:  # E: the optional element ends
            assert group is not None
            if literal:
                group.append(repr(literal))
            name = f"_g{len(lines)}"
            lines.append(f"    {name} = '' if {group_field} is None else {' + '.join(group)}\n")
            out.append(f"f'{{{name}}}'")
            group = None
        literal = after
    if literal:
        out.append(repr(literal))
    return lines, out or ["''"]


# --- reading: one pass over the tree guided by a nested table of the paths ------------------------------------

Spec = dict[str, tuple[str | None, "Spec | None"]]


def build_spec(paths: Mapping[str, Path_]) -> Spec:
    """``{"cnpj": ("{ns}Cliente", "{ns}CNPJ")}`` -> a nested table a single walk can read."""
    spec: Spec = {}
    for name, path in paths.items():
        level = spec
        for depth, tag in enumerate(path):
            field_, below = level.get(tag, (None, None))
            last = depth == len(path) - 1
            if last:
                field_ = name
            elif below is None:
                below = {}
            level[tag] = (field_, below)
            if not last:
                assert below is not None
                level = below
    return spec


def read_fields(node: etree._Element, spec: Spec, out: dict[str, str] | None = None) -> dict[str, str]:
    """Every field ``spec`` names, found below ``node`` in one walk (first occurrence wins)."""
    found: dict[str, str] = {} if out is None else out
    for child in node:
        entry = spec.get(child.tag)
        if entry is None:
            continue
        name, below = entry
        if name is not None and name not in found:
            found[name] = child.text or ""
        if below:
            read_fields(child, below, found)
    return found
