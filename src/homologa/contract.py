"""Contract packs: load one from ``contracts/vN/`` and validate messages against it.

A pack is data: ``pack.toml`` names the namespace and, for each message, its root element, its XSD and the named
checks that XSD 1.0 cannot express. :meth:`MessageSchema.validate` uses lxml's compiled schema (about 10 µs a
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
from homologa.model import STATUSES, CadastroCliente, Cliente, Endereco, Retorno
from homologa.packs import soap
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
    _check_shape(pack, messages["pedido"], messages["resposta"])
    if "wsdl" in data:
        _check_wsdl(pack, folder / str(data["wsdl"]))
    return pack


WSDL_SOAP = "{http://schemas.xmlsoap.org/wsdl/soap/}"
WSDL = "{http://schemas.xmlsoap.org/wsdl/}"


def _check_wsdl(pack: ContractPack, path: Path) -> None:
    """The WSDL a SOAP pack ships agrees with the pack: its operation's soapAction and its message elements."""
    try:
        root = xmlsafe.parse(path.read_bytes())
    except OSError:
        raise ContractPackError(f"{path}: WSDL não encontrado") from None
    except (xmlsafe.MalformedXML, xmlsafe.UnsafeXML) as exc:
        raise ContractPackError(f"{path}: WSDL ilegível: {exc}") from None
    actions = {node.get("soapAction") for node in root.iter(f"{WSDL_SOAP}operation")}
    if pack.shape.soap_action not in actions:
        raise ContractPackError(
            f"{path}: nenhuma operação com soapAction {pack.shape.soap_action!r} (o transporte.soap_action do pacote)"
        )
    elements = set()
    for part in root.iter(f"{WSDL}part"):
        prefix, _, local = (part.get("element") or "").rpartition(":")
        elements.add((part.nsmap.get(prefix or None), local))
    for schema in (pack.request, pack.answer):
        if (schema.namespace, schema.root) not in elements:
            raise ContractPackError(f"{path}: nenhuma wsdl:part com o elemento {schema.root} de {schema.namespace}")


# --- the loader's proof that the shape and the XSDs agree --------------------------------------------------------

SAMPLE = CadastroCliente(
    id_mensagem="0f8fad5b-d9cb-469f-a165-70867728950e",
    data_hora_envio="2026-12-02T10:00:00-03:00",
    cliente=Cliente(
        cnpj="11222333000181",
        inscricao_estadual="123456789",
        nome="Mercado Exemplo & Filhos <Ltda>",
        email="compras@exemplo.com.br",
        telefone="1133334444",
        telefone_celular="11987654321",
        endereco=Endereco("Rua das Flores", "100", "Centro", "São Paulo", "SP", "01001000", "Sala 2"),
    ),
)
SAMPLE_MINIMAL = CadastroCliente(
    SAMPLE.id_mensagem,
    SAMPLE.data_hora_envio,
    SAMPLE.cliente.replace(telefone_celular=None).with_address(complemento=None),
)


def _parsed_payload(pack: ContractPack, data: bytes, where: Path) -> etree._Element | soap.Fault:
    try:
        return pack.shape.payload(xmlsafe.parse(data))
    except (xmlsafe.MalformedXML, xmlsafe.UnsafeXML, soap.NotAnEnvelope) as exc:
        raise ContractPackError(f"{where}: saída ilegível: {exc}") from None


def _first(violations: list[Violation]) -> str:
    first = violations[0]
    more = f" (e mais {len(violations) - 1})" if len(violations) > 1 else ""
    return f"{first.path}: {first.reason}{more}"


def _check_shape(pack: ContractPack, request_spec: dict[str, Any], answer_spec: dict[str, Any]) -> None:
    """Prove the shape and the XSDs agree (templates' output valid and read back, paths found in the examples)."""
    shape, folder = pack.shape, pack.folder
    request_file = folder / str(request_spec.get("modelo"))
    if shape.request.root != pack.request.qualified_root:
        raise ContractPackError(
            f"{request_file}: raiz do modelo {shape.request.root!r}; o pacote declara {pack.request.qualified_root!r}"
        )
    for sample in (SAMPLE, SAMPLE_MINIMAL):
        payload = _parsed_payload(pack, shape.render_request(sample), request_file)
        if isinstance(payload, soap.Fault):
            raise ContractPackError(f"{request_file}: o modelo gera um Fault SOAP, não um pedido")
        violations = pack.request.validate(payload)
        if violations:
            raise ContractPackError(
                f"{request_file}: a saída do modelo não passa no XSD {pack.request.xsd_path.name}: {_first(violations)}"
            )
        if shape.read_request(payload) != sample:
            raise ContractPackError(f"{request_file}: a saída do modelo não relê os mesmos campos")
    examples = answer_spec.get("exemplos", [])
    if not isinstance(examples, list) or not examples:
        raise ContractPackError(
            f"{folder / 'pack.toml'}: [mensagens.resposta] exemplos deve listar ao menos um arquivo"
        )
    found: set[str] = set()
    for name in examples:
        path = folder / str(name)
        try:
            data = path.read_bytes()
        except OSError:
            raise ContractPackError(f"{path}: exemplo não encontrado") from None
        payload = _parsed_payload(pack, data, path)
        if isinstance(payload, soap.Fault):
            continue  # a Fault is the binding's error; the paths are read inside the contract's answer
        violations = pack.answer.validate(payload)
        if violations:
            raise ContractPackError(f"{path}: exemplo fora do XSD {pack.answer.xsd_path.name}: {_first(violations)}")
        found.update(shape.answer_fields(payload))
    for name, path_ in shape.answer_paths.items():
        if name not in found:
            shown = "/".join(etree.QName(p).localname for p in path_)
            raise ContractPackError(
                f"{folder / 'pack.toml'}: o caminho {name} = {shown!r} não encontra nada nos exemplos do pacote "
                f"({', '.join(str(e) for e in examples)})"
            )
    answer_file = folder / str(answer_spec.get("modelo"))
    error_file = folder / str(answer_spec.get("modelo_erro"))
    answers = [
        (answer_file, Retorno(SAMPLE.id_mensagem, SAMPLE.cliente.cnpj, status=code, mensagem=message))
        for code in sorted(STATUSES)
        for message in ("Cliente recebido & em análise", None)
    ]
    answers.append(
        (error_file, Retorno(SAMPLE.id_mensagem, SAMPLE.cliente.cnpj, erro_codigo="E01", erro_descricao="<falha>"))
    )
    for where, sample_answer in answers:
        payload = _parsed_payload(pack, shape.render_answer(sample_answer).body, where)
        if isinstance(payload, soap.Fault):
            raise ContractPackError(f"{where}: o modelo gera um Fault SOAP, não uma resposta")
        violations = pack.answer.validate(payload)
        if violations:
            raise ContractPackError(
                f"{where}: a saída do modelo não passa no XSD {pack.answer.xsd_path.name}: {_first(violations)}"
            )
        read = shape.read_answer(payload)
        if "mensagem" not in shape.answer_paths:
            read = Retorno(
                read.id_mensagem, read.cnpj, read.status, sample_answer.mensagem, read.erro_codigo, read.erro_descricao
            )
        if read != sample_answer:
            wrong = [
                f
                for f in ("id_mensagem", "cnpj", "status", "mensagem", "erro_codigo", "erro_descricao")
                if getattr(read, f) != getattr(sample_answer, f)
            ]
            raise ContractPackError(
                f"{where}: os caminhos de [mensagens.resposta.caminhos] não releem da saída do modelo: "
                + ", ".join(wrong)
            )
