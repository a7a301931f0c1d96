"""TLS of the burst's HTTP client: the profile's ``ca_bundle`` and client certificate (mTLS), as gevent contexts.

Imports gevent (monkey-patching): only the other ``homologa.load.locust_*`` modules import this one.

geventhttpclient builds one context per connection pool (one per virtual user) by calling the factory given to
``FastHttpUser.ssl_context_factory`` with ``cafile=`` its default CA file; the factory here puts the profile's CA
bundle (when given) in its place and loads the client certificate. The files are loaded once at start-up, so a
missing or unreadable file is a usage error (exit 2) instead of one transport failure per customer.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import gevent.ssl

from homologa.profile import Auth
from homologa.tlsfiles import client_context

ContextFactory = Callable[..., ssl.SSLContext]


def context_factory(auth: Auth | None) -> ContextFactory | None:
    """A factory for ``FastHttpUser.ssl_context_factory``, or None when the profile has no CA bundle and no client
    certificate (Locust's own context then). Raises ValueError (pt-BR) when a file cannot be loaded."""
    if auth is None or not (auth.ca_bundle or auth.client_cert or auth.client_key):
        return None
    if auth.client_key and not auth.client_cert:
        raise ValueError("[autenticacao] chave_cliente exige certificado_cliente")
    _context(auth, auth.ca_bundle)  # fail at start-up, not on the first request

    def factory(cafile: str | None = None, **_: Any) -> ssl.SSLContext:
        return _context(auth, auth.ca_bundle or cafile)

    return factory


def _context(auth: Auth, cafile: str | None) -> ssl.SSLContext:
    files = " e ".join(f for f in (auth.client_cert, auth.client_key) if f)
    return client_context(
        auth,
        cafile,
        create=gevent.ssl.create_default_context,
        ca_error=lambda ca, exc: f"[autenticacao] ca_bundle: não foi possível carregar {ca}: {_reason(exc)}",
        cert_error=lambda exc: (
            f"[autenticacao] certificado_cliente/chave_cliente: não foi possível carregar {files}: {_reason(exc)}"
        ),
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "arquivo não encontrado"
    if isinstance(exc, PermissionError):
        return "sem permissão de leitura"
    if isinstance(exc, IsADirectoryError):
        return "é uma pasta, não um arquivo"
    if isinstance(exc, ssl.SSLError):
        return f"certificado/chave PEM inválido ou que não combinam ({exc.reason or exc})"
    return str(exc)
