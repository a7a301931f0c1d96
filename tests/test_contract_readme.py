"""The distributor-facing README of contract v1: its XML examples are valid and consistent with each other."""

from __future__ import annotations

import re
from pathlib import Path

from homologa import xmlsafe
from homologa.contract import load_pack
from homologa.generator import inscricao_estadual, uf_for_cep
from homologa.messages import read_answer, read_request

PACK = load_pack()
README = PACK.folder / "README.md"
BLOCKS = re.findall(r"```xml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_readme_has_request_and_pen_apv_error_answers() -> None:
    roots = [xmlsafe.parse(b.encode()).tag.split("}")[1] for b in BLOCKS]
    assert roots.count("CadastroCliente") >= 1
    answers = [read_answer(xmlsafe.parse(b.encode())) for b in BLOCKS if "RetornoCadastroCliente" in b]
    assert {a.status for a in answers} >= {"PEN", "APV", None}
    assert any(a.is_error for a in answers)


def test_every_xml_example_is_valid_against_the_pack() -> None:
    assert BLOCKS
    for block in BLOCKS:
        data = block.encode()
        schema = PACK.answer if b"RetornoCadastroCliente" in data else PACK.request
        assert schema.validate(data) == [], block
        assert schema.explain(data) == [], block


def test_pen_answer_echoes_the_first_request() -> None:
    """R4 in the examples themselves: the PEN answer echoes IdMensagem and CNPJ of the request example."""
    request = read_request(xmlsafe.parse(BLOCKS[0].encode()))
    answers = [read_answer(xmlsafe.parse(b.encode())) for b in BLOCKS if "RetornoCadastroCliente" in b]
    pen = next(a for a in answers if a.status == "PEN")
    assert (pen.id_mensagem, pen.cnpj) == (request.id_mensagem, request.cliente.cnpj)


def test_readme_states_every_rule_and_links_exist() -> None:
    text = README.read_text(encoding="utf-8")
    for rule in ("R1", "R2", "R3", "R4", "R5", "R6", "B1", "B2"):
        assert f"**{rule}**" in text
    for link in re.findall(r"\]\((\.\./[^)]+)\)", text):
        assert (README.parent / link).resolve().exists(), link
    assert Path(PACK.folder / "pack.toml").is_file()


def test_request_examples_are_consistent_customers() -> None:
    requests = [read_request(xmlsafe.parse(b.encode())) for b in BLOCKS if "RetornoCadastroCliente" not in b]
    assert len(requests) >= 2
    for request in requests:
        e = request.cliente.endereco
        assert uf_for_cep(e.cep) == e.estado
        assert inscricao_estadual.is_valid(e.estado, request.cliente.inscricao_estadual)
