"""Diagnoses before details: when most scenarios fail the same way, the summary names the likely cause first.

Real loopback HTTP servers that answer every request the same wrong way (404, 401 with WWW-Authenticate, a
redirect whose Location carries a secret), a closed port, and a correct server for the negative case.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from suite_support import conforming_server

from homologa.suite import diagnosis
from homologa.suite.client import Exchange
from homologa.suite.scenarios import Customers, base_customer

pytest_plugins = ["pytester"]

SUITES = Path(__file__).resolve().parents[1] / "suites"
SUBSET = "clientes_novos and (cada_uf or tamanho or acentos)"  # ~30 scenarios: enough for "most", quick


@contextmanager
def answering(status: int, headers: dict[str, str]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = b"<html>nada aqui</html>"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/clientes"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def run_suite(pytester: pytest.Pytester, target: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "-p", "no:locust", "-p", "no:faker", "-p", "no:cacheprovider", str(SUITES),
        "--alluredir", str(pytester.path / "allure-results"), "--target", target, "--homologa-timeout", "2", *args,
    )  # fmt: skip


def test_every_scenario_answered_404_says_check_the_path(pytester: pytest.Pytester) -> None:
    with answering(404, {}) as url:
        result = run_suite(pytester, url, "-k", SUBSET)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        ["causa provável (* de * cenários falharam assim): HTTP 404 *confira o caminho da URL*"]
    )
    verdict_at = out.index("veredito da homologação")
    assert verdict_at < out.index("causa provável") < out.index("alvo: ", verdict_at)  # before the details
    assert "[erro retornado] R1 — " in out or "[resposta inválida] R1 — " in out  # per-scenario messages stay


def test_401_shows_the_authentication_challenge(pytester: pytest.Pytester) -> None:
    with answering(401, {"WWW-Authenticate": 'Basic realm="ERP homologacao"'}) as url:
        result = run_suite(pytester, url, "-k", SUBSET, "--homologa-bearer", "tok-secreto-123")
    result.stdout.fnmatch_lines(
        ['causa provável *: HTTP 401 (não autenticado) — confira as credenciais *WWW-Authenticate: Basic realm="ERP*']
    )
    assert "tok-secreto-123" not in result.stdout.str()


def test_redirect_shows_location_masked_and_is_not_followed(pytester: pytest.Pytester) -> None:
    with answering(301, {"Location": "https://erp.exemplo/clientes?token=s3gr3d0"}) as url:
        result = run_suite(pytester, url, "-k", SUBSET)
    result.stdout.fnmatch_lines(
        [
            "*Location: https://erp.exemplo/clientes?token=*** (redirecionamento: o homologa não segue)",
            "causa provável *: HTTP 301 (redirecionamento) para Location: https://erp.exemplo/clientes?token=*** — *",
        ]
    )
    assert "s3gr3d0" not in result.stdout.str()


def test_connection_refused_says_nothing_is_listening(pytester: pytest.Pytester) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_suite(pytester, f"http://127.0.0.1:{port}/clientes")
    result.stdout.fnmatch_lines(
        [f"causa provável (a rodada parou na primeira falha): conexão recusada — nada escutando em 127.0.0.1:{port}*"]
    )


def test_a_correct_target_gets_no_diagnosis(pytester: pytest.Pytester) -> None:
    with conforming_server() as server:
        result = run_suite(pytester, server.url, "-k", SUBSET)
    assert "causa provável" not in result.stdout.str()


# --- the rule itself ------------------------------------------------------------------------------------------


def _exchange(**fields: object) -> Exchange:
    customers = Customers(3)
    message = customers.message(customers.fresh(base_customer()))
    return Exchange(url="http://erp/x", message=message, request=b"", request_headers={}, **fields)  # type: ignore[arg-type]


def _cause(symptoms: list[diagnosis.Symptom | None], ran: int, *, stopped: bool = False) -> str | None:
    stash = pytest.Stash()
    for found in symptoms:
        diagnosis.note(stash, found)
    return diagnosis.probable_cause(stash, ran, "http://erp:8080/x", stopped=stopped)


def test_a_cause_needs_most_of_the_run() -> None:
    e404 = diagnosis.symptom(_exchange(status=404))
    assert _cause([e404] * 6, ran=10) is not None
    assert _cause([e404] * 5, ran=10) is None  # half is not most
    assert _cause([e404], ran=1) is None  # one failure is a detail, unless it stopped the run
    mixed = [e404, diagnosis.symptom(_exchange(status=500))] * 3
    assert _cause(mixed, ran=6) is None
    redirects = [diagnosis.symptom(_exchange(status=302, location=f"https://erp/{i}")) for i in range(4)]
    assert _cause(redirects, ran=4) is None  # not the same way: each to a different place


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"status": 403, "www_authenticate": "Bearer"}, "HTTP 403"),
        ({"status": 405}, "não aceita POST"),
        ({"status": 503}, "HTTP 503 (erro interno do ERP)"),
        ({"transport_error": "não foi possível conectar ao alvo: [Errno -2] Name or service not known"}, "DNS"),
        (
            {"transport_error": "... CERTIFICATE_VERIFY_FAILED ... — informe a CA com --homologa-ca-bundle"},
            "--homologa-ca-bundle",
        ),
        ({"transport_error": "[SSL: WRONG_VERSION_NUMBER] wrong version number"}, "fala HTTPS"),
        (
            {"transport_error": "o alvo não respondeu em 2 s — vale para a troca inteira: conexão, TLS"},
            "--homologa-timeout",
        ),
    ],
)
def test_each_symptom_names_its_cause(fields: dict[str, object], expected: str) -> None:
    found = diagnosis.symptom(_exchange(**fields))
    cause = _cause([found] * 3, ran=3)
    assert cause is not None and expected in cause, cause


def test_an_ordinary_contract_failure_has_no_symptom() -> None:
    assert diagnosis.symptom(_exchange(status=200)) is None
