"""The burst over TLS with the profile's CA bundle and client certificate: real Locust subprocesses against a small
HTTPS distributor that demands a client certificate (mTLS), with a throw-away PKI made by openssl."""

from __future__ import annotations

from pathlib import Path

import pytest
from suite_support import conforming_server, make_pki, mtls_server_context
from test_load_runs import burst

CUSTOMERS = "50"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_pki(tmp_path_factory.mktemp("pki"))


def profile(tmp_path: Path, **auth: Path | bool) -> Path:
    """A ``homologacao.toml`` with only an ``[autenticacao]`` table (certificado_cliente, chave_cliente, ca_bundle)."""
    toml = {key: str(value).lower() if isinstance(value, bool) else f'"{value}"' for key, value in auth.items()}
    lines = ["[autenticacao]", *(f"{key} = {value}" for key, value in toml.items())]
    path = tmp_path / "homologacao.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(url: str, tmp_path: Path, path: Path) -> tuple[int, dict[str, object], str]:
    args = ("--homologa-profile", str(path), "--customers", CUSTOMERS, "--rate", "0", "--concurrency", "4")
    return burst(url, tmp_path, *args, timeout=60)


@pytest.mark.parametrize("trust", ["ca_bundle", "inseguro"])
def test_mtls_target_answers_every_customer_with_the_profile_certificates(
    tmp_path: Path, pki: dict[str, Path], trust: str
) -> None:
    # the server's certificate is checked against the profile's CA bundle, or not at all with inseguro = true
    server_trust: dict[str, Path | bool] = {"ca_bundle": pki["ca.pem"]} if trust == "ca_bundle" else {"inseguro": True}
    path = profile(tmp_path, certificado_cliente=pki["cliente.pem"], chave_cliente=pki["cliente.key"], **server_trust)
    with conforming_server(tls=mtls_server_context(pki)) as server:
        code, result, output = run(server.url, tmp_path, path)
        known = len(server.known)
    assert code == 0, output
    assert result["enviados"] == 50 and result["pen"] == 50 and result["falhas"] == {}, result
    assert known == 50  # every customer reached the distributor through the mutual TLS handshake


def test_without_the_client_certificate_every_customer_is_a_transport_failure(
    tmp_path: Path, pki: dict[str, Path]
) -> None:
    path = profile(tmp_path, ca_bundle=pki["ca.pem"])  # the server is trusted, but the client shows no certificate
    with conforming_server(tls=mtls_server_context(pki)) as server:
        code, result, output = run(server.url, tmp_path, path)
        known = len(server.known)
    assert code == 1, output
    assert result["falhas"] == {"falha de transporte": 50} and result["enviados"] == 50, result
    assert "falha de transporte: 50" in output and known == 0


def test_unloadable_certificate_files_are_one_portuguese_line_and_exit_2(tmp_path: Path, pki: dict[str, Path]) -> None:
    bogus = tmp_path / "cliente.pem"
    bogus.write_text("não é um certificado", encoding="utf-8")
    cases = (
        ({"ca_bundle": tmp_path / "nao-existe.pem"}, "ca_bundle: não foi possível carregar", "arquivo não encontrado"),
        (
            {"certificado_cliente": bogus, "chave_cliente": pki["cliente.key"]},
            "certificado_cliente/chave_cliente: não foi possível carregar",
            "PEM inválido",
        ),
    )
    for auth, message, reason in cases:
        code, _, output = burst(
            "https://127.0.0.1:9/clientes", tmp_path, "--homologa-profile", str(profile(tmp_path, **auth))
        )
        assert code == 2, output
        assert message in output and reason in output and "Traceback" not in output, output
