"""The suite's pytest plugin as a distributor runs it (pytester): options, precedence, exit codes, messages."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from suite_support import conforming_server, make_pki, mtls_server_context

pytest_plugins = ["pytester"]

SUITES = Path(__file__).resolve().parents[1] / "suites"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOMOLOGA_TARGET", "HOMOLOGA_PROFILE", "HOMOLOGA_BEARER", "HOMOLOGA_BASIC_AUTH"):
        monkeypatch.delenv(name, raising=False)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """An in-process pytest run; Locust's own plugin stays off (it would monkey-patch this process with gevent)."""
    return pytester.runpytest("-p", "no:locust", "-p", "no:faker", "-p", "no:cacheprovider", *args)


def run_suite(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return run(pytester, str(SUITES), "--alluredir", str(pytester.path / "allure-results"), *args)


# --- options and usage errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--target", "ftp://erp/x"], "ERROR: homologa: opção --target: URL inválida 'ftp://erp/x'*"),
        (
            ["--homologa-timeout", "dez"],
            "ERROR: homologa: opção --homologa-timeout: esperado um número de segundos, recebeu 'dez'",
        ),
        (
            ["--protected-fields", "cor"],
            "ERROR: homologa: opção --protected-fields: campo(s) protegido(s) desconhecido(s): cor*",
        ),
        (["--homologa-header", "sem-dois-pontos"], "ERROR: homologa: opção --homologa-header: esperado 'Nome: valor'*"),
        (
            ["--contract", "v7"],
            "ERROR: homologa: contrato (linha de comando (--contract)): pacote de contrato não encontrado: *v7*",
        ),
    ],
)
def test_malformed_option_is_a_usage_error(pytester: pytest.Pytester, args: list[str], line: str) -> None:
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR == 4
    result.stderr.fnmatch_lines([line])
    assert "Traceback" not in result.stderr.str()


def test_a_broken_pack_is_one_usage_error_line_naming_the_file(pytester: pytest.Pytester, tmp_path: Path) -> None:
    import shutil

    from homologa.contract import load_pack

    folder = tmp_path / "quebrado"
    shutil.copytree(load_pack().folder, folder)
    manifest = folder / "pack.toml"
    manifest.write_text(manifest.read_text("utf-8").replace('"Erro/Codigo"', '"Erro/Cod"'), "utf-8")
    result = run(pytester, "--contract", str(folder))
    assert result.ret == 4
    result.stderr.fnmatch_lines([f"ERROR: homologa: contrato (*): {manifest}: o caminho erro_codigo = 'Erro/Cod' *"])
    assert "Traceback" not in result.stderr.str()


def test_malformed_profile_is_a_usage_error(pytester: pytest.Pytester) -> None:
    bad = pytester.path / "homologacao.toml"
    bad.write_text("[alvo]\nurl = 42\n", encoding="utf-8")
    result = run(pytester, "--homologa-profile", str(bad))
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        ["ERROR: homologa: *homologacao.toml:2: alvo.url: esperado texto, recebeu número inteiro 42"]
    )


def test_target_precedence_command_line_environment_profile(pytester: pytest.Pytester, monkeypatch) -> None:
    profile = pytester.path / "homologacao.toml"
    profile.write_text('[alvo]\nurl = "http://do-perfil/c?token=t1"\n', encoding="utf-8")
    result = run(pytester, "--co", "--homologa-profile", str(profile))
    result.stdout.fnmatch_lines(["homologa: alvo http://do-perfil/c?token=*** (origem: perfil (*homologacao.toml))*"])
    monkeypatch.setenv("HOMOLOGA_TARGET", "http://do-ambiente/c")
    result = run(pytester, "--co", "--homologa-profile", str(profile))
    result.stdout.fnmatch_lines(["homologa: alvo http://do-ambiente/c (origem: ambiente (HOMOLOGA_TARGET))*"])
    result = run(pytester, "--co", "--homologa-profile", str(profile), "--target", "http://da-linha/c")
    result.stdout.fnmatch_lines(["homologa: alvo http://da-linha/c (origem: linha de comando (--target))*"])
    assert "t1" not in result.stdout.str()


