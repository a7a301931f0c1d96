"""Contract packs: load one from ``contracts/<nome>/`` (or any folder) and validate messages against it.

A pack is data: ``pack.toml`` names the namespace and, for each message, its root element, its XSD and the named
checks that XSD 1.0 cannot express; its wire shape (templates, answer paths, status words, binding) is
:mod:`homologa.packs`, proven against the pack's own XSDs and examples when it loads.
:meth:`MessageSchema.validate` uses lxml's compiled schema (about 10 µs a
message, the hot path); :meth:`MessageSchema.explain` uses xmlschema for richer reasons when a person reads them.
Both return **every** violation found, as :class:`Violation` (reason, path, line).
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import xmlschema
from lxml import etree

from homologa import cnpj, xmlsafe
from homologa.packs import proof
from homologa.packs.shape import ShapeError, WireShape, load_shape
from homologa.resources import contracts_dir

DEFAULT_VERSION = "1"
MAX_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a document breaks the contract, as a person reads it."""

    reason: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f" (linha {self.line})" if self.line else ""
        return f"Motivo: {self.reason}\nCaminho: {self.path or '/'}{where}"


def format_violations(violations: Iterable[Violation], limit: int = MAX_SHOWN) -> str:
    """All violations as text, capped at ``limit`` entries with the count of the rest."""
    items = list(violations)
    shown = [str(v) for v in items[:limit]]
    if len(items) > limit:
        shown.append(f"... e mais {len(items) - limit} violação(ões)")
    return "\n\n".join(shown)


Check = Callable[[etree._Element, str], list[Violation]]
CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    """Register a named check that a pack's ``verificacoes`` can ask for."""

    def deco(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return deco


_NS_BRACES = re.compile(r"\{[^{}]*[:/][^{}]*\}")


def source_line(node: etree._Element) -> int | None:
    line = node.sourceline
    return line if isinstance(line, int) else None


def readable_path(node: etree._Element) -> str:
    """``/CadastroCliente/Cliente/CNPJ`` for an element, namespaces dropped."""
    parts = []
    current: etree._Element | None = node
    while current is not None:
        parts.append(etree.QName(current).localname)
        current = current.getparent()
    return "/" + "/".join(reversed(parts))


@register("cnpj-digitos")
def _cnpj_check_digits(root: etree._Element, namespace: str) -> list[Violation]:
    """Every ``CNPJ`` element with the right shape must carry the right check digits."""
    found = []
    for node in root.iter(f"{{{namespace}}}CNPJ"):
        value = (node.text or "").strip()
        if re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", value) and not cnpj.is_valid(value):
            found.append(
                Violation(
                    f"CNPJ {value!r} com dígitos verificadores inválidos (esperado {cnpj.check_digits(value[:12])})",
                    readable_path(node),
                    source_line(node),
                )
            )
    return found


@dataclass(frozen=True)
class MessageSchema:
    """One message of a pack: its root element, its compiled XSD and its extra checks."""

    name: str
    root: str
    namespace: str
    xsd_path: Path
    checks: tuple[str, ...]
    _lxml: etree.XMLSchema = field(repr=False, compare=False)

    @property
    def qualified_root(self) -> str:
        return f"{{{self.namespace}}}{self.root}"

    def validate(self, doc: etree._Element | bytes) -> list[Violation]:
        """Every violation of ``doc`` (bytes are parsed with the hardened parser). Empty means valid."""
        if isinstance(doc, bytes):
            try:
                doc = xmlsafe.parse(doc)
            except xmlsafe.MalformedXML as exc:
                return [Violation(str(exc), "/", exc.line)]
            except xmlsafe.UnsafeXML as exc:
                return [Violation(str(exc), "/")]
        if doc.tag != self.qualified_root:
            qname = etree.QName(doc)
            return [
                Violation(
                    f"elemento raiz {qname.localname!r} no namespace {qname.namespace or '(nenhum)'!r}; "
                    f"esperado {self.root!r} no namespace {self.namespace!r}",
                    "/" + qname.localname,
                    source_line(doc),
                )
            ]
        found: list[Violation] = []
        if not self._lxml.validate(doc):
            tree = doc.getroottree()
            for entry in cast(Iterable[Any], self._lxml.error_log):
                node = _resolve(tree, entry.path)
                path = readable_path(node) if node is not None else _NS_BRACES.sub("", entry.path or "/")
                line = (source_line(node) if node is not None else None) or entry.line or None
                found.append(Violation(_clean_message(entry.message), path, line))
        for check in self.checks:
            found.extend(CHECKS[check](doc, self.namespace))
        return found

    def is_valid(self, doc: etree._Element) -> bool:
        """Fast yes/no on a parsed document (the hot path under load)."""
        if doc.tag != self.qualified_root or not self._lxml.validate(doc):
            return False
        return not any(CHECKS[check](doc, self.namespace) for check in self.checks)

    def explain(self, data: bytes) -> list[Violation]:
        """Every violation with xmlschema's richer reasons (slower: ~1 ms; for reports, not for load)."""
        try:
            doc = xmlsafe.parse(data)
        except (xmlsafe.MalformedXML, xmlsafe.UnsafeXML):
            return self.validate(data)
        schema = _xmlschema(self.xsd_path)
        found = []
        for error in schema.iter_errors(etree.ElementTree(doc)):
            elem = error.elem
            line = source_line(elem) if isinstance(elem, etree._Element) else None
            reason = _NS_BRACES.sub("", error.reason or str(error.message))
            found.append(Violation(reason, _clean_path(error.path or ""), line))
        if doc.tag == self.qualified_root:
            for check in self.checks:
                found.extend(CHECKS[check](doc, self.namespace))
        return found


@functools.lru_cache(maxsize=8)
def _xmlschema(path: Path) -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(path))


