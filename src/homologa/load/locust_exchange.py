"""One exchange of the burst on geventhttpclient's ``HTTPClient``: the connection pool under Locust's
``FastHttpSession``, without the layers above it that the burst does not use.

Locust's ``FastHttpSession.request`` goes through geventhttpclient's ``UserAgent``, which parses the URL again on
every request (three ``urllib`` parses), copies and merges the headers twice, builds a ``urllib`` request object for
cookies the burst turns off, handles redirects the burst never follows and retries it asks for none of; Locust then
wraps the answer for ``catch_response``. Those layers cost a bare ``FastHttpUser`` posting a fixed body ~40% of its
instructions per request (595k against 349k through this module, ``benchmarks/bench_instructions.py --locust``), more
than generating, rendering and checking a customer. :class:`Poster` keeps the same client (same pool, TLS context,
timeouts, keep-alive and stale-connection handling, as Locust configured it for the user) and sends the same request:
the same path and query, the headers of the profile, ``Authorization`` from credentials in the URL,
``Accept-Encoding``.

:func:`read_answer` reads the body as Locust's ``content`` did (gzip, deflate, br) but never
more than :data:`~homologa.load.checks.MAX_ANSWER_BYTES` plus one, compressed or not: an answer past the limit is
judged too large from that much (the connection closed, unread), where reading it whole could fill the memory of
the load machine (a gzip bomb). The user reports each exchange to Locust's statistics itself
(:func:`report_to_locust`), with the same fields as ``response.success()`` / ``response.failure()``.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import brotli  # type: ignore[import-untyped]  # geventhttpclient's own dependency: Locust decodes br with it
from geventhttpclient import HTTPClient
from geventhttpclient.response import HTTPParseError, HTTPSocketPoolResponse
from geventhttpclient.url import URL
from locust.contrib.fasthttp import FastHttpSession
from locust.event import EventHook
from locust.exception import CatchResponseError

from homologa.load.checks import MAX_ANSWER_BYTES

ACCEPT_ENCODING = "gzip, deflate, br"  # what Locust's FastHttpSession sends (and decodes)
_READ = MAX_ANSWER_BYTES + 1  # one byte past the limit: enough for the check to say "too large"


class UnknownEncoding(ValueError):
    """A ``Content-Encoding`` the burst cannot decode (nor could Locust): the body was not received."""


# what makes an exchange a transport failure (no answer, or one that could not be read): the socket's and TLS's
# errors, a stream that is not HTTP, a body that is not what its Content-Encoding says. The whole-exchange deadline
# (gevent.Timeout) is the user's own; anything else is a harness bug, recorded as not verified.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (OSError, HTTPParseError, zlib.error, brotli.error, UnknownEncoding)


class Poster:
    """POSTs bodies to the user's target on the client Locust built for it (one per user)."""

    __slots__ = ("_client", "_headers", "_uri")

    def __init__(self, session: FastHttpSession, headers: Mapping[str, str]) -> None:
        if not session.base_url:
            raise RuntimeError("homologa carga: o alvo (--host) não foi informado")
        url = URL(session.base_url)  # Locust already took any user:password out, into auth_header
        self._client: HTTPClient = session.client.clientpool.get_client(url)
        self._uri: str = url.quoted_uri or "/"
        merged = {"Accept-Encoding": ACCEPT_ENCODING, **headers}
        if session.auth_header:  # credentials in the URL win over any other Authorization, as Locust's request() did
            merged = {name: value for name, value in merged.items() if name.lower() != "authorization"}
            merged["Authorization"] = session.auth_header
        self._headers = merged

    def post(self, body: bytes) -> HTTPSocketPoolResponse:
        """Send ``body``; the answer's status line and headers are read, its body is left to :func:`read_answer`."""
        return self._client.request("POST", self._uri, body=body, headers=self._headers)


def read_answer(response: HTTPSocketPoolResponse) -> bytes:
    """The answer's body, decoded, at most :data:`MAX_ANSWER_BYTES` + 1 bytes of it; the connection goes back to the
    pool only when the whole answer was read (geventhttpclient closes one whose message did not complete).

    Raises what reading raised (a connection cut mid-body, the whole-exchange deadline), or, for a body that is not
    what its ``Content-Encoding`` says, one of :data:`TRANSPORT_ERRORS`.
    """
    try:
        encoding = response.get("Content-Encoding")
        raw = response.read(_READ)
    finally:
        response.release()
    if encoding is None or len(raw) > MAX_ANSWER_BYTES:  # past the limit however it inflates: judged too large
        return raw
    if not isinstance(encoding, str):  # the header sent more than once: Locust decoded by the first one
        encoding = encoding[0]
    encoding = encoding.strip().lower()
    if encoding == "gzip":
        return _inflated(zlib.decompressobj(16 + zlib.MAX_WBITS), raw)
    if encoding == "deflate":  # raw deflate, or the zlib format some servers send under this name
        try:
            return _inflated(zlib.decompressobj(-zlib.MAX_WBITS), raw)
        except zlib.error:
            return _inflated(zlib.decompressobj(), raw)
    if encoding == "br":
        decoder = brotli.Decompressor()
        out: bytes = decoder.process(raw, output_buffer_limit=_READ)[:_READ]
        if len(out) <= MAX_ANSWER_BYTES and not decoder.is_finished():
            raise brotli.error("fluxo br incompleto")
        return out
    if encoding == "identity":
        return raw
    raise UnknownEncoding(f"Content-Encoding desconhecido: {encoding}")


def _inflated(decoder: Any, raw: bytes) -> bytes:
    """At most :data:`_READ` bytes of ``raw`` inflated; a stream that ends before its end (a body cut short, a gzip
    without its CRC trailer) raises, as ``zlib.decompress`` did, unless the answer is too large anyway."""
    out: bytes = decoder.decompress(raw, _READ)
    if len(out) <= MAX_ANSWER_BYTES and not decoder.eof:
        raise zlib.error("fluxo compactado incompleto")
    return out


def report_to_locust(hook: EventHook, name: str, latency_ms: float, length: int, failure: str | None) -> None:
    """One request in Locust's statistics, as ``catch_response``'s ``success()`` / ``failure(message)`` report it."""
    exception: Any = None if failure is None else CatchResponseError(failure)
    hook.fire(  # type: ignore[no-untyped-call]
        request_type="POST",
        name=name,
        response_time=latency_ms,
        response_length=length,
        exception=exception,
        context={},
        response=None,
    )
