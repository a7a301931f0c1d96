"""A pack's wire shape: how a message is written and read on the wire, loaded from ``pack.toml`` and its templates.

``pack.toml`` (data only) says, besides the XSDs:

- ``[transporte]``: the binding (``vinculo = "xml"``, a plain POST, or ``"soap11"``, a SOAP 1.1 envelope with
  ``soap_action``), the request's ``content_type`` and the answer's accepted ``tipos_resposta``;
- ``[mensagens.pedido] modelo``: the request template (see :mod:`homologa.packs.template`);
- ``[mensagens.resposta] modelo``/``modelo_erro``: the answer templates the reference distributor writes,
  ``exemplos``: example answers, ``caminhos``: where each answer field lives (``Erro/Codigo``: local names in the
  pack's namespace, below the answer's root), ``status``: the pack's word for each of PEN, APV and RPV.

:func:`load_shape` builds it; :mod:`homologa.contract` then checks it against the pack's XSDs and examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from homologa import xmlsafe
from homologa.model import STATUSES, CadastroCliente, Cliente, Endereco, Retorno
from homologa.packs import soap, template
from homologa.packs.template import Spec, Template, TemplateError

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
BINDINGS = ("xml", "soap11")
ANSWER_PATHS = ("id_mensagem", "cnpj", "status", "mensagem", "erro", "erro_codigo", "erro_descricao")
REQUIRED_PATHS = ("id_mensagem", "cnpj", "status", "erro_codigo", "erro_descricao")


class ShapeError(ValueError):
    """The pack's wire shape is inconsistent: one pt-BR line naming the file."""