def _clean_message(message: str) -> str:
    message = _NS_BRACES.sub("", message)
    return message.replace("Element '", "Elemento '").strip()


def _resolve(tree: etree._ElementTree, path: str | None) -> etree._Element | None:
    """The element an lxml error path (``/*/*[3]``) points at, when it can be found."""
    if not path:
        return None
    try:
        nodes = tree.xpath(path)
    except etree.XPathError:
        return None
    if isinstance(nodes, list) and nodes and isinstance(nodes[0], etree._Element):
        return nodes[0]
    return None


def _clean_path(path: str | None) -> str:
    """xmlschema paths use prefixes or ``{namespace}``: keep local names only."""
    if not path:
        return "/"
    path = _NS_BRACES.sub("", path)
    return re.sub(r"(?<=/)[A-Za-z_][\w.-]*:", "", path) or "/"


@dataclass(frozen=True)
class ContractPack:
    """A loaded contract pack: its version, namespace, request and answer schemas, wire shape and fingerprint."""

    version: str
    namespace: str
    folder: Path
    request: MessageSchema
    answer: MessageSchema
    shape: WireShape

    @property
    def name(self) -> str:
        """The pack's folder name (``v1``, ``v1-soap``), as runs and reports name it."""
        return self.folder.name

    @property
    def sha256(self) -> str:
        """Hash of every file of the pack (name and content), stable across machines."""
        digest = hashlib.sha256()
        for path in sorted(p for p in self.folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(self.folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()


class ContractPackError(ValueError):
    """The pack folder is missing or inconsistent: one pt-BR line naming the file."""


def _message(folder: Path, namespace: str, name: str, spec: dict[str, object]) -> MessageSchema:
    try:
        root = str(spec["raiz"])
        xsd_path = folder / str(spec["xsd"])
        checks = tuple(str(c) for c in spec.get("verificacoes", []))  # type: ignore[attr-defined]
    except KeyError as exc:
        raise ContractPackError(f"{folder / 'pack.toml'}: mensagem {name!r} sem a chave {exc}") from None
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise ContractPackError(
            f"{folder / 'pack.toml'}: verificação desconhecida {unknown} (conhecidas: {sorted(CHECKS)})"
        )
    try:
        compiled = etree.XMLSchema(etree.parse(str(xsd_path)))
    except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise ContractPackError(f"{xsd_path}: XSD ilegível: {exc}") from None
    return MessageSchema(name, root, namespace, xsd_path, checks, compiled)


def pack_folder(contract: str | Path = DEFAULT_VERSION) -> Path:
    """Where ``contract`` lives: a folder path, or a name under ``contracts/`` (``1``, ``v1``, ``v1-soap``)."""
    if isinstance(contract, Path):
        return contract
    text = str(contract).strip()
    if "/" in text or "\\" in text or text.startswith("."):
        return Path(text)
    shipped = contracts_dir()
    for candidate in (text, f"v{text}"):
        if (shipped / candidate / "pack.toml").is_file():
            return shipped / candidate
    return shipped / text


def available_packs() -> list[str]:
    """The names of the packs shipped under ``contracts/``."""
    return sorted(p.parent.name for p in contracts_dir().glob("*/pack.toml"))


def load_pack(version: str | Path = DEFAULT_VERSION) -> ContractPack:
    """Load a pack by name (``1``, ``v1``, ``v1-soap``) or folder, and check its wire shape against its own XSDs and
    examples. Any inconsistency is a :class:`ContractPackError` with one pt-BR line naming the file."""
    folder = pack_folder(version)
    manifest = folder / "pack.toml"
    if not manifest.is_file():
        known = ", ".join(available_packs())
        raise ContractPackError(f"pacote de contrato não encontrado: {manifest} (pacotes disponíveis: {known})")
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContractPackError(f"{manifest}: TOML inválido: {exc}") from None
    try:
        namespace = str(data["namespace"])
        messages = data["mensagens"]
        request = _message(folder, namespace, "pedido", messages["pedido"])
        answer = _message(folder, namespace, "resposta", messages["resposta"])
        version_ = str(data["versao"])
    except KeyError as exc:
        raise ContractPackError(f"{manifest}: chave obrigatória ausente: {exc}") from None
    try:
        shape = load_shape(folder, data, namespace)
    except ShapeError as exc:
        raise ContractPackError(str(exc)) from None
    pack = ContractPack(version_, namespace, folder, request, answer, shape)
    try:
        proof.check_shape(pack, messages["pedido"], messages["resposta"])
        if "wsdl" in data:
            proof.check_wsdl(pack, folder / str(data["wsdl"]))
    except ShapeError as exc:
        raise ContractPackError(str(exc)) from None
    return pack
