"""The burst's parameters: profile defaults, command-line overrides, the rate model, pt-BR errors."""

from __future__ import annotations

import re
from argparse import Namespace
from pathlib import Path

import pytest

from homologa.load.settings import (
    DEST,
    OPTIONS,
    LoadSettings,
    defaults_from,
    fresh_first_index,
    from_options,
    profile_path_from_argv,
    read_profile,
    split_ranges,
)


def opts(**values: object) -> Namespace:
    """Parsed options as Locust leaves them, named by flag: ``opts(first_index="3")`` is ``--first-index 3``."""
    return Namespace(**{DEST["--" + key.replace("_", "-")]: value for key, value in values.items()})


def test_rate_model_users_times_user_rate_is_the_target() -> None:
    s = LoadSettings(rate=40, p95_budget_ms=2000)
    assert s.plateau_users == 80 and s.plateau_users / s.user_interval == pytest.approx(40)
    capped = LoadSettings(rate=1000, p95_budget_ms=2000, max_users=100)
    assert capped.plateau_users == 100 and capped.user_interval == pytest.approx(0.1)
    assert LoadSettings(rate=1000, customers=7).plateau_users == 7
    assert LoadSettings(rate=0).user_interval == 0 and LoadSettings(rate=0, users=3).plateau_users == 3
    assert LoadSettings(validate_share=0.25).validate_every == 4


def test_ranges_are_repeatable_and_comma_separated() -> None:
    assert split_ranges(["01000000-01999999, 02000000-02999999", "05000000-05999999"]) == (
        "01000000-01999999",
        "02000000-02999999",
        "05000000-05999999",
    )
    assert split_ranges(None) == ()


def test_profile_provides_defaults_and_options_override(tmp_path: Path) -> None:
    toml = tmp_path / "homologacao.toml"
    toml.write_text(
        '[latencia]\np95_ms = 800\n[alvo]\ntimeout = 3\n[carga]\nfaixas_cep = ["20000000-20999999"]\n'
        "clientes = 77\nsemente = 9\nreenvios = 0.1\ntaxa = 50\nfalhas_aceitas = 0.02\n",
        encoding="utf-8",
    )
    base = defaults_from(read_profile(toml))
    assert (base.customers, base.seed, base.rate, base.p95_budget_ms, base.timeout) == (77, 9, 50.0, 800.0, 3.0)
    assert base.cep_ranges == ("20000000-20999999",) and base.accepted_failure_ratio == 0.02
    # values typed in the web UI form arrive as strings
    merged = from_options(opts(customers="10", rate="5.5", cep_range="01000000-01999999", seed=None), base)
    assert (merged.customers, merged.rate, merged.seed, merged.cep_ranges) == (10, 5.5, 9, ("01000000-01999999",))


def test_profile_path_from_argv_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOMOLOGA_PROFILE", raising=False)
    assert profile_path_from_argv(["--headless"]) is None
    assert profile_path_from_argv(["--homologa-profile", "a.toml"]) == Path("a.toml")
    assert profile_path_from_argv(["--homologa-profile=b.toml"]) == Path("b.toml")
    monkeypatch.setenv("HOMOLOGA_PROFILE", "c.toml")
    assert profile_path_from_argv([]) == Path("c.toml")


@pytest.mark.parametrize(
    "options,message",
    [
        ({"customers": "0"}, "--customers"),
        ({"customers": "muitos"}, "--customers espera um número"),
        ({"resend_share": "2"}, "--resend-share"),
        ({"rate": "-1"}, "--rate"),
        ({"shape": "onda"}, "--shape"),
        ({"validate_share": "0"}, "--validate-share"),
    ],
)
def test_bad_values_are_refused_in_portuguese(options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_options(opts(**options))


def test_auth_headers_and_their_hand_over_in_the_environment() -> None:
    from homologa.load.settings import AUTH_HEADERS_ENV, auth_headers, headers_from_env
    from homologa.profile import Auth

    assert auth_headers(Auth(basic="ana:s3nha")) == {"Authorization": "Basic YW5hOnMzbmhh"}
    assert auth_headers(Auth(bearer="tok", headers={"X-Api-Key": "k"})) == {
        "X-Api-Key": "k",
        "Authorization": "Bearer tok",
    }
    assert auth_headers(None) == {}
    assert headers_from_env({AUTH_HEADERS_ENV: '{"Authorization": "Bearer t"}'}) == {"Authorization": "Bearer t"}
    assert headers_from_env({}) == {}
    with pytest.raises(ValueError, match=AUTH_HEADERS_ENV):
        headers_from_env({AUTH_HEADERS_ENV: "[1]"})


def test_fresh_bursts_start_above_the_explicit_seeds_share_and_differ() -> None:
    from homologa.generator.source import MAX_INDEX, RAIZ_SPACE

    draws = {fresh_first_index(10_000_000) for _ in range(50)}
    assert len(draws) == 50 and all(RAIZ_SPACE <= d <= MAX_INDEX - 10_000_000 for d in draws)


def test_first_index_and_replay_come_from_the_options_and_are_checked() -> None:
    s = from_options(opts(seed="9", first_index="123456789", replay="sim"), LoadSettings())
    assert (s.seed, s.first_index, s.replay) == (9, 123456789, True)
    assert from_options(opts(seed="", first_index="", replay=False), LoadSettings()).first_index == 0
    with pytest.raises(ValueError, match="--first-index deve estar entre 0 e"):
        from_options(opts(first_index="-1"), LoadSettings())
    with pytest.raises(ValueError, match="--first-index espera um número"):
        from_options(opts(first_index="abc"), LoadSettings())


def _camel(key: str) -> str:  # what Locust's web UI does to a template key (di in its bundle)
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), key)


def _snake(key: str) -> str:  # ... and to a form field before posting it back (fi)
    return key if key[0] == key[0].upper() else re.sub(r"([a-z0-9])([A-Z0-9])", r"\1_\2", key).lower()


def _label(key: str) -> str:  # ... and the label it shows (hi)
    spaced = re.sub(r"([a-z0-9])([A-Z0-9])", r"\1 \2", _camel(key))
    return spaced[0].upper() + spaced[1:]


def test_web_ui_names_are_portuguese_and_survive_the_forms_round_trip() -> None:
    """A dest the web UI cannot post back under the same name is silently ignored: e.g. ``p95_budget_ms``."""
    assert _snake(_camel("p95_budget_ms")) != "p95_budget_ms"  # the trap this guards against
    for dest, _flag, _field in OPTIONS:
        assert _snake(_camel(dest)) == dest, dest
    labels = [_label(dest) for dest, _, _ in OPTIONS]
    assert labels[:5] == ["Clientes", "Faixas De Cep", "Taxa", "Orçamento", "Falhas Aceitas"]
    assert "Índice Inicial" in labels and "Repetição" in labels