@dataclass(frozen=True)
class Rendered:
    """An answer as the distributor sends it."""

    http_status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class WireShape:
    """Rendering and reading a pack's messages on the wire."""

    binding: str
    request_content_type: str
    answer_content_type: str
    answer_media_types: frozenset[str]
    soap_action: str | None
    request: Template
    answer: Template
    error: Template
    answer_paths: dict[str, tuple[str, ...]]
    status_words: dict[str, str]  # PEN/APV/RPV -> the pack's word
    status_from: dict[str, str] = field(init=False)  # the pack's word -> PEN/APV/RPV
    _request_spec: Spec = field(init=False, repr=False)
    _answer_spec: Spec = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status_from", {word: code for code, word in self.status_words.items()})
        object.__setattr__(self, "_request_spec", template.build_spec(self.request.fields))
        object.__setattr__(self, "_answer_spec", template.build_spec(self.answer_paths))

    # --- requests ---------------------------------------------------------------------------------------------

    @property
    def is_soap(self) -> bool:
        return self.binding == "soap11"

    def render_request(self, message: CadastroCliente) -> bytes:
        return self.request.render(message)

    def request_headers(self) -> dict[str, str]:
        headers = {"Content-Type": self.request_content_type}
        if self.soap_action is not None:
            headers["SOAPAction"] = f'"{self.soap_action}"'
        return headers

    def request_body(self, message: CadastroCliente, spelled: bytes | None) -> bytes:
        """``spelled`` (a golden file's own bytes, a contract-v1 document) in this binding when it is this pack's
        request; otherwise ``message`` rendered by the pack (the golden's spelling is another format's)."""
        if spelled is None:
            return self.render_request(message)
        try:
            root = xmlsafe.parse(spelled)
        except (xmlsafe.MalformedXML, xmlsafe.UnsafeXML):
            return spelled  # sent as it is: the suite meant to send it
        if root.tag != self.request.root:
            return self.render_request(message)
        if not self.is_soap:
            return spelled
        document = spelled.decode("utf-8")
        if document.startswith("<?xml"):
            document = document[document.index("?>") + 2 :].lstrip()
        return (soap.HEAD + document.rstrip() + soap.TAIL).encode()

    def payload(self, root: etree._Element) -> etree._Element | soap.Fault:
        """The contract message in a parsed document (unwrapped from the SOAP envelope)."""
        return soap.payload(root) if self.is_soap else root

    def request_fields(self, payload: etree._Element) -> dict[str, str]:
        return template.read_fields(payload, self._request_spec)

    def read_request(self, payload: etree._Element) -> CadastroCliente:
        """A schema-valid request as data (``ValueError`` naming a missing field, as a guard)."""
        f = self.request_fields(payload)

        def req(name: str) -> str:
            if name not in f:
                raise ValueError(f"campo {name} ausente")
            return f[name]

        return CadastroCliente(
            id_mensagem=req("id_mensagem"),
            data_hora_envio=req("data_hora_envio"),
            cliente=Cliente(
                cnpj=req("cnpj"),
                inscricao_estadual=req("inscricao_estadual"),
                nome=req("nome"),
                email=req("email"),
                telefone=req("telefone"),
                telefone_celular=f.get("telefone_celular"),
                endereco=Endereco(
                    logradouro=req("logradouro"),
                    numero=req("numero"),
                    complemento=f.get("complemento"),
                    bairro=req("bairro"),
                    cidade=req("cidade"),
                    estado=req("estado"),
                    cep=req("cep"),
                ),
            ),
        )

    # --- answers ----------------------------------------------------------------------------------------------

    def render_answer(self, answer: Retorno, http_status: int = 200) -> Rendered:
        """The answer's bytes: an error with a non-200 status is a SOAP Fault (HTTP 500) in the SOAP binding."""
        if answer.is_error:
            if self.is_soap and http_status != 200:
                code = "soap:Client" if 400 <= http_status < 500 else "soap:Server"
                body = soap.render_fault(code, f"{answer.erro_codigo}: {answer.erro_descricao}")
                return Rendered(500, self.answer_content_type, body)
            return Rendered(http_status, self.answer_content_type, self.error.render(answer))
        return Rendered(http_status, self.answer_content_type, self.answer.render(answer))

    @property
    def answer_close_tag(self) -> bytes:
        """The end tag of the answer's root element as the templates write it (for the server's fault switches)."""
        return _close_tag(self.answer.source)

    def answer_fields(self, payload: etree._Element) -> dict[str, str]:
        """The answer's fields (raw text) in one walk; ``erro`` is present when the error element is."""
        return template.read_fields(payload, self._answer_spec)

    def status_of(self, word: str | None) -> str | None:
        """The pack's status word as PEN/APV/RPV (an unknown word is returned as it came)."""
        if word is None:
            return None
        word = word.strip()
        return self.status_from.get(word, word)

    def read_answer(self, payload: etree._Element | soap.Fault) -> Retorno:
        if isinstance(payload, soap.Fault):
            return Retorno("", "", erro_codigo=payload.code, erro_descricao=payload.string)
        f = self.answer_fields(payload)
        is_error = "erro" in f or "erro_codigo" in f
        return Retorno(
            id_mensagem=f.get("id_mensagem", "").strip(),
            cnpj=f.get("cnpj", "").strip(),
            status=self.status_of(f.get("status")),
            mensagem=f.get("mensagem"),
            erro_codigo=f.get("erro_codigo", "") if is_error else None,
            erro_descricao=f.get("erro_descricao", "") if is_error else None,
        )


def _close_tag(source: str) -> bytes:
    """The last end tag before the tail of a generated render function's literal text."""
    import re

    tags = re.findall(r"</([\w.:-]+)>", source)
    names = [t for t in tags if not t.endswith(("Envelope", "Body"))]
    return f"</{names[-1]}>".encode() if names else b""


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ShapeError(f"{where}: [{key}] deve ser uma tabela")
    return value


