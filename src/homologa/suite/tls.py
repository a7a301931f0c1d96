"""The TLS context for a target: CA bundle, client certificate (mTLS) and the ``--insecure`` escape hatch."""

from __future__ import annotations

import ssl

from homologa.profile import Auth


class TLSSetupError(ValueError):
    """A certificate, key or CA file that cannot be loaded (pt-BR message)."""


def ssl_context(auth: Auth) -> ssl.SSLContext:
    """A client-side context honouring ``auth``'s ca_bundle, client_cert/client_key and insecure."""
    try:
        context = ssl.create_default_context(cafile=auth.ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise TLSSetupError(f"opção --ca-bundle: não foi possível carregar {auth.ca_bundle}: {exc}") from None
    if auth.client_cert:
        try:
            context.load_cert_chain(auth.client_cert, auth.client_key)
        except (OSError, ssl.SSLError) as exc:
            raise TLSSetupError(
                f"opção --client-cert/--client-key: não foi possível carregar o certificado do cliente: {exc}"
            ) from None
    if auth.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
