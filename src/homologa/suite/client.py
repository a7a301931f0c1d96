"""Talking to the distributor's endpoint: one POST per message, the answer read as untrusted input.

:meth:`ContractClient.send` never raises for anything the endpoint does. It returns an :class:`Exchange`: what was
sent, what came back (status, content type, body capped at 1 MiB while streaming, elapsed time) and the answer
parsed with the hardened parser and validated against the pack — or why it could not be (transport failure,
oversized, unsafe or malformed body). Judging the exchange is :mod:`homologa.suite.checks`' job.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from homologa import __version__, xmlsafe
from homologa.categories import RESPOSTA_INSEGURA, RESPOSTA_INVALIDA
from homologa.contract import ContractPack, Violation, readable_path
from homologa.model import CadastroCliente, Retorno
from homologa.packs import soap
from homologa.profile import Auth
from homologa.secrets import mask_headers, mask_url, redact, url_secrets
from homologa.suite.deadline import Deadline, bind
from homologa.suite.tls import ssl_context

MAX_BODY = 1024 * 1024  # answers beyond 1 MiB are cut while streaming and judged invalid
EXCERPT_CHARS = 600


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """Why the answer body could not be read as a contract answer: its category and a pt-BR reason."""

    category: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class Exchange:
    """One request and what the endpoint did with it."""

    url: str  # masked
    message: CadastroCliente
    request: bytes
    request_headers: dict[str, str]  # masked
    status: int | None = None
    content_type: str | None = None
    body: bytes = b""
    elapsed: float = 0.0
    transport_error: str | None = None
    body_problem: BodyProblem | None = None
    violations: tuple[Violation, ...] = ()
    answer: Retorno | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)
    location: str | None = None  # masked; a redirect is shown, never followed
    www_authenticate: str | None = None  # secrets redacted
    accepted_types: frozenset[str] = frozenset({"application/xml", "text/xml"})  # the pack's answer media types
    foreign: str | None = None  # the answer is XML of another shape than the pack's (another pack or binding)

    def excerpt(self, limit: int = EXCERPT_CHARS) -> str:
        """The start of the answer body as text: secrets redacted, control characters shown as ``\\xNN`` (a
        hostile answer must not drive the terminal)."""
        text = self.body[:limit].decode("utf-8", errors="replace").replace("\r\n", "\n")
        text = "".join(c if c.isprintable() or c in "\n\t" else f"\\x{ord(c):02x}" for c in text)
        if len(self.body) > limit:
            text += f"\n... ({len(self.body)} bytes no total)"
        return redact(text, self.secrets)


class _Cut(Exception):
    """Streaming stopped on purpose: too big or too slow."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class ContractClient:
    """An HTTP client for one target, with its auth, TLS, timeouts and the answer schema."""

    def __init__(self, url: str, pack: ContractPack, timeout: float, auth: Auth | None = None) -> None:
        self.url = url
        self.pack = pack
        self.timeout = timeout
        self.auth = auth or Auth()
        self.latencies: list[float] = []
        self.headers = {
            **pack.shape.request_headers(),
            "Accept": "application/xml, text/xml",
            "Accept-Encoding": "identity",
            "User-Agent": f"homologa/{__version__}",
            **self.auth.headers,
        }
        if self.auth.bearer:
            self.headers["Authorization"] = f"Bearer {self.auth.bearer}"
        options: dict[str, Any] = {"timeout": httpx.Timeout(timeout), "follow_redirects": False}
        if url.startswith("https:"):
            options["verify"] = ssl_context(self.auth)
        if self.auth.basic:
            user, _, password = self.auth.basic.partition(":")
            options["auth"] = httpx.BasicAuth(user, password)
        self._http = httpx.Client(**options)
        self._deadline = Deadline()
        bind(self._http, self._deadline)
        self._secrets = tuple([*self.auth.secrets(), *url_secrets(url)])

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ContractClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def shown_headers(self) -> dict[str, str]:
        """The request headers as they may be shown (secrets masked, Basic auth included)."""
        headers = dict(self.headers)
        if self.auth.basic:
            headers["Authorization"] = "Basic ***"
        return mask_headers(headers)

    def send(self, message: CadastroCliente, body: bytes | None = None) -> Exchange:
        """POST ``message`` (as ``body`` when given, e.g. a golden file's own spelling) and read the answer; every
        failure is recorded in the returned exchange."""
        body = self.pack.shape.request_body(message, body)
        base: dict[str, Any] = {
            "accepted_types": self.pack.shape.answer_media_types,
            "url": mask_url(self.url),
            "message": message,
            "request": body,
            "request_headers": self.shown_headers(),
            "secrets": self._secrets,
        }
        start = time.monotonic()
        deadline = start + self.timeout
        status: int | None = None
        try:
            with (
                self._deadline.running(self.timeout),
                self._http.stream("POST", self.url, content=body, headers=self.headers) as response,
            ):
                status = response.status_code
                content_type = response.headers.get("content-type")
                location, challenge = response.headers.get("location"), response.headers.get("www-authenticate")
                base["location"] = None if location is None else redact(mask_url(location), self._secrets)
                base["www_authenticate"] = None if challenge is None else redact(challenge, self._secrets)
                data = _read_capped(response, deadline, self.timeout)
        except _Cut as cut:
            elapsed = time.monotonic() - start
            self.latencies.append(elapsed)
            if cut.kind == "size":
                return Exchange(
                    **base,
                    status=status,
                    content_type=content_type,
                    elapsed=elapsed,
                    body_problem=BodyProblem(RESPOSTA_INVALIDA, cut.reason),
                )
            return Exchange(
                **base, status=status, content_type=content_type, elapsed=elapsed, transport_error=cut.reason
            )
        except httpx.HTTPError as exc:
            elapsed = time.monotonic() - start
            self.latencies.append(elapsed)
            if isinstance(exc, httpx.TimeoutException) and elapsed >= self.timeout * 0.9:
                problem = late_exchange(self.timeout, exc, headers_received=status is not None)
            else:
                problem = redact(describe_transport_error(exc, self.timeout), self._secrets)
            return Exchange(**base, elapsed=elapsed, transport_error=problem)
        elapsed = time.monotonic() - start
        self.latencies.append(elapsed)
        return self._judge_body(Exchange(**base, status=status, content_type=content_type, body=data, elapsed=elapsed))

    def _judge_body(self, exchange: Exchange) -> Exchange:
        """Parse (hardened) and validate the body; an exchange with the answer or the body's problem."""
        try:
            root = xmlsafe.parse(exchange.body)
        except xmlsafe.UnsafeXML as exc:
            return replace(exchange, body_problem=BodyProblem(RESPOSTA_INSEGURA, str(exc)))
        except xmlsafe.MalformedXML as exc:
            return replace(exchange, body_problem=BodyProblem(RESPOSTA_INVALIDA, str(exc), exc.line))
        shape, schema = self.pack.shape, self.pack.answer
        # an XML answer in another shape means "another pack or binding"; an HTML page (a 404, a proxy's 502) is
        # diagnosed as what it is, not as a foreign format
        xml_answer = str(root.tag).rpartition("}")[2].lower() != "html"
        try:
            payload = shape.payload(root)
        except soap.NotAnEnvelope as exc:
            violation = Violation(f"resposta fora do vínculo SOAP 1.1: {exc}", readable_path(root))
            return replace(exchange, violations=(violation,), foreign=str(exc) if xml_answer else None)
        if isinstance(payload, soap.Fault):  # SOAP's error: read like an Erro element (R5)
            return replace(exchange, answer=shape.read_answer(payload))
        violations = tuple(schema.validate(payload))
        if payload.tag != schema.qualified_root:
            foreign = violations[0].reason if violations and xml_answer else None
            return replace(exchange, violations=violations, foreign=foreign)
        return replace(exchange, violations=violations, answer=shape.read_answer(payload))


