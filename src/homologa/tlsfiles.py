"""A client TLS context from the distributor's ``Auth``: CA bundle, client certificate (mTLS) and ``insecure``.

One mechanism for the contract suite (standard ``ssl``) and the load profile (gevent's ``ssl``, passed as
``create``); each caller words its own pt-BR errors, since one names command-line options and the other profile keys.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

from homologa.profile import Auth


class TLSSetupError(ValueError):
    """A certificate, key or CA file that cannot be loaded (pt-BR message)."""


def client_context(
    auth: Auth,
    cafile: str | None,
    *,
    ca_error: Callable[[str | None, BaseException], str],
    cert_error: Callable[[BaseException], str],
    create: Callable[..., ssl.SSLContext] = ssl.create_default_context,
) -> ssl.SSLContext:
    """A context trusting ``cafile`` (None: the system's CAs), presenting ``auth``'s client certificate, and not
    verifying the server when ``auth.insecure``. Raises :class:`TLSSetupError` with the caller's messages."""
    try:
        context = create(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise TLSSetupError(ca_error(cafile, exc)) from None
    if auth.client_cert:
        try:
            context.load_cert_chain(auth.client_cert, auth.client_key)
        except (OSError, ssl.SSLError) as exc:
            raise TLSSetupError(cert_error(exc)) from None
    if auth.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
