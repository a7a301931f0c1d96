"""The burst's parameters: defaults from ``homologacao.toml``, overridden by the command line / web UI form.

Rate model (documented in the README): every virtual user is paced at ``user_rate = rate / users`` customers/s, so
at the plateau the burst runs at ``rate``. The plateau's user count defaults to ``ceil(rate × p95 budget)`` (capped
by ``max_users``): each user sends one customer per budget window, so the rate holds as long as the ERP answers
within its latency budget. ``rate = 0`` means "as fast as possible": ``users`` unpaced users.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import os
import re
import secrets
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homologa.generator.source import MAX_INDEX, RAIZ_SPACE
from homologa.profile import Auth, Profile, load_profile
from homologa.secrets import mask_url

DEFAULT_CEP_RANGE = "01000000-99999999"
DEFAULT_PROFILE = "homologacao.toml"
PROFILE_FLAG = "--homologa-profile"
SHAPES = ("golive", "degraus")


@dataclass(frozen=True)
class LoadSettings:
    cep_ranges: tuple[str, ...] = (DEFAULT_CEP_RANGE,)
    customers: int = 1000
    seed: int = 1
    first_index: int = 0  # the generator index of the burst's first customer (a fresh one per burst by default)
    replay: bool = False  # the customers were sent to this ERP before: expect APV/RPV, never PEN
    resume: bool = False  # continue the interrupted burst of the journal in report_dir
    resend_share: float = 0.0
    rate: float = 100.0
    p95_budget_ms: float = 2000.0
    accepted_failure_ratio: float = 0.0
    users: int = 0  # 0 = derived from rate and budget
    max_users: int = 100
    ramp_seconds: float = 5.0
    shape: str = "golive"
    step_seconds: float = 15.0
    steps: int = 10
    validate_share: float = 1.0
    chunk: int = 500
    timeout: float = 10.0
    report_dir: str = "reports/carga"
    max_seconds: float = 0.0  # 0 = until every customer was answered
    contract: str = "1"  # the contract pack (name under contracts/ or folder), as the suite's --contract
    collapse_p95_factor: float = 5.0  # stop when the recent p95 stays above this × the budget (0 = never)
    collapse_failure_ratio: float = 0.5  # ... or when more than this share of a window's answers fail (0 = never)
    collapse_window: float = 30.0  # seconds the condition must hold

    def __post_init__(self) -> None:
        checks = (
            (self.customers > 0, f"--customers deve ser maior que zero, recebeu {self.customers}"),
            (
                0 <= self.first_index <= MAX_INDEX - self.customers,
                f"--first-index deve estar entre 0 e {MAX_INDEX - self.customers}, recebeu {self.first_index}",
            ),
            (0 <= self.resend_share <= 1, f"--resend-share deve estar entre 0 e 1, recebeu {self.resend_share}"),
            (self.rate >= 0, f"--rate não pode ser negativo, recebeu {self.rate}"),
            (self.p95_budget_ms > 0, f"--p95-budget-ms deve ser positivo, recebeu {self.p95_budget_ms}"),
            (
                0 <= self.accepted_failure_ratio <= 1,
                f"--accepted-failure-ratio deve estar entre 0 e 1, recebeu {self.accepted_failure_ratio}",
            ),
            (self.users >= 0, f"--concurrency não pode ser negativo, recebeu {self.users}"),
            (self.max_users > 0, f"--max-users deve ser positivo, recebeu {self.max_users}"),
            (self.ramp_seconds >= 0, f"--ramp não pode ser negativo, recebeu {self.ramp_seconds}"),
            (self.shape in SHAPES, f"--shape aceita {' ou '.join(SHAPES)}, recebeu {self.shape!r}"),
            (self.step_seconds > 0, f"--step-seconds deve ser positivo, recebeu {self.step_seconds}"),
            (self.steps > 0, f"--steps deve ser positivo, recebeu {self.steps}"),
            (0 < self.validate_share <= 1, f"--validate-share deve estar em (0, 1], recebeu {self.validate_share}"),
            (self.chunk > 0, f"--chunk deve ser positivo, recebeu {self.chunk}"),
            (self.timeout > 0, f"--timeout deve ser positivo, recebeu {self.timeout}"),
            (self.max_seconds >= 0, f"--max-seconds não pode ser negativo, recebeu {self.max_seconds}"),
            (bool(self.cep_ranges), "informe ao menos uma faixa de CEP (--cep-range)"),
            (
                self.collapse_p95_factor == 0 or self.collapse_p95_factor >= 1,
                f"--collapse-p95-factor deve ser 0 (desligado) ou ao menos 1, recebeu {self.collapse_p95_factor}",
            ),
            (
                0 <= self.collapse_failure_ratio <= 1,
                f"--collapse-failure-ratio deve estar entre 0 e 1, recebeu {self.collapse_failure_ratio}",
            ),
            (self.collapse_window > 0, f"--collapse-window deve ser positivo, recebeu {self.collapse_window}"),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def plateau_users(self) -> int:
        if self.users:
            return self.users
        if self.rate == 0:
            return min(10, self.customers)
        wanted = math.ceil(self.rate * self.p95_budget_ms / 1000)
        return max(1, min(self.max_users, self.customers, wanted))

    @property
    def user_interval(self) -> float:
        """Seconds between two sends of one user (0 = unpaced)."""
        return 0.0 if self.rate == 0 else self.plateau_users / self.rate

    @property
    def validate_every(self) -> int:
        """Schema-validate one answer in this many (status and echo are checked on all of them)."""
        return max(1, round(1 / self.validate_share))


def check_target(host: str) -> None:
    """The target must be an http(s) URL with a host: ``erp:8080/clientes`` would fail every request (``gaierror``)."""
    scheme, sep, rest = host.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or rest.startswith("/"):
        raise ValueError(
            "o alvo precisa ser uma URL http:// ou https:// com servidor, ex.: http://erp.exemplo:8080/clientes"
            f" (recebeu {mask_url(host)!r})"
        )


def fresh_first_index(customers: int) -> int:
    """Where a burst without ``--seed``/``--first-index`` starts: a random point of the generator's index space.

    Indices ``0 .. 10**8-1`` (CNPJ ordem 0001) are left to explicit seeds; above them the space holds about 10**12
    customers, so two fresh bursts of N1 and N2 customers share one only when their index ranges overlap:
    probability about ``(N1 + N2) / 10**12`` (2·10**-5 for two bursts of 10 million). Time and ``secrets`` both
    feed the draw, so two bursts started at the same instant on two machines still differ.
    """
    span = MAX_INDEX - RAIZ_SPACE - customers
    if span <= 0:
        raise ValueError(f"--customers grande demais para um trecho novo: {customers}")
    return RAIZ_SPACE + (secrets.randbits(64) ^ time.time_ns()) % span


def split_ranges(values: Sequence[str] | str | None) -> tuple[str, ...]:
    """``["01000000-01999999,02000000-02999999", "05000000-05999999"]`` -> a flat tuple of ranges."""
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    return tuple(part.strip() for item in items for part in str(item).split(",") if part.strip())


def profile_path_from_argv(argv: Sequence[str] | None = None) -> Path | None:
    """``--homologa-profile`` from the command line, else ``$HOMOLOGA_PROFILE``, else ``homologacao.toml`` when it
    exists in the current folder. (Locust already owns ``--profile``.)

    Read before Locust parses its arguments, so the profile can provide the defaults shown in the web UI form.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args):
        if arg == PROFILE_FLAG and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith(PROFILE_FLAG + "="):
            return Path(arg.split("=", 1)[1])
    if os.environ.get("HOMOLOGA_PROFILE"):
        return Path(os.environ["HOMOLOGA_PROFILE"])
    default = Path(DEFAULT_PROFILE)
    return default if default.is_file() else None


