"""The likely cause first: when most scenarios fail the same way, one pt-BR line says why before the details.

Each failed scenario leaves its *symptom* (:func:`symptom`: what the answer looked like, e.g. HTTP 404, a redirect
and its ``Location``, connection refused) in the run's stash (:func:`note`); at the end :func:`probable_cause`
names the cause when one symptom covers most of the scenarios that ran — or the single failure that stopped the
run. The per-scenario messages stay as they are. Header values shown are already masked by the client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from homologa.suite.client import Exchange

Symptom = tuple[str, str]  # (kind, detail): the detail is part of "the same way" (e.g. the same Location)

SYMPTOMS = pytest.StashKey[list[Symptom]]()


def symptom(ex: Exchange) -> Symptom | None:
    """The answer's symptom, when it is one a cause can be named for."""
    if ex.transport_error is not None:
        return _transport(ex.transport_error)
    status = ex.status
    if status is None:
        return None
    if status in (401, 403):
        return str(status), ex.www_authenticate or ""
    if 300 <= status < 400:
        return "3xx", f"{status} {ex.location or '(sem Location)'}"
    if status in (404, 405):
        return str(status), ""
    if status >= 500:
        return "5xx", str(status)
    return None


_TRANSPORT: tuple[tuple[tuple[str, ...], str], ...] = (
    (("connection refused", "errno 111", "[errno 61]"), "recusada"),
    (("name or service not known", "temporary failure in name resolution", "nodename nor servname"), "dns"),
    (("certificate_verify_failed",), "tls-ca"),
    (("certificate_required", "certificate required"), "tls-cliente"),
    (("tempo limite", "tempo esgotado", "não respondeu em", "não terminou em"), "tempo"),
    (("wrong_version_number", "ssl", "tls"), "tls"),
)


def _transport(text: str) -> Symptom | None:
    lowered = text.lower()
    for needles, kind in _TRANSPORT:
        if any(n in lowered for n in needles):
            return kind, ""
    return None


def note(stash: pytest.Stash, found: Symptom | None) -> None:
    """Record one failed scenario's symptom (None: a failure with no nameable cause)."""
    stash.setdefault(SYMPTOMS, []).append(found or ("", ""))


def probable_cause(stash: pytest.Stash, ran: int, target: str, *, stopped: bool) -> str | None:
    """The "causa provável" line, or None when no single symptom explains most of the run.

    ``ran``: scenarios that ran; ``stopped``: the run ended at its first transport failure (then that failure is all
    there is to go on)."""
    failures = [s for s in stash.get(SYMPTOMS, []) if s[0]]
    if not failures:
        return None
    (kind, detail), count = Counter(failures).most_common(1)[0]
    if not stopped and (count < 2 or 2 * count <= max(ran, count)):
        return None
    scope = "a rodada parou na primeira falha" if stopped else f"{count} de {ran} cenários falharam assim"
    return f"causa provável ({scope}): {_CAUSES[kind](detail, target)}"


def _host(target: str) -> str:
    parts = urlsplit(target)
    return parts.netloc.rsplit("@", 1)[-1] or target


_CAUSES: dict[str, Callable[[str, str], str]] = {
    "404": lambda _, t: (
        f"HTTP 404 (não encontrado) — confira o caminho da URL em --target ({t}): o servidor responde, "
        "mas não há endpoint de cadastro nesse caminho"
    ),
    "405": lambda _, t: (
        f"HTTP 405 (método não permitido) — o caminho de --target ({t}) não aceita POST: confira a URL "
        "do endpoint de cadastro"
    ),
    "401": lambda d, _: (
        "HTTP 401 (não autenticado) — confira as credenciais (--homologa-basic-auth, --homologa-bearer, "
        "--homologa-header ou [autenticacao] do perfil)" + (f"; o alvo pede WWW-Authenticate: {d}" if d else "")
    ),
    "403": lambda d, _: (
        "HTTP 403 (proibido) — as credenciais foram recusadas ou não dão acesso a este endpoint: "
        "confira usuário, token ou chave e se o IP de onde o homologa roda está liberado"
        + (f"; WWW-Authenticate: {d}" if d else "")
    ),
    "3xx": lambda d, _: (
        f"HTTP {d.split(' ', 1)[0]} (redirecionamento) para Location: {d.split(' ', 1)[1]} — o "
        "homologa não segue redirecionamentos (a plataforma também não): use o endereço final em --target (https:// em "
        "vez de http://, a barra final, o host certo)"
    ),
    "5xx": lambda d, _: (
        f"HTTP {d} (erro interno do ERP) em quase todos os cenários — veja o log do ERP no horário "
        "da execução: o erro não depende dos dados do cliente"
    ),
    "recusada": lambda _, t: (
        f"conexão recusada — nada escutando em {_host(t)}: o ERP está no ar? a porta está certa? "
        "(um firewall que recusa também aparece assim)"
    ),
    "dns": lambda _, t: f"o nome do host de --target ({_host(t)}) não resolve (DNS): confira o endereço",
    "tls-ca": lambda _, __: (
        "o certificado TLS do alvo não foi verificado — informe a CA que o assinou com --homologa-ca-bundle "
        "(ou --homologa-insecure, só em homologação)"
    ),
    "tls-cliente": lambda _, __: (
        "o alvo exige certificado do cliente (mTLS) — informe --homologa-client-cert e --homologa-client-key"
    ),
    "tls": lambda _, t: (
        f"a negociação TLS com {_host(t)} falhou — confira se essa porta fala HTTPS (senão use "
        "http://) e se aceita TLS 1.2 ou mais novo"
    ),
    "tempo": lambda _, __: (
        "o alvo não terminou a resposta dentro do tempo limite (--homologa-timeout, que vale para a troca "
        "inteira) — ERP sobrecarregado, proxy lento no caminho ou uma porta que não fala HTTP"
    ),
}
