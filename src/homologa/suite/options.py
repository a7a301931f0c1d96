"""The suite's settings: command line > environment > profile file > defaults, checked up front.

:func:`resolve` turns the raw option values into a :class:`Settings` or raises :class:`SettingsError` with a
one-line pt-BR message (the plugin turns it into a pytest usage error, exit code 4). No network, no pytest here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from homologa.model import parse_field_groups
from homologa.profile import Auth, Profile, ProfileError, load_profile
from homologa.secrets import mask_url, url_secrets

DEFAULT_TIMEOUT = 10.0
DEFAULT_P95_BUDGET_MS = 2000.0
DEFAULT_PROFILE = "homologacao.toml"
ENV_TARGET = "HOMOLOGA_TARGET"
ENV_PROFILE = "HOMOLOGA_PROFILE"
ENV_BEARER = "HOMOLOGA_BEARER"
ENV_BASIC_AUTH = "HOMOLOGA_BASIC_AUTH"
ENV_CONTRACT = "HOMOLOGA_CONTRACT"
DEFAULT_CONTRACT = "1"
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class SettingsError(ValueError):
    """A malformed option, environment variable or profile: one pt-BR line for the user."""


@dataclass(frozen=True)
class RawOptions:
    """Option values exactly as the command line gave them (None: not given)."""

    target: str | None = None
    profile: str | None = None
    timeout: str | None = None
    basic_auth: str | None = None
    bearer: str | None = None
    headers: Sequence[str] = ()
    client_cert: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None
    insecure: bool = False
    protected_fields: str | None = None
    strict: bool = False
    seed: str | None = None
    contract: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything a suite run needs to know, already checked."""

    target: str | None  # None: start the embedded reference distributor
    target_source: str  # where the target came from, for the report header
    timeout: float = DEFAULT_TIMEOUT
    auth: Auth = field(default_factory=Auth)
    protected_fields: tuple[str, ...] = ()
    strict: bool = False
    p95_budget_ms: float = DEFAULT_P95_BUDGET_MS
    seed: int | None = None
    profile: Profile | None = None
    cep_ranges: tuple[str, ...] = ()  # the distributor's CEP ranges (profile [carga] faixas_cep), already checked
    contract: str = DEFAULT_CONTRACT  # the contract pack: a name under contracts/ or a folder (checked at load)
    contract_source: str = "padrão"

    @property
    def masked_target(self) -> str:
        return mask_url(self.target) if self.target else "distribuidor de referência embutido"

    def secrets(self) -> list[str]:
        """Every secret value of this run (for redaction of anything shown)."""
        return [*self.auth.secrets(), *url_secrets(self.target)]