def test_collecting_the_suite_gives_no_verdict(pytester: pytest.Pytester) -> None:
    result = run_suite(pytester, "--collect-only", "-q")
    assert result.ret == 0 and "veredito" not in result.stdout.str()
    result.stdout.fnmatch_lines(["* tests collected *"])


def test_plugin_stays_out_of_the_way_of_other_test_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nada():\n    assert True\n")
    result = run(pytester)
    assert result.ret == 0
    assert "veredito" not in result.stdout.str()
    assert not (pytester.path / "reports").exists()


def test_harness_fault_is_broken_not_a_distributor_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from homologa.suite.errors import HarnessError

        @pytest.fixture(scope="session")
        def homologa_target():
            raise HarnessError("banco de dados do distribuidor embutido ilegível")

        @pytest.mark.regra("R1")
        def test_cenario(homologa):
            pass
        """
    )
    result = run(pytester)
    assert result.ret == 1
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "[[]falha do próprio homologa[]] banco de dados do distribuidor embutido ilegível (não é defeito*",
            "INCOMPLETO: 1 cenário(s) não rodaram por falha do próprio homologa",
        ]
    )
    assert "REPROVADO" not in result.stdout.str() and "APROVADO" not in result.stdout.str()


def test_plugin_import_is_cheap_and_gevent_free() -> None:
    code = (
        "import sys, homologa.suite.plugin\n"
        "heavy = [m for m in ('locust', 'gevent', 'httpx', 'homologa.suite.client', 'xmlschema') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- verdicts against a hand-written distributor ------------------------------------------------------------


@pytest.mark.parametrize("style", ["prefixo", "padrao"])
def test_conforming_distributor_passes_however_it_spells_its_xml(pytester: pytest.Pytester, style: str) -> None:
    secrets = ["--homologa-bearer", "tok-secreto-789", "--homologa-header", "X-Api-Key: k-secreta-321"]
    with conforming_server(style) as server:
        result = run_suite(pytester, "--target", server.url, *secrets)
        sent = server.requests[0]
    assert sent["Authorization"] == "Bearer tok-secreto-789" and sent["X-Api-Key"] == "k-secreta-321"
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("error", 0) == 0 and outcomes["passed"] > 40
    # this little ERP is not idempotent: best practice B1 is shown, without failing the run
    assert outcomes.get("xfailed") == 1
    result.stdout.fnmatch_lines(
        [
            "APROVADO COM RESSALVAS: regras atendidas; boas práticas não atendidas (consultivas)",
            "boa prática B1 não atendida (consultiva*",
        ]
    )
    results = pytester.path / "allure-results"
    assert (results / "environment.properties").is_file() and (results / "categories.json").is_file()
    assert (results / "executor.json").is_file()
    everything = "".join(p.read_text(encoding="utf-8", errors="replace") for p in results.iterdir())
    for secret in ("segredo123", "tok-secreto-789", "k-secreta-321"):
        assert secret not in everything and secret not in result.stdout.str()
    assert "chave=***" in everything and "Authorization: Bearer ***" in everything


def test_strict_makes_best_practice_blocking(pytester: pytest.Pytester) -> None:
    with conforming_server() as server:
        result = run_suite(pytester, "--target", server.url, "--strict", "-k", "retentativa")
    assert result.ret == 1
    result.assert_outcomes(failed=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(
        [
            "[[]status divergente[]] B1 — Retentativa com o mesmo IdMensagem*",
            "REPROVADO: 1 cenário(s) violam regras do contrato — faltou: * cenário(s) desmarcados (-k/-m/--deselect)*",
        ]
    )


def test_failure_message_reads_top_to_bottom(pytester: pytest.Pytester) -> None:
    with conforming_server("padrao", misbehave="apv-para-novo") as server:
        result = run_suite(pytester, "--target", server.url, "-k", "mensagem_de_ouro or reenvio_completo")
    assert result.ret == 1
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "[[]status divergente[]] R1 — Mensagem de ouro '*' com CNPJ novo recebe PEN",
            "Regra R1: um CNPJ que o distribuidor nunca recebeu recebe PEN.",
            "Passo: cadastro de cliente novo (a mensagem de ouro, com CNPJ novo)",
            "Enviado: POST http://127.0.0.1:*/erp/clientes?chave=*** — CadastroCliente IdMensagem=* CNPJ=*",
            "Esperado: Status PEN",
            "Recebido: Status APV",
            "  HTTP 200 · Content-Type application/xml · * bytes em * s",
            "  Corpo da resposta (início):",
            "    <RetornoCadastroCliente xmlns=*<Status>APV</Status>*",
            "Como corrigir: CNPJ nunca recebido -> Status PEN;*",
            "Reproduza com CNPJs novos: pytest 'suites/test_*.py::test_mensagem_de_ouro_como_cliente_novo_recebe_pen"
            "[[]*[]]' --target 'http://127.0.0.1:*/erp/clientes?chave=***' (o curl abaixo reenvia o mesmo IdMensagem*",
            "Reproduza: curl -sS -i -X POST 'http://127.0.0.1:*/erp/clientes?chave=***' --max-time 10 *--data-binary*",
            "REPROVADO: * cenário(s) violam regras do contrato — faltou: *",
        ]
    )
    assert "segredo123" not in out and "Traceback" not in out and "def test_" not in out
    # a re-send scenario does not fail because the first answer was APV: it proves R2, not R1
    assert "reenvio_completo" not in "".join(line for line in out.splitlines() if line.startswith("FAILED"))


# --- dead and hanging targets -------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def hanging_target() -> Iterator[str]:
    """Accepts connections and reads, never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/clientes"
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    listener.close()


