"""The distributor's declaration, ``homologacao.toml``: target, auth, protected fields, timeouts, latency budget
and the go-live burst (CEP ranges, customers, rate). Read by the contract suite and the load profile.

Values come, in order of precedence, from the command line, then the environment, then this file; this module only
reads the file and checks it. Errors are :class:`ProfileError` with a pt-BR message naming the key.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homologa.model import parse_field_groups
from homologa.oserrors import why


class ProfileError(ValueError):
    """The profile file is missing, not TOML, or has a bad value; the message is pt-BR and names the key."""


@dataclass(frozen=True)
class Auth:
    basic: str | None = None  # "usuario:senha"
    bearer: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    client_cert: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None
    insecure: bool = False

    def secrets(self) -> list[str]:
        """Every secret value in here, for redaction."""
        found = [v for v in (self.bearer,) if v]
        if self.basic:
            found.append(self.basic)
            found.append(self.basic.split(":", 1)[-1])
        found.extend(v for v in self.headers.values() if v)
        if self.client_key:
            found.append(self.client_key)
        return found


@dataclass(frozen=True)
class LoadPlan:
    cep_ranges: tuple[str, ...] = ()
    customers: int = 1000
    seed: int = 1
    resend_share: float = 0.0
    rate: float = 100.0  # customers/s at the plateau
    accepted_failure_ratio: float = 0.0


@dataclass(frozen=True)
class Profile:
    path: Path | None = None
    name: str | None = None  # distributor's name
    cnpj: str | None = None  # distributor's CNPJ (names the sign-off package)
    target: str | None = None
    contract: str | None = None  # the contract pack the target speaks ([alvo] contrato)
    timeout: float | None = None
    p95_budget_ms: float | None = None
    protected_fields: tuple[str, ...] = ()
    auth: Auth = field(default_factory=Auth)
    load: LoadPlan = field(default_factory=LoadPlan)


# Every section and key a profile may have: anything else is a typo, and a typo must not silently change what is
# tested (``[alvo] urll = ...`` once sent the run to the embedded reference distributor).
SCHEMA: dict[str, tuple[str, ...]] = {
    "distribuidor": ("nome", "cnpj"),
    "alvo": ("url", "timeout", "contrato"),
    "autenticacao": (
        "basic",
        "bearer",
        "cabecalhos",
        "certificado_cliente",
        "chave_cliente",
        "ca_bundle",
        "inseguro",
    ),
    "campos_protegidos": ("campos",),
    "latencia": ("p95_ms",),
    "carga": ("faixas_cep", "clientes", "semente", "reenvios", "taxa", "falhas_aceitas"),
}
_TYPE_NAMES = {str: "texto", int: "número inteiro", float: "número", bool: "true/false", list: "lista", dict: "tabela"}
_HEADER = re.compile(r"^\s*\[\s*([^\]\s]+)\s*\]")


def _suggest(name: str, options: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f' (você quis dizer "{close[0]}"?)' if close else f" (válidas: {', '.join(options)})"


def _line_of(text: str, section: str | None, key: str | None = None) -> int | None:
    """The 1-based line where ``[section]`` (or ``key`` inside it) is written; None when not found."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            current = header.group(1).strip('"')
            if key is None and current == section:
                return number
            continue
        if key is not None and current == section and re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line):
            return number
    return None


class _Where:
    """File and line for a profile's messages: ``homologacao.toml:7: alvo.urll: ...``."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def __call__(self, section: str | None, key: str | None = None) -> str:
        line = _line_of(self.text, section, key)
        return f"{self.path}:{line}" if line else str(self.path)


def _check_schema(data: dict[str, Any], where: _Where) -> None:
    for section, value in data.items():
        if section not in SCHEMA:
            raise ProfileError(f"{where(section)}: seção desconhecida [{section}]{_suggest(section, list(SCHEMA))}")
        if section == "campos_protegidos" and isinstance(value, list):
            continue
        if not isinstance(value, dict):
            raise ProfileError(f"{where(None)}: [{section}] deve ser uma tabela TOML")
        for key in value:
            if key not in SCHEMA[section]:
                raise ProfileError(
                    f"{where(section, key)}: chave desconhecida {section}.{key}{_suggest(key, SCHEMA[section])}"
                )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if set(kinds) == {int, float}:
        return "número"
    return " ou ".join(dict.fromkeys(_TYPE_NAMES.get(k, k.__name__) for k in kinds))


def _get(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table.get(key)
    if value is None:
        return None
    wrong_bool = isinstance(value, bool) and kind is not bool and not (isinstance(kind, tuple) and bool in kind)
    if wrong_bool or not isinstance(value, kind):
        got = _TYPE_NAMES.get(type(value), type(value).__name__)
        raise ProfileError(f"{where}.{key}: esperado {_kind_name(kind)}, recebeu {got} {value!r}")
    return value


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(f"[{key}] deve ser uma tabela TOML")
    return value


def load_profile(path: str | Path) -> Profile:
    """Read and check a ``homologacao.toml``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"não foi possível ler o perfil {path}: {why(exc)}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"perfil {path} não é TOML válido: {exc}") from None
    where = _Where(path, text)
    try:
        return _build(path, data, where)
    except ProfileError as exc:
        message = str(exc)
        if not message.startswith(str(path)):
            named = re.match(r"^\[?(\w+)\]?(?:\.(\w+))?", message)
            place = where(named.group(1), named.group(2)) if named else str(path)
            message = f"{place}: {message}"
        raise ProfileError(message) from None


