from __future__ import annotations

import json
from pathlib import Path

import pytest
import report_support as support
from conftest import Generated

from homologa import allure3, cli
from homologa.contract import load_pack
from homologa.report import allure_cli, sanitize

REPO = Path(__file__).resolve().parents[2]
# The loader Allure writes into every report (plugin-awesome's template), verbatim.
ALLURE_ANALYTICS = """    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', {
          "report": "awesome",
          "allureVersion": "3.18.0",
          "reportUuid": "x",
          "single_file": "true"
        });
    </script>
"""


def test_report_is_one_file_with_no_outside_loads(generated: Generated) -> None:
    text = generated.index.read_text(encoding="utf-8")
    assert sorted(p.name for p in generated.index.parent.iterdir()) == ["index.html"]
    assert sanitize.outside_references(text) == []
    assert "googletagmanager" not in text and "gtag(" not in text
    assert "<html" in text and 'id="app"' in text


def test_report_embeds_rules_xml_attachments_categories_and_environment(generated: Generated) -> None:
    files = sanitize.embedded_files(generated.index.read_text(encoding="utf-8"))
    statistic = json.loads(files["widgets/statistic.json"])
    assert statistic["total"] == 8
    assert (statistic["passed"], statistic["failed"], statistic["broken"], statistic["skipped"]) == (5, 1, 1, 1)
    everything = b"\n".join(files.values()).decode("utf-8", "replace")
    for text in ("R1 · Cliente novo recebe PEN", "R2 · Reenvio recebe APV/RPV", "B1 · Idempotência"):
        assert text in everything
    assert "<CadastroCliente xmlns=" in everything  # the request XML of each step
    assert "<RetornoCadastroCliente" in everything  # and the answer
    assert '"enviados": 1200' in everything  # the load tally attached by the load test
    categories = json.loads(files["widgets/categories.json"])
    names = {node.get("name") for node in categories.get("nodes", {}).values() if isinstance(node, dict)}
    assert {"status divergente", "falha do próprio homologa"} <= names, categories
    # the environment block: the suite's masked target, plus what homologa adds
    assert support.mask_url(support.TARGET) in everything
    for key in ("executado.por", "contrato.sha256", "relatorio.gerado.em", "veredito", "execucao"):
        assert key in everything
    assert load_pack().sha256 in everything
    assert support.RUN_ID in everything
    # the verdict is the report's own title, not only the resumo's
    page = generated.index.read_text(encoding="utf-8")
    title = "REPROVADO — Homologação — contrato v1 — Distribuidora Sintética Ltda (CNPJ 11.222.333/0001-81)"
    assert title in page or title in everything


def test_summary_has_verdicts_load_failures_and_synthetic_note(generated: Generated) -> None:
    md = generated.summary_md.read_text(encoding="utf-8")
    assert md.startswith("# REPROVADO — Resumo da homologação — Distribuidora Sintética Ltda")
    assert "**Veredito — REPROVADO: 1 cenário(s) violam regras do contrato" in md
    assert "- **Execução:** 20261201-120000-abc123 (concluida)" in md
    assert "- **Seleção:** 8 de 8 cenário(s) selecionados executados" in md
    assert "- **Carga:** carga de " in md
    assert " — mesmo alvo: http://erp:***@127.0.0.1:9/clientes?apikey=***&filial=***" in md
    assert "DEMONSTRAÇÃO" not in md
    assert "| R1 | Cliente novo recebe PEN | 3 | 0 | passou |" in md
    assert "| R2 | Reenvio recebe APV/RPV | 0 | 1 | falhou |" in md
    assert "| R4 | Eco de IdMensagem e CNPJ | 4 | 0 | passou (verificada em toda resposta) |" in md
    assert "| R6 | Carga do go-live | 1 | 0 | passou |" in md
    assert "| B1 | Idempotência | 0 | 0 | não atendida (consultiva) |" in md
    assert "| B2 | Latência | 0 | 1 | falhou |" in md
    assert "- **Clientes planejados:** 1.200" in md
    assert "- **Clientes enviados e respondidos:** 1.200" in md
    assert "- **Clientes por segundo:** 198,5" in md
    assert "- **Latência p50 / p95 / p99:** 120 ms / 412 ms / 800 ms" in md
    assert "- **Resultado da carga:** reprovada" in md
    assert "- **Motivo:** falhas acima do aceito: 4 de 1200" in md
    assert "| falha de transporte | 3 |" in md
    assert "### R2 — status divergente (1 cenário(s))" in md
    assert "- test_r2_reenvio: esperado Status APV ou RPV; recebido Status PEN" in md
    assert "Como corrigir: responda APV ou RPV a um CNPJ já cadastrado." in md
    assert "### B2 — falha do próprio homologa (1 cenário(s))" in md
    assert "curl -sS -X POST -H 'Content-Type: application/xml' --data @pedido.xml" in md
    assert "- **B1 — test_b1_idempotencia:** boa prática B1 não atendida" in md
    assert "Distribuidora Sintética Ltda" in md
    assert "sintéticos" in md
    page = generated.summary_html.read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in page and "Veredito — REPROVADO" in page
    assert "<td>R2</td><td>Reenvio recebe APV/RPV</td><td class=n>0</td><td class=n>1</td>" in page
    assert sanitize.outside_references(page) == []


