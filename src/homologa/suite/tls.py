"""The TLS context for a target: CA bundle, client certificate (mTLS) and the ``--homologa-insecure`` escape hatch."""

from __future__ import annotations

import ssl

from homologa.profile import Auth
from homologa.tlsfiles import TLSSetupError, client_context

__all__ = ["TLSSetupError", "ssl_context"]


def ssl_context(auth: Auth) -> ssl.SSLContext:
    """A client-side context honouring ``auth``'s ca_bundle, client_cert/client_key and insecure."""
    return client_context(
        auth,
        auth.ca_bundle,
        ca_error=lambda cafile, exc: f"opção --homologa-ca-bundle: não foi possível carregar {cafile}: {exc}",
        cert_error=lambda exc: (
            "opção --homologa-client-cert/--homologa-client-key: não foi possível carregar o certificado do cliente: "
            f"{exc}"
        ),
    )