def test_unreachable_target_gives_one_clear_failure(pytester: pytest.Pytester) -> None:
    start = time.monotonic()
    result = run_suite(pytester, "--target", f"http://127.0.0.1:{_closed_port()}/clientes")
    assert time.monotonic() - start < 20
    assert result.ret == 1
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "[[]falha de transporte[]] R1 — *",
            "Recebido: não foi possível conectar ao alvo: *",
            "*homologa: sessão interrompida — falha de transporte com o alvo http://127.0.0.1:*/clientes*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_hanging_target_ends_the_run_after_one_timeout(pytester: pytest.Pytester, hanging_target: str) -> None:
    start = time.monotonic()
    result = run_suite(pytester, "--target", hanging_target, "--homologa-timeout", "0.5")
    assert time.monotonic() - start < 20
    assert result.ret == 1
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["Recebido: o alvo não respondeu em 0.5 s (linha de status e cabeçalhos não chegaram completos)*"]
    )


# --- TLS and mTLS ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_mtls_target_with_client_certificate_passes(pytester: pytest.Pytester, pki: dict[str, Path]) -> None:
    client = ["--homologa-client-cert", str(pki["cliente.pem"]), "--homologa-client-key", str(pki["cliente.key"])]
    with conforming_server(tls=mtls_server_context(pki)) as server:
        verified = run_suite(
            pytester,
            "--target",
            server.url,
            "--homologa-ca-bundle",
            str(pki["ca.pem"]),
            *client,
            "-k",
            "reenvio_completo",
        )
        insecure = run_suite(pytester, "--target", server.url, "--homologa-insecure", *client, "-k", "reenvio_completo")
    # one scenario passes; the run is a partial selection, so INCONCLUSIVO (3), never a sign-off
    assert verified.ret == 3 and insecure.ret == 3
    verified.assert_outcomes(passed=1, deselected=verified.parseoutcomes()["deselected"])
    verified.stdout.fnmatch_lines(["INCONCLUSIVO: a rodada não cobriu o que a homologação exige — faltou: *"])


