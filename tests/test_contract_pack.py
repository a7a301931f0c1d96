"""The contract pack v1 against the golden and invalid fixtures, and the pack as data."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from homologa.contract import ContractPackError, load_pack
from homologa.golden import Golden, load_golden

ROOT = Path(__file__).resolve().parents[1]
INVALID = ROOT / "fixtures" / "invalid"
INVALID_ENTRIES = tomllib.loads((INVALID / "index.toml").read_text(encoding="utf-8"))["mensagem"]
PACK = load_pack()


@pytest.mark.parametrize("golden", load_golden(), ids=lambda g: g.name)
def test_golden_is_valid_for_lxml_and_xmlschema(golden: Golden) -> None:
    assert PACK.request.validate(golden.data) == []
    assert PACK.request.explain(golden.data) == []


def test_every_invalid_file_is_listed_once() -> None:
    listed = [e["arquivo"] for e in INVALID_ENTRIES]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(p.name for p in INVALID.glob("*.xml"))


@pytest.mark.parametrize("entry", INVALID_ENTRIES, ids=lambda e: e["arquivo"])
def test_invalid_is_rejected_at_the_right_element(entry: dict[str, str]) -> None:
    data = (INVALID / entry["arquivo"]).read_bytes()
    violations = PACK.request.validate(data)
    assert violations, f"{entry['arquivo']} deveria ser rejeitada: {entry['motivo']}"
    assert entry["caminho"] in [v.path for v in violations], violations
    assert all(v.line for v in violations)


@pytest.mark.parametrize("entry", INVALID_ENTRIES, ids=lambda e: e["arquivo"])
def test_xmlschema_explanation_agrees(entry: dict[str, str]) -> None:
    """xmlschema (the explaining validator) rejects the same files, at the element or at one of its parents."""
    data = (INVALID / entry["arquivo"]).read_bytes()
    explained = PACK.request.explain(data)
    assert explained
    assert any(entry["caminho"] == v.path or entry["caminho"].startswith(v.path + "/") for v in explained), explained


def test_pack_is_data_another_version_loads_from_a_folder(tmp_path: Path) -> None:
    """A copy of contracts/v1 renamed v9 (new namespace) loads with load_pack(Path) and validates its messages."""
    folder = tmp_path / "v9"
    shutil.copytree(PACK.folder, folder)
    new_ns = "urn:b2b:homologacao:cliente:v9"
    for path in [p for p in folder.rglob("*") if p.suffix in {".xsd", ".toml", ".xml"}]:
        path.write_text(path.read_text(encoding="utf-8").replace(PACK.namespace, new_ns), encoding="utf-8")
    manifest = folder / "pack.toml"
    manifest.write_text(re.sub(r'versao = "1"', 'versao = "9"', manifest.read_text(encoding="utf-8")), "utf-8")

    pack = load_pack(folder)

    assert (pack.version, pack.namespace) == ("9", new_ns)
    assert pack.sha256 != PACK.sha256
    golden = load_golden()[0].data
    assert pack.request.validate(golden.replace(PACK.namespace.encode(), new_ns.encode())) == []
    assert pack.request.validate(golden)  # the v1 namespace is not v9's


def test_broken_pack_fails_with_pt_br_message(tmp_path: Path) -> None:
    folder = tmp_path / "v1"
    shutil.copytree(PACK.folder, folder)
    (folder / "CadastroCliente.xsd").write_text("<xs:schema", encoding="utf-8")
    with pytest.raises(ContractPackError, match="XSD ilegível"):
        load_pack(folder)


# --- the wire shape as data: templates, paths, status words, loader checks -----------------------------------


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pacote"
    shutil.copytree(PACK.folder, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_v1_templates_render_exactly_what_messages_py_renders() -> None:
    from homologa.generator import CustomerSource, parse_cep_range
    from homologa.messages import render_answer, render_request
    from homologa.model import Retorno
    from homologa.packs.proof import SAMPLE, SAMPLE_MINIMAL

    src = CustomerSource([parse_cep_range("01000000-99999999")], seed=3, alnum_share=0.5)
    messages = [SAMPLE, SAMPLE_MINIMAL, *(g.message for g in load_golden()), *(src.message(i) for i in range(300))]
    for msg in messages:
        assert PACK.shape.render_request(msg) == render_request(msg)
    for answer in (
        Retorno("id", "11222333000181", status="PEN", mensagem="a & b"),
        Retorno("id", "11222333000181", status="RPV"),
        Retorno("id", "11222333000181", erro_codigo="E1", erro_descricao="<x>"),
    ):
        assert PACK.shape.render_answer(answer).body == render_answer(answer)


def test_a_reordered_template_fails_the_pack_xsd_naming_the_template(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(
        folder / "modelos" / "pedido.xml",
        "<Nome>{nome}</Nome>\n    <Email>{email}</Email>",
        "<Email>{email}</Email>\n    <Nome>{nome}</Nome>",
    )
    with pytest.raises(ContractPackError) as caught:
        load_pack(folder)
    message = str(caught.value)
    assert "\n" not in message
    assert str(folder / "modelos" / "pedido.xml") in message and "XSD CadastroCliente.xsd" in message


def test_an_answer_path_matching_nothing_in_the_examples_is_one_pt_br_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "pack.toml", 'erro_codigo = "Erro/Codigo"', 'erro_codigo = "Erro/CodigoDoErro"')
    with pytest.raises(ContractPackError) as caught:
        load_pack(folder)
    message = str(caught.value)
    assert "\n" not in message
    assert str(folder / "pack.toml") in message


def test_a_path_absent_from_every_example_is_refused_even_when_templates_agree(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "pack.toml", '"exemplos/retorno-pen.xml", "exemplos/retorno-erro.xml"', '"exemplos/retorno-pen.xml"')
    with pytest.raises(ContractPackError, match=r"o caminho erro = 'Erro' não encontra nada nos exemplos"):
        load_pack(folder)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("<CNPJ>{cnpj}</CNPJ>", "<CNPJ>{cnpj_do_cliente}</CNPJ>", "campo desconhecido"),
        ("{telefone_celular?}", "{telefone_celular}", "opcional no modelo de dados"),
        ("<CNPJ>{cnpj}</CNPJ>", "<CNPJ>CNPJ {cnpj}</CNPJ>", "texto inteiro de um elemento folha"),
        ("</CadastroCliente>", "", "bem-formado"),
    ],
)
def test_a_broken_request_template_names_the_file(tmp_path: Path, old: str, new: str, reason: str) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "modelos" / "pedido.xml", old, new)
    with pytest.raises(ContractPackError, match=reason) as caught:
        load_pack(folder)
    assert str(caught.value).startswith(str(folder / "modelos" / "pedido.xml"))


def test_unknown_pack_name_lists_the_shipped_ones() -> None:
    with pytest.raises(ContractPackError, match=r"pacotes disponíveis: .*v1"):
        load_pack("v7-nao-existe")


def test_pack_names_resolve_with_or_without_v() -> None:
    assert load_pack("1").folder == load_pack("v1").folder == PACK.folder
    assert PACK.name == "v1"
