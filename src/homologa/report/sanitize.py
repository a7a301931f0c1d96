"""Making the single-file report safe to open offline: remove what it would fetch from outside, and look inside it.

Allure embeds a web-analytics snippet (Google Tag Manager) in every report; :func:`sanitize_html` removes it and any
other tag that loads an ``http(s)://`` resource. :func:`outside_references` is the static check used by the tests
and by ``homologa relatorio`` itself; :func:`embedded_files` decodes the report's data (base64 inside the page) so
that tests can look for the run's totals, and for secrets, in what the page will show.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

_OUTSIDE = r"(?:https?:)?//"
# <script ... src="http(s)://..."></script>, <link href="http(s)://...">, <img/iframe/source/embed src=...>
_LOADING_TAG = re.compile(
    rf"""<script\b[^>]*\bsrc\s*=\s*["']?{_OUTSIDE}[^>]*>\s*</script\s*>"""
    rf"""|<(?:link|img|iframe|source|embed|audio|video)\b[^>]*\b(?:src|href|srcset)\s*=\s*["']?{_OUTSIDE}[^>]*>""",
    re.IGNORECASE,
)
# inline analytics: the gtag / dataLayer boot script Allure writes right after the loader tag
_INLINE_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_ANALYTICS = re.compile(r"\bgtag\s*\(|\bdataLayer\b|google-analytics|googletagmanager", re.IGNORECASE)
_TAG_ATTR_URL = re.compile(
    r"<(?P<tag>script|link|img|iframe|source|embed|audio|video|object)\b[^>]*?\b(?:src|href|srcset|data)\s*=\s*"
    r"""["']?(?P<url>(?:https?:)?//[^"'\s>]+)""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?P<url>(?:https?:)?//[^"')\s]+)""", re.IGNORECASE)
_FETCH = re.compile(
    r"""(?:fetch|open|importScripts|import|sendBeacon)\s*\(\s*(?:["']GET["']\s*,\s*)?["'`](?P<url>(?:https?:)?//[^"'`]+)"""
)
_EMBEDDED = re.compile(r"""\bd\(\s*("(?:[^"\\]|\\.)*")\s*,\s*("(?:[^"\\]|\\.)*")\s*\)""")


def sanitize_html(text: str) -> tuple[str, list[str]]:
    """``text`` without outside-loading tags and inline analytics scripts; also the list of what was removed."""
    removed: list[str] = []

    def drop(match: re.Match[str]) -> str:
        removed.append(match.group(0)[:200])
        return ""

    text = _LOADING_TAG.sub(drop, text)

    def drop_analytics(match: re.Match[str]) -> str:
        body = match.group("body")
        # a small inline script that boots analytics; never the report's own (large, data: or data) scripts
        if len(body) < 4000 and _ANALYTICS.search(body) and "src" not in match.group("attrs").lower():
            return drop(match)
        return match.group(0)

    text = _INLINE_SCRIPT.sub(drop_analytics, text)
    return text, removed


def outside_references(text: str) -> list[str]:
    """Every outside URL the page's own HTML would load: tag src/href, CSS url()/@import, fetch/import calls in
    inline scripts. (Links a person may click, ``<a href>``, are not loads and are not listed.)"""
    urls = [m["url"] for m in _TAG_ATTR_URL.finditer(text)]
    urls += [m["url"] for m in _CSS_URL.finditer(text)]
    for script in _INLINE_SCRIPT.finditer(text):
        urls += [m["url"] for m in _FETCH.finditer(script["body"])]
    urls += [m.group(0)[:200] for m in _INLINE_SCRIPT.finditer(text) if _ANALYTICS.search(m["body"])]
    return urls


def embedded_files(text: str) -> dict[str, bytes]:
    """The report data Allure 3 embeds in single-file mode (``d("name","base64")`` calls), decoded."""
    files: dict[str, bytes] = {}
    for match in _EMBEDDED.finditer(text):
        try:
            name = json.loads(match.group(1))
            files[str(name)] = base64.b64decode(json.loads(match.group(2)), validate=False)
        except (ValueError, binascii.Error):
            continue
    return files
