"""Shared helpers for the tests of homologa.report: a small real allure-pytest run shaped like the contract suite
and the load test, and a distributor profile full of secrets that must never reach a report or a package."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

from homologa.contract import load_pack
from homologa.runs import RECORD_NAME
from homologa.secrets import mask_url
from homologa.target import target_identity

SECRET_PASSWORD = "s3nha-basica-XYZ"
SECRET_TOKEN = "tok-bearer-8f3a1c"
SECRET_QUERY_KEY = "chave-query-77aa"
SECRET_URL_PASSWORD = "senha-url-91qq"
SECRET_KEY_PATH = "/srv/segredos/cliente-privado-5521.key"
SECRETS = (SECRET_PASSWORD, SECRET_TOKEN, SECRET_QUERY_KEY, SECRET_URL_PASSWORD, SECRET_KEY_PATH)
TARGET = f"http://erp:{SECRET_URL_PASSWORD}@127.0.0.1:9/clientes?apikey={SECRET_QUERY_KEY}&filial=7"

PROFILE = f"""
[distribuidor]
nome = "Distribuidora Sintética Ltda"
cnpj = "11.222.333/0001-81"

[alvo]
url = "{TARGET}"

[autenticacao]
basic = "erp:{SECRET_PASSWORD}"
bearer = "{SECRET_TOKEN}"
chave_cliente = "{SECRET_KEY_PATH}"
"""

RUN_ID = "20261201-120000-abc123"  # the stand-in run's id (its execucao.json and the label on every result)
TALLY = {  # reports/carga/resultado.json, as the load run writes it
    "alvo": mask_url(TARGET),
    "alvo_id": target_identity(TARGET),
    "planejados": 1200,
    "enviados": 1200,
    "pen": 1100,
    "apv_rpv": 96,
    "falhas": {"falha de transporte": 3, "status divergente": 1},
    "p50_ms": 120.0,
    "p95_ms": 412.0,
    "p99_ms": 800.0,
    "clientes_por_segundo": 198.5,
    "duracao_s": 6.1,
    "aprovado": False,
    "motivos": ["falhas acima do aceito: 4 de 1200 (0.33% > 0.00%)"],
    "forma": "golive",
    "limites": {"p95_ms": 2000.0, "falhas_aceitas": 0.0, "fracao_validada": 1.0},
}

CATEGORIES = [  # categories.json, as the suite writes it (Allure 2 format)
    {"name": "status divergente", "matchedStatuses": ["failed"], "messageRegex": "(?s).*\\[status divergente\\].*"},
    {"name": "falha do próprio homologa", "matchedStatuses": ["broken"]},
]

# A stand-in for the contract suite and the load test: same labels, attachments and failure messages.
SUITE = """
import json
import allure
import pytest

REQUEST = (
    "<CadastroCliente xmlns='urn:b2b:homologacao:cliente:v1'>"
    "<Cliente><CNPJ>11222333000181</CNPJ></Cliente></CadastroCliente>"
)
ANSWER = "<RetornoCadastroCliente xmlns='urn:b2b:homologacao:cliente:v1'><Status>PEN</Status></RetornoCadastroCliente>"
TARGET = {target!r}
R2_PASSES = {r2_passes!r}
RUN_ID = {run_id!r}


@pytest.fixture(autouse=True)
def run_label():
    allure.dynamic.label("execucao", RUN_ID)


def rule(code, name, blocking=True):
    allure.dynamic.epic("Contrato v1 — cadastro de clientes")
    allure.dynamic.feature(code + " · " + name)
    allure.dynamic.severity(allure.severity_level.BLOCKER if blocking else allure.severity_level.MINOR)
    allure.dynamic.tag(code)


def exchange():
    allure.attach(REQUEST, name="pedido CadastroCliente", attachment_type=allure.attachment_type.XML)
    allure.attach(ANSWER, name="resposta", attachment_type=allure.attachment_type.XML)


@pytest.mark.parametrize("uf", ["SP", "MG", "BA"])
def test_r1_cliente_novo(uf):
    rule("R1", "Cliente novo recebe PEN")
    allure.dynamic.story("cliente novo")
    with allure.step("enviar CadastroCliente"):
        exchange()


def test_r2_reenvio():
    rule("R2", "Reenvio recebe APV/RPV")
    exchange()
    if R2_PASSES:
        return
    pytest.fail(
        "[status divergente] R2 — Reenvio com dados alterados recebe APV ou RPV\\n"
        "Esperado: Status APV ou RPV\\n"
        "Recebido: Status PEN\\n"
        "Como corrigir: responda APV ou RPV a um CNPJ já cadastrado.\\n"
        "Reproduza: curl -sS -X POST -H 'Content-Type: application/xml' --data @pedido.xml '" + TARGET + "'",
        pytrace=False,
    )


def test_r3_campos_protegidos():
    rule("R3", "Campos protegidos sem erro")
    exchange()