def check_target(url: str, where: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host, else :class:`SettingsError` (URL shown masked)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise SettingsError(
            f"{where}: URL inválida {mask_url(url)!r} (esperado http(s)://host[:porta]/caminho)"
        ) from None
    if parts.scheme not in ("http", "https") or not host:
        raise SettingsError(f"{where}: URL inválida {mask_url(url)!r} (esperado http(s)://host[:porta]/caminho)")
    return url


def parse_timeout(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{where}: esperado um número de segundos, recebeu {text!r}") from None
    if not 0 < value <= 600:
        raise SettingsError(f"{where}: deve estar entre 0 e 600 segundos, recebeu {text!r}")
    return value


def parse_header(text: str) -> tuple[str, str]:
    """``"X-Api-Key: valor"`` -> ``("X-Api-Key", "valor")``."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not _HEADER_NAME.fullmatch(name):
        shown = name if _HEADER_NAME.fullmatch(name) else "..."
        raise SettingsError(
            f"opção --homologa-header: esperado 'Nome: valor', recebeu {shown!r} sem ':' ou com nome inválido"
        )
    return name, value.strip()


def _basic(text: str, where: str) -> str:
    if ":" not in text or not text.split(":", 1)[0]:
        raise SettingsError(f"{where}: esperado USUARIO:SENHA")
    return text


def _file(path: str | None, where: str) -> str | None:
    if path is None:
        return None
    if not Path(path).is_file():
        raise SettingsError(f"{where}: arquivo não encontrado: {path}")
    return path


def _seed(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise SettingsError(f"opção --customer-seed: esperado um número inteiro, recebeu {text!r}") from None


def _profile(raw: RawOptions, env: Mapping[str, str]) -> Profile | None:
    """The declared profile: --perfil, then the environment, then ./homologacao.toml (as the load profile does)."""
    path = raw.profile or env.get(ENV_PROFILE) or None
    if path is None and Path(DEFAULT_PROFILE).is_file():
        path = DEFAULT_PROFILE
    if not path:
        return None
    try:
        return load_profile(path)
    except ProfileError as exc:
        raise SettingsError(str(exc)) from None


def contract_choice(raw: str | None, env: Mapping[str, str], profile: Profile | None) -> tuple[str, str]:
    """The contract pack (name or folder) and where it came from: command line > environment > profile > v1.

    A relative folder in the profile is relative to the profile's own folder. The pack itself is loaded (and
    checked) by the caller: loading costs a few milliseconds and is not needed to parse options."""
    if raw:
        return raw, "linha de comando (--contract)"
    if env.get(ENV_CONTRACT):
        return env[ENV_CONTRACT], f"ambiente ({ENV_CONTRACT})"
    if profile is not None and profile.contract:
        value = profile.contract
        if ("/" in value or value.startswith(".")) and profile.path is not None and not Path(value).is_absolute():
            value = str(Path(profile.path).parent / value)
        return value, f"perfil ({profile.path})"
    return DEFAULT_CONTRACT, "padrão"


def resolve(raw: RawOptions, env: Mapping[str, str] | None = None) -> Settings:
    """The run's settings, with precedence command line > environment > profile > defaults."""
    env = os.environ if env is None else env
    profile = _profile(raw, env)

    target, source = None, "embutido"
    if raw.target:
        target, source = check_target(raw.target, "opção --target"), "linha de comando (--target)"
    elif env.get(ENV_TARGET):
        target, source = check_target(env[ENV_TARGET], f"variável {ENV_TARGET}"), f"ambiente ({ENV_TARGET})"
    elif profile and profile.target:
        target, source = check_target(profile.target, f"perfil {profile.path}: alvo.url"), f"perfil ({profile.path})"

    timeout = DEFAULT_TIMEOUT
    if raw.timeout is not None:
        timeout = parse_timeout(raw.timeout, "opção --homologa-timeout")
    elif profile and profile.timeout:
        timeout = profile.timeout

    base = profile.auth if profile else Auth()
    headers = dict(base.headers)
    for text in raw.headers:
        name, value = parse_header(text)
        headers[name] = value
    basic = raw.basic_auth or env.get(ENV_BASIC_AUTH) or base.basic
    if basic:
        basic = _basic(basic, "opção --homologa-basic-auth")
    client_cert = _file(raw.client_cert or base.client_cert, "opção --homologa-client-cert")
    client_key = _file(raw.client_key or base.client_key, "opção --homologa-client-key")
    if client_key and not client_cert:
        raise SettingsError(
            "opção --homologa-client-key exige --homologa-client-cert (o certificado do cliente para mTLS)"
        )
    auth = Auth(
        basic=basic,
        bearer=raw.bearer or env.get(ENV_BEARER) or base.bearer,
        headers=headers,
        client_cert=client_cert,
        client_key=client_key,
        ca_bundle=_file(raw.ca_bundle or base.ca_bundle, "opção --homologa-ca-bundle"),
        insecure=raw.insecure or base.insecure,
    )
    if auth.basic and auth.bearer:
        basic_from = _source(raw.basic_auth, env.get(ENV_BASIC_AUTH), "--homologa-basic-auth", ENV_BASIC_AUTH)
        bearer_from = _source(raw.bearer, env.get(ENV_BEARER), "--homologa-bearer", ENV_BEARER)
        raise SettingsError(
            f"use Basic ou Bearer, não os dois (ambos usam o cabeçalho Authorization): Basic veio de {basic_from}"
            f" e Bearer de {bearer_from}"
        )

    protected = profile.protected_fields if profile else ()
    if raw.protected_fields is not None:
        try:
            protected = parse_field_groups(raw.protected_fields)
        except ValueError as exc:
            raise SettingsError(f"opção --protected-fields: {exc}") from None

    budget = profile.p95_budget_ms if profile and profile.p95_budget_ms else DEFAULT_P95_BUDGET_MS
    ranges = profile.load.cep_ranges if profile else ()
    if ranges:
        from homologa.generator import parse_cep_range

        for text in ranges:
            try:
                parse_cep_range(text)
            except ValueError as exc:
                raise SettingsError(f"perfil {profile.path if profile else ''}: carga.faixas_cep: {exc}") from None
    contract, contract_source = contract_choice(raw.contract, env, profile)
    return Settings(
        contract=contract,
        contract_source=contract_source,
        target=target,
        target_source=source,
        timeout=timeout,
        auth=auth,
        protected_fields=protected,
        strict=raw.strict,
        p95_budget_ms=budget,
        seed=_seed(raw.seed),
        profile=profile,
        cep_ranges=tuple(ranges),
    )


def _source(option: str | None, variable: str | None, flag: str, name: str) -> str:
    """Where a credential came from, for a message (never the credential itself)."""
    if option:
        return f"opção {flag}"
    if variable:
        return f"variável {name}"
    return "o perfil ([autenticacao])"
