"""Settings resolution: command line > environment > profile > defaults, and pt-BR errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from homologa.suite.options import RawOptions, SettingsError, resolve

PROFILE = """
[alvo]
url = "https://erp.exemplo/clientes?token=do-perfil"
timeout = 7

[autenticacao]
bearer = "token-do-perfil"
cabecalhos = { "X-Filial" = "01" }

[campos_protegidos]
campos = ["telefone"]

[latencia]
p95_ms = 800
"""


@pytest.fixture
def profile(tmp_path: Path) -> str:
    path = tmp_path / "homologacao.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return str(path)


def test_defaults_mean_the_embedded_distributor():
    s = resolve(RawOptions(), env={})
    assert s.target is None and s.target_source == "embutido"
    assert s.timeout == 10 and s.p95_budget_ms == 2000 and s.protected_fields == () and not s.strict


def test_profile_fills_everything(profile):
    s = resolve(RawOptions(profile=profile), env={})
    assert s.target == "https://erp.exemplo/clientes?token=do-perfil"
    assert s.target_source.startswith("perfil")
    assert s.masked_target == "https://erp.exemplo/clientes?token=***"
    assert (s.timeout, s.p95_budget_ms, s.protected_fields) == (7, 800, ("telefone",))
    assert s.auth.bearer == "token-do-perfil" and s.auth.headers == {"X-Filial": "01"}


def test_environment_beats_profile_and_command_line_beats_both(profile):
    env = {"HOMOLOGA_TARGET": "http://do-ambiente/x", "HOMOLOGA_PROFILE": profile}
    s = resolve(RawOptions(), env=env)
    assert s.target == "http://do-ambiente/x" and s.target_source == "ambiente (HOMOLOGA_TARGET)"
    s = resolve(RawOptions(target="http://da-linha/x", timeout="3", protected_fields="endereco"), env=env)
    assert s.target == "http://da-linha/x" and s.target_source == "linha de comando (--target)"
    assert s.timeout == 3 and s.protected_fields == ("endereco",)


def test_command_line_headers_add_to_and_override_the_profile(profile):
    s = resolve(RawOptions(profile=profile, headers=("X-Filial: 02", "X-Outro:  a b ")), env={})
    assert s.auth.headers == {"X-Filial": "02", "X-Outro": "a b"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (RawOptions(target="ftp://erp/x"), "opção --target: URL inválida 'ftp://erp/x'"),
        (RawOptions(target="http://erp:99999/x"), "opção --target: URL inválida"),
        (RawOptions(target="http:///semhost"), "opção --target: URL inválida"),
        (RawOptions(timeout="dez"), "opção --homologa-timeout: esperado um número de segundos, recebeu 'dez'"),
        (RawOptions(timeout="0"), "opção --homologa-timeout: deve estar entre 0 e 600 segundos"),
        (RawOptions(headers=("SemDoisPontos",)), "opção --homologa-header: esperado 'Nome: valor'"),
        (RawOptions(basic_auth="sem-senha"), "opção --homologa-basic-auth: esperado USUARIO:SENHA"),
        (
            RawOptions(basic_auth="u:p", bearer="t"),
            "não os dois (ambos usam o cabeçalho Authorization): Basic veio de opção --homologa-basic-auth e Bearer"
            " de opção --homologa-bearer",
        ),
        (RawOptions(client_cert="/nao/existe.pem"), "opção --homologa-client-cert: arquivo não encontrado"),
        (
            RawOptions(protected_fields="telefone,cor"),
            "opção --protected-fields: campo(s) protegido(s) desconhecido(s): cor",
        ),
        (RawOptions(profile="/nao/existe.toml"), "não foi possível ler o perfil /nao/existe.toml"),
        (RawOptions(seed="abc"), "opção --customer-seed: esperado um número inteiro"),
    ],
)
def test_bad_input_is_one_pt_br_line(raw, message):
    with pytest.raises(SettingsError) as info:
        resolve(raw, env={})
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_basic_and_bearer_name_where_each_came_from_never_the_secret():
    with pytest.raises(SettingsError) as info:
        resolve(RawOptions(basic_auth="u:segredo-basic"), env={"HOMOLOGA_BEARER": "segredo-bearer"})
    message = str(info.value)
    assert "Basic veio de opção --homologa-basic-auth e Bearer de variável HOMOLOGA_BEARER" in message
    assert "segredo" not in message


def test_bad_target_from_environment_names_the_variable():
    with pytest.raises(SettingsError, match="variável HOMOLOGA_TARGET: URL inválida"):
        resolve(RawOptions(), env={"HOMOLOGA_TARGET": "erp.exemplo/clientes"})


def test_secrets_in_a_bad_url_are_masked():
    with pytest.raises(SettingsError) as info:
        resolve(RawOptions(target="gopher://u:senha-secreta@erp/x?token=abc123"), env={})
    assert "senha-secreta" not in str(info.value) and "abc123" not in str(info.value)


def test_secrets_list_covers_auth_and_url_password():
    s = resolve(RawOptions(target="http://u:pw-na-url@erp/x", bearer="tok-1"), env={})
    assert {"pw-na-url", "tok-1"} <= set(s.secrets())


def test_profile_cep_ranges_are_checked_up_front(tmp_path: Path):
    good = tmp_path / "bom.toml"
    good.write_text('[carga]\nfaixas_cep = ["01000000-05999999"]\n', encoding="utf-8")
    assert resolve(RawOptions(profile=str(good)), env={}).cep_ranges == ("01000000-05999999",)
    bad = tmp_path / "ruim.toml"
    bad.write_text('[carga]\nfaixas_cep = ["0100-0599"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"carga\.faixas_cep: faixa de CEP malformada: '0100-0599'"):
        resolve(RawOptions(profile=str(bad)), env={})


def test_contract_precedence_command_line_then_environment_then_profile(tmp_path: Path):
    path = tmp_path / "homologacao.toml"
    path.write_text('[alvo]\nurl = "http://erp/x"\ncontrato = "pacotes/meu"\n', encoding="utf-8")
    assert resolve(RawOptions(), env={}).contract == "1"
    s = resolve(RawOptions(profile=str(path)), env={})
    assert s.contract == str(tmp_path / "pacotes" / "meu") and s.contract_source.startswith("perfil")
    s = resolve(RawOptions(profile=str(path)), env={"HOMOLOGA_CONTRACT": "v1-soap"})
    assert (s.contract, s.contract_source) == ("v1-soap", "ambiente (HOMOLOGA_CONTRACT)")
    s = resolve(RawOptions(profile=str(path), contract="v1"), env={"HOMOLOGA_CONTRACT": "v1-soap"})
    assert (s.contract, s.contract_source) == ("v1", "linha de comando (--contract)")
