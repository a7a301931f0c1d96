"""The loader's proof that a pack's wire shape and its XSDs agree: the templates' output (with and without the
optional fields, each status, the error) passes the pack's XSDs and reads back through the answer paths, every path
finds something in the pack's own examples, and a SOAP pack's WSDL names its soapAction and messages. Any
disagreement is a :class:`~homologa.packs.shape.ShapeError`: one pt-BR line naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from homologa import xmlsafe
from homologa.model import STATUSES, CadastroCliente, Cliente, Endereco, Retorno
from homologa.packs import soap
from homologa.packs.shape import ShapeError

if TYPE_CHECKING:
    from homologa.contract import ContractPack, Violation

WSDL_SOAP = "{http://schemas.xmlsoap.org/wsdl/soap/}"
WSDL = "{http://schemas.xmlsoap.org/wsdl/}"


def check_wsdl(pack: ContractPack, path: Path) -> None:
    """The WSDL a SOAP pack ships agrees with the pack: its operation's soapAction and its message elements."""
    try:
        root = xmlsafe.parse(path.read_bytes())
    except OSError:
        raise ShapeError(f"{path}: WSDL não encontrado") from None
    except (xmlsafe.MalformedXML, xmlsafe.UnsafeXML) as exc:
        raise ShapeError(f"{path}: WSDL ilegível: {exc}") from None
    actions = {node.get("soapAction") for node in root.iter(f"{WSDL_SOAP}operation")}
    if pack.shape.soap_action not in actions:
        raise ShapeError(
            f"{path}: nenhuma operação com soapAction {pack.shape.soap_action!r} (o transporte.soap_action do pacote)"
        )
    elements = set()
    for part in root.iter(f"{WSDL}part"):
        prefix, _, local = (part.get("element") or "").rpartition(":")
        elements.add((part.nsmap.get(prefix or None), local))
    for schema in (pack.request, pack.answer):
        if (schema.namespace, schema.root) not in elements:
            raise ShapeError(f"{path}: nenhuma wsdl:part com o elemento {schema.root} de {schema.namespace}")


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
        raise ShapeError(f"{where}: saída ilegível: {exc}") from None


def _first(violations: list[Violation]) -> str:
    first = violations[0]
    more = f" (e mais {len(violations) - 1})" if len(violations) > 1 else ""
    return f"{first.path}: {first.reason}{more}"


def check_shape(pack: ContractPack, request_spec: dict[str, Any], answer_spec: dict[str, Any]) -> None:
    """Prove the shape and the XSDs agree (templates' output valid and read back, paths found in the examples)."""
    shape, folder = pack.shape, pack.folder
    request_file = folder / str(request_spec.get("modelo"))
    if shape.request.root != pack.request.qualified_root:
        raise ShapeError(
            f"{request_file}: raiz do modelo {shape.request.root!r}; o pacote declara {pack.request.qualified_root!r}"
        )
    for sample in (SAMPLE, SAMPLE_MINIMAL):
        payload = _parsed_payload(pack, shape.render_request(sample), request_file)
        if isinstance(payload, soap.Fault):
            raise ShapeError(f"{request_file}: o modelo gera um Fault SOAP, não um pedido")
        violations = pack.request.validate(payload)
        if violations:
            raise ShapeError(
                f"{request_file}: a saída do modelo não passa no XSD {pack.request.xsd_path.name}: {_first(violations)}"
            )
        if shape.read_request(payload) != sample:
            raise ShapeError(f"{request_file}: a saída do modelo não relê os mesmos campos")
    examples = answer_spec.get("exemplos", [])
    if not isinstance(examples, list) or not examples:
        raise ShapeError(f"{folder / 'pack.toml'}: [mensagens.resposta] exemplos deve listar ao menos um arquivo")
    found: set[str] = set()
    for name in examples:
        path = folder / str(name)
        try:
            data = path.read_bytes()
        except OSError:
            raise ShapeError(f"{path}: exemplo não encontrado") from None
        payload = _parsed_payload(pack, data, path)
        if isinstance(payload, soap.Fault):
            continue  # a Fault is the binding's error; the paths are read inside the contract's answer
        violations = pack.answer.validate(payload)
        if violations:
            raise ShapeError(f"{path}: exemplo fora do XSD {pack.answer.xsd_path.name}: {_first(violations)}")
        found.update(shape.answer_fields(payload))
    for name, path_ in shape.answer_paths.items():
        if name not in found:
            shown = "/".join(etree.QName(p).localname for p in path_)
            raise ShapeError(
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
            raise ShapeError(f"{where}: o modelo gera um Fault SOAP, não uma resposta")
        violations = pack.answer.validate(payload)
        if violations:
            raise ShapeError(
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
            raise ShapeError(
                f"{where}: os caminhos de [mensagens.resposta.caminhos] não releem da saída do modelo: "
                + ", ".join(wrong)
            )
