"""The one writer of Allure 3 configurations: the report's name and the suite's failure categories.

Allure 3 takes categories from its configuration, not from the results folder, and matches them with JavaScript
regular expressions (partial match, no inline flags), while the suite writes Allure 2's ``categories.json`` (Java
regular expressions, whole-message match, ``(?s)``-style flags). :func:`to_allure3` translates one into the other.
Two callers: ``homologa relatorio`` writes one per run from that run's ``categories.json``; the suite regenerates
``reports/allurerc.mjs`` (kept in git) from the same categories. Standard library only (contract core).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

LANGUAGE = "pt"
GROUP_BY = ("epic", "feature", "story")
RUN_NOTE = ("Written by homologa relatorio for one run; the report's plugin options are on the command line.",)
_INLINE_FLAGS = re.compile(r"^\(\?([a-zA-Z]+)\)")
_JS_FLAGS = frozenset("imsu")


def read_categories(results: Path) -> list[dict[str, Any]]:
    """The results' ``categories.json`` (Allure 2 format), or an empty list when absent or unreadable."""
    path = results / "categories.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    return [c for c in data if isinstance(c, dict)] if isinstance(data, list) else []


def js_regex(pattern: str) -> str:
    """A JavaScript ``new RegExp(...)`` expression matching like Java's ``Pattern.matches`` (the whole text)."""
    flags = ""
    match = _INLINE_FLAGS.match(pattern)
    if match:
        flags = "".join(sorted({f for f in match[1] if f in _JS_FLAGS}))
        pattern = pattern[match.end() :]
    return f"new RegExp({json.dumps('^(?:' + pattern + ')$')}, {json.dumps(flags)})"


def to_allure3(category: dict[str, Any]) -> str | None:
    """One Allure 3 category rule (JavaScript source) from an Allure 2 category, or ``None`` if it matches nothing."""
    name = category.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    matchers: list[str] = []
    statuses = category.get("matchedStatuses")
    if isinstance(statuses, list) and statuses:
        matchers.append(f"statuses: {json.dumps([str(s) for s in statuses])}")
    for key, target in (("messageRegex", "message"), ("traceRegex", "trace")):
        value = category.get(key)
        if isinstance(value, str) and value:
            matchers.append(f"{target}: {js_regex(value)}")
    if isinstance(category.get("flaky"), bool):
        matchers.append(f"flaky: {json.dumps(category['flaky'])}")
    if not matchers:
        return None
    return f"{{ name: {json.dumps(name, ensure_ascii=False)}, matchers: {{ {', '.join(matchers)} }} }}"


def config_text(name: str, categories: list[dict[str, Any]], note: tuple[str, ...] = RUN_NOTE) -> str:
    """An ``allurerc.mjs``: ``note`` as comment lines, the report ``name`` and the categories as Allure 3 rules."""
    rules = [rule for rule in (to_allure3(c) for c in categories) if rule]
    lines = [f"// {line}" for line in note]
    lines += ["export default {", f"  name: {json.dumps(name, ensure_ascii=False)},"]
    if rules:
        lines.append("  categories: { rules: [")
        lines += [f"    {rule}," for rule in rules]
        lines.append("  ] },")
    lines.append("};")
    return "\n".join(lines) + "\n"
