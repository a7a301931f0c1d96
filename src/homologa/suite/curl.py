"""A ``curl`` command line that reproduces one request, with every secret masked."""

from __future__ import annotations

import shlex

from homologa.profile import Auth
from homologa.secrets import MASK, mask_header, mask_url, redact


def curl_command(url: str, headers: dict[str, str], body: bytes, auth: Auth, timeout: float) -> str:
    """One shell line: ``curl -sS -X POST URL -H ... --data-binary 'XML'`` (secrets shown as ``***``)."""
    parts = ["curl", "-sS", "-i", "-X", "POST", shlex.quote(mask_url(url)), "--max-time", f"{timeout:g}"]
    for name, value in headers.items():
        if name.lower() in ("accept-encoding", "user-agent"):
            continue
        parts += ["-H", shlex.quote(f"{name}: {mask_header(name, value)}")]
    if auth.basic:
        user = auth.basic.split(":", 1)[0]
        parts += ["-u", shlex.quote(f"{user}:{MASK}")]
    if auth.client_cert:
        parts += ["--cert", shlex.quote(auth.client_cert)]
    if auth.client_key:
        parts += ["--key", shlex.quote(auth.client_key)]
    if auth.ca_bundle:
        parts += ["--cacert", shlex.quote(auth.ca_bundle)]
    if auth.insecure:
        parts.append("-k")
    # one line: the XML declaration's line break is the only one homologa renders (same document without it)
    text = body.decode("utf-8", errors="replace").strip().replace("?>\n<", "?><")
    parts += ["--data-binary", shlex.quote(text)]
    return redact(" ".join(parts), auth.secrets())