@pytest.mark.parametrize("missing", ["ca-bundle", "client-cert"])
def test_tls_problems_are_transport_failures(pytester: pytest.Pytester, pki: dict[str, Path], missing: str) -> None:
    args = ["--homologa-ca-bundle", str(pki["ca.pem"])] if missing == "client-cert" else []
    if missing == "ca-bundle":
        args += ["--homologa-client-cert", str(pki["cliente.pem"]), "--homologa-client-key", str(pki["cliente.key"])]
    with conforming_server(tls=mtls_server_context(pki)) as server:
        result = run_suite(pytester, "--target", server.url, *args, "-k", "reenvio_completo")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["[[]falha de transporte[]] R2 — *"])
    if missing == "ca-bundle":
        result.stdout.fnmatch_lines(
            ["Recebido: não foi possível conectar ao alvo: *CERTIFICATE_VERIFY_FAILED* --homologa-ca-bundle*"]
        )
    else:
        result.stdout.fnmatch_lines(["Recebido: *certificate required* — o alvo exige certificado do cliente: *"])


def test_unreadable_client_certificate_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    bogus = tmp_path / "cliente.pem"
    bogus.write_text("não é um certificado", encoding="utf-8")
    result = run(pytester, "--homologa-client-cert", str(bogus))
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        ["ERROR: homologa: opção --homologa-client-cert/--homologa-client-key: não foi possível carregar*"]
    )


def test_latency_budget_is_advisory_then_blocking_with_strict(pytester: pytest.Pytester) -> None:
    profile = pytester.path / "homologacao.toml"
    profile.write_text("[latencia]\np95_ms = 0.001\n", encoding="utf-8")  # no ERP answers in 1 µs
    with conforming_server() as server:
        advisory = run_suite(pytester, "--target", server.url, "--homologa-profile", str(profile), "-k", "latencia")
        strict = run_suite(
            pytester, "--target", server.url, "--homologa-profile", str(profile), "-k", "latencia", "--strict"
        )
    assert advisory.ret == 3 and advisory.parseoutcomes()["xfailed"] == 1  # -k: a partial run is INCONCLUSIVO
    advisory.stdout.fnmatch_lines(
        [
            "boa prática B2 não atendida (consultiva, use --strict para reprovar): *test_latencia_p95*",
            "    [[]latência acima do orçamento[]] B2 — Latência p95 dentro do orçamento do perfil",
            "    Esperado: p95 <= 0.001 ms (latencia.p95_ms do perfil)",
            "    Recebido: p95 * ms (orçamento 0.001 ms), mediana * ms, máximo * ms em 20 respostas",
        ]
    )
    assert strict.ret == 1
    strict.stdout.fnmatch_lines(
        [
            "[[]latência acima do orçamento[]] B2 — Latência p95 dentro do orçamento do perfil",
            "Regra B2: o p95 da latência fica dentro do orçamento do perfil.",
            "Reproduza: curl * -o /dev/null -w '%{time_total}s\\n'",
        ]
    )


def test_the_rerun_command_reproduces_with_fresh_cnpjs_and_passes_once_fixed(pytester: pytest.Pytester) -> None:
    import re

    with conforming_server("padrao", misbehave="apv-para-novo") as server:
        first = run_suite(pytester, "--target", server.url, "-k", "mensagem_de_ouro")
        out = first.stdout.str()
        match = re.search(r"Reproduza com CNPJs novos: pytest '([^']+)'", out)
        assert first.ret == 1 and match, out[-3000:]
        nodeid = match.group(1)
        cnpjs = set(re.findall(r"CNPJ=(\w+)", out))
        again = run(pytester, str(SUITES.parent / nodeid), "--target", server.url)
        assert again.ret == 1  # the bug is still there: the rerun shows it again
        assert set(re.findall(r"CNPJ=(\w+)", again.stdout.str())).isdisjoint(cnpjs)  # with fresh CNPJs
    with conforming_server("padrao") as fixed:
        after_fix = run(pytester, str(SUITES.parent / nodeid), "--target", fixed.url)
    after_fix.assert_outcomes(passed=1)  # once fixed, the same command passes (a partial run: INCONCLUSIVO, exit 3)
    assert after_fix.ret == 3