def _build(path: Path, data: dict[str, Any], where: _Where) -> Profile:
    _check_schema(data, where)

    dist = _table(data, "distribuidor")
    alvo = _table(data, "alvo")
    auth = _table(data, "autenticacao")
    lat = _table(data, "latencia")
    carga = _table(data, "carga")
    prot = data.get("campos_protegidos", {})
    campos = prot.get("campos", []) if isinstance(prot, dict) else prot
    if not isinstance(campos, list) or not all(isinstance(c, str) for c in campos):
        raise ProfileError('campos_protegidos.campos deve ser uma lista de nomes, ex.: ["telefone", "endereco"]')
    try:
        protected = parse_field_groups(",".join(campos))
    except ValueError as exc:
        raise ProfileError(f"campos_protegidos: {exc}") from None

    headers = _get(auth, "cabecalhos", dict, "autenticacao") or {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise ProfileError("autenticacao.cabecalhos deve mapear nomes a valores de texto")
    timeout = _get(alvo, "timeout", (int, float), "alvo")
    if timeout is not None and timeout <= 0:
        raise ProfileError(f"alvo.timeout deve ser positivo, recebeu {timeout}")
    p95 = _get(lat, "p95_ms", (int, float), "latencia")
    if p95 is not None and p95 <= 0:
        raise ProfileError(f"latencia.p95_ms deve ser positivo, recebeu {p95}")

    ranges = _get(carga, "faixas_cep", list, "carga") or []
    if not all(isinstance(r, str) for r in ranges):
        raise ProfileError('carga.faixas_cep deve ser uma lista de faixas como "01000000-05999999"')
    plan = LoadPlan(
        cep_ranges=tuple(ranges),
        customers=_positive_int(carga, "clientes", 1000),
        seed=int(_get(carga, "semente", int, "carga") or 1),
        resend_share=_share(carga, "reenvios", 0.0),
        rate=float(_get(carga, "taxa", (int, float), "carga") or 100.0),
        accepted_failure_ratio=_share(carga, "falhas_aceitas", 0.0),
    )
    return Profile(
        path=path,
        name=_get(dist, "nome", str, "distribuidor"),
        cnpj=_get(dist, "cnpj", str, "distribuidor"),
        target=_get(alvo, "url", str, "alvo"),
        contract=_get(alvo, "contrato", str, "alvo"),
        timeout=None if timeout is None else float(timeout),
        p95_budget_ms=None if p95 is None else float(p95),
        protected_fields=protected,
        auth=Auth(
            basic=_get(auth, "basic", str, "autenticacao"),
            bearer=_get(auth, "bearer", str, "autenticacao"),
            headers=dict(headers),
            client_cert=_get(auth, "certificado_cliente", str, "autenticacao"),
            client_key=_get(auth, "chave_cliente", str, "autenticacao"),
            ca_bundle=_get(auth, "ca_bundle", str, "autenticacao"),
            insecure=bool(_get(auth, "inseguro", bool, "autenticacao") or False),
        ),
        load=plan,
    )


def _positive_int(table: dict[str, Any], key: str, default: int) -> int:
    value = _get(table, key, int, "carga")
    if value is None:
        return default
    if value <= 0:
        raise ProfileError(f"carga.{key} deve ser maior que zero, recebeu {value}")
    return int(value)


def _share(table: dict[str, Any], key: str, default: float) -> float:
    value = _get(table, key, (int, float), "carga")
    if value is None:
        return default
    if not 0 <= value <= 1:
        raise ProfileError(f"carga.{key} deve estar entre 0 e 1, recebeu {value}")
    return float(value)