def test_no_secret_in_any_produced_file(generated: Generated) -> None:
    produced = [generated.index, generated.summary_md, generated.summary_html]
    for path in produced:
        data = path.read_bytes()
        blobs = [data, *sanitize.embedded_files(data.decode("utf-8")).values()]
        for secret in support.SECRETS:
            assert all(secret.encode() not in blob for blob in blobs), (path.name, secret)


def test_sanitizer_removes_allure_analytics_and_outside_tags() -> None:
    page = (
        "<html><head><link rel='stylesheet' href='https://cdn.example/x.css'>"
        "<link rel='icon' href='data:image/svg+xml,%3Csvg%3E'></head><body><div id='app'></div>"
        "<script>window.allure = {};</script><img src=//cdn.example/p.png>"
        f"{ALLURE_ANALYTICS}<script defer>d('a','b')</script></body></html>"
    )
    assert len(sanitize.outside_references(page)) >= 4
    clean, removed = sanitize.sanitize_html(page)
    assert sanitize.outside_references(clean) == []
    assert len(removed) == 4
    assert "window.allure = {};" in clean and "data:image/svg+xml" in clean and "d('a','b')" in clean


def test_outside_references_sees_fetch_and_css() -> None:
    assert sanitize.outside_references("<script>fetch('https://x.example/a')</script>") == ["https://x.example/a"]
    assert sanitize.outside_references("<style>@import 'https://f.example/c.css';</style>") == [
        "https://f.example/c.css"
    ]
    assert sanitize.outside_references("<a href='https://allurereport.org'>Allure</a>") == []


def test_missing_results_is_a_pt_br_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["relatorio", "--execucao", str(tmp_path / "nada"), "--saida", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("homologa relatorio: erro: execução ") and "não encontrada" in err
    assert "Traceback" not in err


def test_missing_allure_cli_says_how_to_install(
    run_a: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(allure_cli.ENV_VARIABLE, str(tmp_path / "sem-allure"))
    code = cli.main(["relatorio", "--execucao", str(run_a.parent), "--saida", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code != 0
    assert "o Allure CLI não está instalado" in err and "npm ci --prefix reports" in err
    assert not (tmp_path / "r" / "index.html").exists()


def test_allure_cli_is_pinned_in_package_json_and_lock() -> None:
    package = json.loads((REPO / "reports" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO / "reports" / "package-lock.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["allure"] == lock["packages"]["node_modules/allure"]["version"]


def test_allure2_categories_become_allure3_rules() -> None:
    text = allure3.config_text(
        "Homologação",
        [
            {
                "name": "status divergente",
                "matchedStatuses": ["failed"],
                "messageRegex": "(?s).*\\[status divergente\\].*",
            },
            {"name": "falha do próprio homologa", "matchedStatuses": ["broken"]},
            {"name": "sem critério"},
        ],
    )
    assert 'name: "Homologação"' in text
    assert (
        '{ name: "status divergente", matchers: { statuses: ["failed"], '
        'message: new RegExp("^(?:.*\\\\[status divergente\\\\].*)$", "s") } },'
    ) in text
    assert '{ name: "falha do próprio homologa", matchers: { statuses: ["broken"] } },' in text
    assert "sem critério" not in text
    assert allure3.config_text("x", []) == (
        "// Written by homologa relatorio for one run; the report's plugin options are on the command line.\n"
        'export default {\n  name: "x",\n};\n'
    )
