"""Which endpoint a piece of evidence is about: a stable, secret-free identity of a target URL.

Evidence from different runs (a suite run, a load run) may be put together only when it is about the same target.
Comparing masked URLs is not enough (two tokens mask alike, a trailing slash or ``HOST`` vs ``host`` differ), so
:func:`target_identity` reduces a URL to scheme, lower-cased host, explicit port, path and its non-secret query
parameters, and hashes that: the identity can be written into any artefact without leaking anything. The embedded
reference distributor has the fixed identity :data:`EMBEDDED`.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlsplit

from homologa.secrets import is_secret_param

EMBEDDED = "embutido"  # identity of the embedded reference distributor (a run with no target)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_target(url: str) -> str:
    """``scheme://host:port/path?non-secret-query`` (credentials, secret query values and fragment dropped)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    path = parts.path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_secret_param(k))
    shown_host = f"[{host}]" if ":" in host else host
    text = f"{scheme}://{shown_host}:{port}{path}"
    if query:
        text += "?" + "&".join(f"{k}={v}" for k, v in query)
    return text


def target_identity(url: str | None) -> str:
    """A short hex digest naming the target (``EMBEDDED`` for ``None``/empty); equal for equal endpoints."""
    if not url:
        return EMBEDDED
    return hashlib.sha256(canonical_target(url).encode("utf-8")).hexdigest()[:16]
