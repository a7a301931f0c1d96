"""Masking secrets before anything is printed, logged, attached or packaged.

Passwords in URLs, query-string keys, auth headers and tokens are replaced by ``***``. Every module that writes a
target, a header or a command line for a person goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

MASK = "***"
# Query-string parameters whose values are secrets. Matching is by substring, case-insensitive.
SECRET_PARAM_HINTS = (
    "key",
    "chave",
    "token",
    "secret",
    "segredo",
    "senha",
    "password",
    "pass",
    "auth",
    "sig",
    "apikey",
)
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"})


def is_secret_param(name: str) -> bool:
    lowered = name.lower()
    return any(hint in lowered for hint in SECRET_PARAM_HINTS)


def mask_url(url: str) -> str:
    """The URL with the password and every query-string value masked (a value may be a key whatever its name)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
    query = parts.query
    if query:  # name=*** for each pair; a bare piece (``?CHAVE``) is itself a key: *** (the fragment too)
        pieces = [p for p in query.split("&") if p]
        query = "&".join(f"{p.split('=', 1)[0]}={MASK}" if "=" in p else MASK for p in pieces)
    fragment = MASK if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def url_secrets(url: str | None) -> list[str]:
    """What :func:`mask_url` hides: the password and every query-string value (raw and percent-decoded)."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
        found = [parts.password or ""]
    except ValueError:
        return []
    raw_query = parts.query
    for piece in raw_query.split("&"):
        name, equals, value = piece.partition("=")
        found.append(value if equals else name)  # a bare piece (``?CHAVE``) is a key itself
        if not equals:
            found.append(unquote(name))
    found.extend(value for _, value in parse_qsl(raw_query, keep_blank_values=True))
    found += [parts.fragment, unquote(parts.fragment)]
    return sorted({s for s in found if s})


def mask_header(name: str, value: str) -> str:
    """A header's value as it may be shown: secret headers keep only their scheme (``Bearer ***``)."""
    if name.lower() in SECRET_HEADERS or is_secret_param(name):
        scheme = value.split(" ", 1)[0] if " " in value else ""
        return f"{scheme} {MASK}".strip()
    return value


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: mask_header(name, value) for name, value in headers.items()}


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret value (longest first) replaced by the mask."""
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return re.sub(r"(?i)(authorization:\s*\w+)\s+\S+", rf"\1 {MASK}", text)