def _text(table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise ShapeError(f"{where}: chave {key!r} ausente ou vazia")
    return value


def split_path(path: str, namespace: str) -> tuple[str, ...]:
    """``"Erro/Codigo"`` -> Clark names in the pack namespace (``{uri}Nome`` segments are kept as they are)."""
    parts = [p for p in path.strip().strip("/").split("/") if p]
    if not parts:
        raise ValueError("caminho vazio")
    out = []
    for part in parts:
        if part.startswith("{"):
            out.append(part)
        elif part.replace("_", "").replace("-", "").replace(".", "").isalnum():
            out.append(f"{{{namespace}}}{part}")
        else:
            raise ValueError(f"segmento {part!r} inválido (use nomes locais separados por /)")
    return tuple(out)


def load_shape(folder: Path, data: Mapping[str, Any], namespace: str) -> WireShape:
    """The wire shape of the pack in ``folder`` (``data`` is its parsed ``pack.toml``)."""
    manifest = folder / "pack.toml"
    where = str(manifest)
    transport = _table(data, "transporte", where)
    binding = transport.get("vinculo", "xml")
    if binding not in BINDINGS:
        raise ShapeError(f"{where}: transporte.vinculo {binding!r} desconhecido; use {' ou '.join(BINDINGS)}")
    is_soap = binding == "soap11"
    default_type = "text/xml; charset=utf-8" if is_soap else "application/xml; charset=UTF-8"
    media = transport.get("tipos_resposta", ["application/xml", "text/xml"])
    if not isinstance(media, list) or not media or not all(isinstance(m, str) for m in media):
        raise ShapeError(f"{where}: transporte.tipos_resposta deve ser uma lista de tipos (ex.: ['text/xml'])")
    soap_action = transport.get("soap_action") if is_soap else None
    if is_soap and not isinstance(soap_action, str):
        raise ShapeError(f"{where}: o vínculo soap11 exige transporte.soap_action")
    head, tail = (soap.HEAD, soap.TAIL) if is_soap else (XML_DECLARATION, "\n")

    messages = _table(data, "mensagens", where)
    request_spec = _table(messages, "pedido", where)
    answer_spec = _table(messages, "resposta", where)
    request = _template(
        folder,
        request_spec,
        "modelo",
        template.REQUEST_FIELDS,
        template.REQUEST_OPTIONAL,
        head,
        tail,
        template.REQUEST_PREAMBLE,
        {},
    )
    words = _table(answer_spec, "status", where)
    missing = [code for code in sorted(STATUSES) if not isinstance(words.get(code), str) or not words.get(code)]
    if missing or set(words) - STATUSES:
        raise ShapeError(f"{where}: [mensagens.resposta.status] deve dar uma palavra para PEN, APV e RPV (e só)")
    if len(set(words.values())) != len(words):
        raise ShapeError(f"{where}: [mensagens.resposta.status] usa a mesma palavra para dois status")
    constants = {"_S": dict(words)}
    answer = _template(
        folder, answer_spec, "modelo", template.ANSWER_FIELDS, template.ANSWER_OPTIONAL, head, tail, "", constants
    )
    error = _template(
        folder, answer_spec, "modelo_erro", template.ANSWER_FIELDS, template.ANSWER_OPTIONAL, head, tail, "", constants
    )
    raw_paths = _table(answer_spec, "caminhos", where)
    unknown = sorted(set(raw_paths) - set(ANSWER_PATHS))
    absent = [name for name in REQUIRED_PATHS if name not in raw_paths]
    if unknown or absent:
        raise ShapeError(
            f"{where}: [mensagens.resposta.caminhos]: "
            + (f"desconhecido(s) {unknown}; " if unknown else "")
            + (f"faltando {absent}; " if absent else "")
            + f"use {', '.join(ANSWER_PATHS)}"
        )
    paths: dict[str, tuple[str, ...]] = {}
    for name, text in raw_paths.items():
        try:
            paths[name] = split_path(str(text), namespace)
        except ValueError as exc:
            raise ShapeError(f"{where}: caminho {name} = {text!r}: {exc}") from None
    return WireShape(
        binding=binding,
        request_content_type=_text(transport, "content_type", where, default_type),
        answer_content_type=_text(transport, "content_type_resposta", where, default_type),
        answer_media_types=frozenset(m.lower() for m in media),
        soap_action=soap_action,
        request=request,
        answer=answer,
        error=error,
        answer_paths=paths,
        status_words=dict(words),
    )


def _template(  # noqa: PLR0917 - one call site per template, every argument named there
    folder: Path,
    spec: Mapping[str, Any],
    key: str,
    fields: Mapping[str, str],
    optional: frozenset[str],
    head: str,
    tail: str,
    preamble: str,
    constants: Mapping[str, object],
) -> Template:
    where = folder / "pack.toml"
    name = spec.get(key)
    if not isinstance(name, str) or not name:
        raise ShapeError(f"{where}: chave {key!r} ausente (o arquivo do modelo da mensagem)")
    path = folder / name
    try:
        text = path.read_bytes()
    except OSError:
        raise ShapeError(f"{path}: modelo não encontrado") from None
    try:
        return template.compile_template(
            text, fields, optional, preamble=preamble, head=head, tail=tail, constants=constants
        )
    except TemplateError as exc:
        raise ShapeError(f"{path}: {exc}") from None
