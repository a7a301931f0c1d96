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
    for path in [*folder.glob("*.xsd"), folder / "pack.toml"]:
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