def _read_capped(response: httpx.Response, deadline: float, timeout: float) -> bytes:
    """The body, at most :data:`MAX_BODY` bytes, all of it before ``deadline`` (a trickle is cut)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _Cut("size", f"corpo de {int(declared)} bytes anunciado (limite {MAX_BODY} bytes): recusado sem ler")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise _Cut("size", f"corpo maior que {MAX_BODY} bytes (leitura interrompida)")
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise _Cut(
                "deadline",
                f"a resposta não terminou em {timeout:g} s (recebidos {size} bytes; corpo chegando aos poucos)",
            )
    return b"".join(chunks)


def late_exchange(timeout: float, exc: httpx.TimeoutException, *, headers_received: bool) -> str:
    """A pt-BR line for an exchange cut by its whole-exchange deadline, naming the stage it was stuck in."""
    if headers_received:
        what = f"a resposta não terminou em {timeout:g} s (corpo chegando aos poucos)"
    elif isinstance(exc, httpx.ConnectTimeout):
        what = f"tempo esgotado ao conectar ou na negociação TLS ({timeout:g} s)"
    elif isinstance(exc, httpx.WriteTimeout):
        what = f"tempo esgotado ao enviar o pedido ({timeout:g} s)"
    else:
        what = f"o alvo não respondeu em {timeout:g} s (linha de status e cabeçalhos não chegaram completos)"
    return f"{what} — o tempo limite vale para a troca inteira: conexão, TLS, envio, cabeçalhos e corpo"


def describe_transport_error(exc: httpx.HTTPError, timeout: float) -> str:
    """A pt-BR line for an httpx failure (no secrets: httpx messages carry no credentials)."""
    return _describe(exc, timeout) + _tls_hint(str(exc))


def _tls_hint(detail: str) -> str:
    if "CERTIFICATE_VERIFY_FAILED" in detail:
        return (
            " — o certificado do alvo não foi verificado: informe a CA com --homologa-ca-bundle "
            "(ou --homologa-insecure, só em teste)"
        )
    if "CERTIFICATE_REQUIRED" in detail or "certificate required" in detail:
        return " — o alvo exige certificado do cliente: informe --homologa-client-cert e --homologa-client-key"
    return ""


def _describe(exc: httpx.HTTPError, timeout: float) -> str:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return f"tempo esgotado ao conectar ({timeout:g} s)"
    if isinstance(exc, httpx.ReadTimeout):
        return f"o alvo não respondeu em {timeout:g} s (tempo de leitura esgotado)"
    if isinstance(exc, httpx.WriteTimeout):
        return f"tempo esgotado ao enviar o pedido ({timeout:g} s)"
    if isinstance(exc, httpx.TimeoutException):
        return f"tempo esgotado ({timeout:g} s): {detail}"
    if isinstance(exc, httpx.ConnectError):
        return f"não foi possível conectar ao alvo: {detail}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"o alvo fechou a conexão sem uma resposta HTTP completa: {detail}"
    if isinstance(exc, httpx.ReadError):
        return f"conexão interrompida durante a leitura da resposta: {detail}"
    if isinstance(exc, httpx.TooManyRedirects | httpx.UnsupportedProtocol):
        return f"resposta HTTP inesperada: {detail}"
    return f"falha de transporte: {detail}"