def test_b1_idempotencia():
    rule("B1", "Idempotência", blocking=False)
    exchange()
    pytest.xfail("boa prática B1 não atendida (consultiva; reprova só com --strict): outro Status na retentativa")


def test_b2_latencia():
    rule("B2", "Latência", blocking=False)
    raise RuntimeError("falha do próprio homologa: amostras insuficientes")


def test_r6_carga():
    rule("R6", "Carga do go-live")
    allure.attach(json.dumps({tally!r}), name="resultado.json", attachment_type=allure.attachment_type.JSON)
    allure.attach("<html><body>Locust</body></html>", name="locust.html", attachment_type=allure.attachment_type.HTML)
"""


def write_suite_results(
    folder: Path, *, tally: dict[str, object] | None = None, r2_passes: bool = False, run_id: str = RUN_ID
) -> Path:
    """Run the stand-in suite with allure-pytest into ``folder / "allure-results"`` and write the run's record
    ``folder / "execucao.json"`` (``folder`` is then a run folder); return the results folder."""
    folder.mkdir(parents=True, exist_ok=True)
    source = SUITE.format(target=mask_url(TARGET), tally=tally or TALLY, r2_passes=r2_passes, run_id=run_id)
    (folder / "test_suite_homologa.py").write_text(source, encoding="utf-8")
    results = folder / "allure-results"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:locust", "-p", "no:faker",
         "--rootdir", str(folder), "--alluredir", str(results), str(folder)],
        capture_output=True, text=True, check=False, cwd=folder, timeout=120,
    )  # fmt: skip
    if not any(results.glob("*-result.json")):
        raise RuntimeError(f"a suíte de teste não gerou resultados Allure: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    (results / "environment.properties").write_text(f"alvo={mask_url(TARGET)}\n", encoding="utf-8")
    (results / "categories.json").write_text(json.dumps(CATEGORIES, ensure_ascii=False), encoding="utf-8")
    write_record(folder, run_id)
    return results


def record(run_id: str = RUN_ID, **changes: object) -> dict[str, object]:
    """A finished run's ``execucao.json`` as the suite writes it (target masked, selection complete)."""
    pack = load_pack()
    data: dict[str, object] = {
        "formato": 1,
        "id": run_id,
        "estado": "concluida",
        "inicio": "2026-12-01T12:00:00+00:00",
        "fim": "2026-12-01T12:01:00+00:00",
        "processo": {"pid": 1, "maquina": "outra-maquina"},
        "alvo": {
            "url": mask_url(TARGET),
            "origem": "perfil (homologacao.toml)",
            "id": target_identity(TARGET),
            "embutido": False,
            "aviso": None,
        },
        "perfil": {"arquivo": "homologacao.toml", "sha256": "0" * 64},
        "distribuidor": {"nome": "Distribuidora Sintética Ltda", "cnpj": "11.222.333/0001-81"},
        "opcoes": {"timeout_s": 10.0, "campos_protegidos": [], "estrito": False},
        "semente_clientes": 1234,
        "contrato": {"versao": pack.version, "sha256": pack.sha256},
        "homologa": "0.1.0",
        "selecao": {"k": None, "m": None, "selecionados": 8, "desmarcados": 0, "executados": 8},
        "segredos": {"verificados": 5, "vazamentos": []},
        "problemas": [],
    }
    data.update(changes)
    return data


def write_record(folder: Path, run_id: str = RUN_ID, **changes: object) -> Path:
    path = folder / RECORD_NAME
    path.write_text(json.dumps(record(run_id, **changes), ensure_ascii=False), encoding="utf-8")
    return path


def write_profile(folder: Path) -> Path:
    path = folder / "homologacao.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


def write_load_output(folder: Path) -> Path:
    load = folder / "carga"
    load.mkdir(parents=True, exist_ok=True)
    (load / "resultado.json").write_text(json.dumps(TALLY), encoding="utf-8")
    (load / "carga_stats.csv").write_text("Type,Name,Request Count\nPOST,/clientes,1200\n", encoding="utf-8")
    (load / "carga.html").write_text("<html><body>Locust</body></html>", encoding="utf-8")
    return load


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rewrite_zip(source: Path, target: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return target


def patch_member(
    path: Path, name: str, *, flags: int | None = None, method: int | None = None, size: int | None = None
) -> Path:
    """Patch the raw header fields of one member, in its central-directory entry and its local header (a hostile
    zip that :mod:`zipfile` itself would never write)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        at = zf.start_dir  # type: ignore[attr-defined]
    found = False
    while data[at : at + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, at + 28)
        local = struct.unpack_from("<L", data, at + 42)[0]
        if data[at + 46 : at + 46 + name_len] == name.encode():
            found = True
            for field, central, local_at, fmt in ((flags, 8, 6, "<H"), (method, 10, 8, "<H"), (size, 24, 22, "<L")):
                if field is not None:
                    struct.pack_into(fmt, data, at + central, field)
                    struct.pack_into(fmt, data, local + local_at, field)
        at += 46 + name_len + extra_len + comment_len
    assert found, name
    path.write_bytes(bytes(data))
    return path