def defaults_from(profile: Profile | None) -> LoadSettings:
    if profile is None:
        return LoadSettings()
    load = profile.load
    return LoadSettings(
        cep_ranges=load.cep_ranges or (DEFAULT_CEP_RANGE,),
        customers=load.customers,
        seed=load.seed,
        resend_share=load.resend_share,
        rate=load.rate,
        p95_budget_ms=profile.p95_budget_ms or 2000.0,
        accepted_failure_ratio=load.accepted_failure_ratio,
        timeout=profile.timeout or 10.0,
        contract=_profile_contract(profile),
    )


def _profile_contract(profile: Profile) -> str:
    """``[alvo] contrato``; a relative folder is relative to the profile's folder (as for the suite)."""
    value = profile.contract or "1"
    if ("/" in value or value.startswith(".")) and profile.path is not None and not Path(value).is_absolute():
        return str(Path(profile.path).parent / value)
    return value


def read_profile(path: Path | None) -> Profile | None:
    return None if path is None else load_profile(path)


# (option dest, command-line flag, LoadSettings field), in the order the web UI lists them: most important first.
# The dest is the name Locust's web UI shows for the parameter (camelCased, then title-cased: "faixas_de_cep" ->
# "Faixas De Cep"), so it is Portuguese; lowercase words joined by "_" and no digits, because the web UI's
# camelCase round trip (form field -> snake_case) would mangle digits and capitals and drop the value silently.
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("clientes", "--customers", "customers"),
    ("faixas_de_cep", "--cep-range", "cep_ranges"),
    ("taxa", "--rate", "rate"),
    ("orçamento", "--p95-budget-ms", "p95_budget_ms"),
    ("falhas_aceitas", "--accepted-failure-ratio", "accepted_failure_ratio"),
    ("semente", "--seed", "seed"),
    ("índice_inicial", "--first-index", "first_index"),
    ("repetição", "--replay", "replay"),
    ("retomar", "--resume", "resume"),
    ("reenvios", "--resend-share", "resend_share"),
    ("forma", "--shape", "shape"),
    ("concorrência", "--concurrency", "users"),
    ("máximo_de_usuários", "--max-users", "max_users"),
    ("rampa", "--ramp", "ramp_seconds"),
    ("segundos_por_degrau", "--step-seconds", "step_seconds"),
    ("degraus", "--steps", "steps"),
    ("tempo_máximo", "--max-seconds", "max_seconds"),
    ("tempo_limite", "--timeout", "timeout"),
    ("colapso_latência", "--collapse-p95-factor", "collapse_p95_factor"),
    ("colapso_falhas", "--collapse-failure-ratio", "collapse_failure_ratio"),
    ("colapso_janela", "--collapse-window", "collapse_window"),
    ("fração_validada", "--validate-share", "validate_share"),
    ("fatia", "--chunk", "chunk"),
    ("pasta_do_resultado", "--report-dir", "report_dir"),
    ("contrato", "--contract", "contract"),
)
OPTION_FIELDS: dict[str, str] = {dest: field for dest, _, field in OPTIONS}
DEST: dict[str, str] = {flag: dest for dest, flag, _ in OPTIONS}  # "--customers" -> "clientes"
_FLAG: dict[str, str] = {dest: flag for dest, flag, _ in OPTIONS}
_TYPES: dict[str, Any] = {
    "customers": int,
    "seed": int,
    "first_index": int,
    "replay": lambda raw: raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "sim", "on"),
    "resume": lambda raw: raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "sim", "on"),
    "users": int,
    "max_users": int,
    "steps": int,
    "chunk": int,
    "resend_share": float,
    "rate": float,
    "p95_budget_ms": float,
    "accepted_failure_ratio": float,
    "ramp_seconds": float,
    "step_seconds": float,
    "validate_share": float,
    "timeout": float,
    "shape": str,
    "report_dir": str,
    "max_seconds": float,
    "contract": str,
    "collapse_p95_factor": float,
    "collapse_failure_ratio": float,
    "collapse_window": float,
}


def from_options(options: Any, base: LoadSettings | None = None) -> LoadSettings:
    """Settings from Locust's parsed options over ``base`` (values typed in the web UI form arrive as strings)."""
    values: dict[str, Any] = {}
    for option, name in OPTION_FIELDS.items():
        raw = getattr(options, option, None)
        if raw is None or raw == "":
            continue
        if name == "cep_ranges":
            values[name] = split_ranges(raw)
            continue
        try:
            values[name] = _TYPES[name](raw)
        except (TypeError, ValueError):
            flag = _FLAG.get(option, option)
            raise ValueError(f"{flag} espera um número, recebeu {raw!r}") from None
    return dataclasses.replace(base or LoadSettings(), **values)


# Credentials handed to a Locust subprocess (the suite's --basic-auth/--bearer/--header): JSON headers in the
# environment, never on the command line (which ``ps`` and Locust's reports show).
AUTH_HEADERS_ENV = "HOMOLOGA_CARGA_CABECALHOS"


def auth_headers(auth: Auth | None) -> dict[str, str]:
    """The HTTP headers carrying ``auth`` (Basic, Bearer, extra headers). Secrets: never log them."""
    if auth is None:
        return {}
    headers = dict(auth.headers)
    if auth.basic:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.basic.encode()).decode()
    elif auth.bearer:
        headers["Authorization"] = f"Bearer {auth.bearer}"
    return headers


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field name


def check_headers(headers: Mapping[str, str]) -> None:
    """Every header can go on the wire as it is: a field name that is a token, a value without line breaks or NUL and
    in latin-1 (the request head's encoding). Raises ValueError in pt-BR that never shows a value (it may be a
    secret): such a header failed every customer's request, with the value in a traceback on stderr."""
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name):
            raise ValueError(f"nome de cabeçalho inválido: {name.encode('unicode_escape').decode()[:60]!r}")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            latin1 = False
        else:
            latin1 = True
        if not latin1 or any(c in value for c in "\r\n\0"):
            raise ValueError(
                f"o valor do cabeçalho {name} tem quebra de linha, NUL ou caractere fora do latin-1"
                " (valor omitido: pode ser um segredo)"
            )


def headers_from_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Headers passed in ``$HOMOLOGA_CARGA_CABECALHOS`` (a JSON object of strings); bad content raises ValueError."""
    raw = (os.environ if environ is None else environ).get(AUTH_HEADERS_ENV, "")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise ValueError(f"{AUTH_HEADERS_ENV} deve ser um objeto JSON de cabeçalhos") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"{AUTH_HEADERS_ENV} deve ser um objeto JSON de cabeçalhos")
    return data
