"""Reading a folder of standard allure-pytest results (``*-result.json``, attachments, ``environment.properties``).

Only the fields the sign-off needs are kept: name, status, rule (from the ``epic``/``feature``/``story`` labels, e.g.
``R1``), severity, the failure message (whose last ``curl`` line is the reproduction command), times and
attachments. Files that are not valid result JSON are reported, not ignored: evidence must be readable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RULE_LABELS = ("regra", "epic", "feature", "story", "parentSuite", "suite")
_RULE = re.compile(r"^\s*(?P<id>[RB]\d{1,2})\b\s*[—–·:\-.]?\s*(?P<title>.*)$", re.IGNORECASE)
_CATEGORY = re.compile(r"\[(?P<name>[^\[\]]{3,60})\]")
# the suite turns an unmet good practice into a skip (xfail) unless --strict: "boa prática B1 não atendida ..."
_ADVISORY = re.compile(r"boa prática\s+\S+\s+não atendida", re.IGNORECASE)
_CITED = re.compile(r"^\s*Regra\s+(?P<id>[RB]\d{1,2})\s*:", re.IGNORECASE | re.MULTILINE)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
FAILED = frozenset({"failed", "broken"})
OTHER_RULE = "outros"


class ResultsError(Exception):
    """The results folder is missing, empty or unreadable; the message is pt-BR."""


@dataclass(frozen=True)
class Attachment:
    name: str
    source: str
    type: str = ""


@dataclass(frozen=True)
class TestResult:
    name: str
    status: str
    rule: str  # "R1".."R6", "B1", "B2", or OTHER_RULE
    rule_title: str
    severity: str
    message: str
    start_ms: int | None
    stop_ms: int | None
    full_name: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    def label(self, name: str) -> str | None:
        return next((value for key, value in self.labels if key == name), None)

    @property
    def cited_rules(self) -> frozenset[str]:
        """Rules a failure message names (``Regra R5: ...``): a scenario of R1 can break R5 on one of its answers."""
        return frozenset(m["id"].upper() for m in _CITED.finditer(self.message))

    @property
    def advisory_not_met(self) -> bool:
        """A good practice the distributor did not meet, reported as a skip because it only advises."""
        return self.status == "skipped" and bool(_ADVISORY.search(self.message))

    @property
    def category(self) -> str | None:
        """The failure category the suite puts in brackets on the message's first line (``[status divergente]``)."""
        first = next((line for line in self.message.splitlines() if line.strip()), "")
        match = _CATEGORY.search(first)
        return match["name"].strip() if match else None

    @property
    def reproduction(self) -> str | None:
        """The reproduction command the suite appends to a failure message (its last line with ``curl ...``)."""
        for line in reversed(self.message.splitlines()):
            at = line.find("curl ")
            if at >= 0 and (at == 0 or not line[at - 1].isalnum()):
                return line[at:].strip()
        return None


@dataclass(frozen=True)
class Results:
    folder: Path
    tests: tuple[TestResult, ...]
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def start_ms(self) -> int | None:
        starts = [t.start_ms for t in self.tests if t.start_ms is not None]
        return min(starts) if starts else None

    @property
    def stop_ms(self) -> int | None:
        stops = [t.stop_ms for t in self.tests if t.stop_ms is not None]
        return max(stops) if stops else None

    def attachment_path(self, attachment: Attachment) -> Path:
        return self.folder / attachment.source

    def attachments_named(self, name: str) -> list[Path]:
        found = []
        for test in self.tests:
            for attachment in test.attachments:
                if attachment.name == name:
                    found.append(self.attachment_path(attachment))
        return found


def rule_of(labels: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """``("R1", "title")`` from the first label (in :data:`RULE_LABELS` order) whose value starts with a rule id."""
    by_name: dict[str, list[str]] = {}
    for name, value in labels:
        by_name.setdefault(name, []).append(value)
    for name in RULE_LABELS:
        for value in by_name.get(name, []):
            match = _RULE.match(value)
            if match:
                return match["id"].upper(), match["title"].strip()
    return OTHER_RULE, ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _attachments(item: Mapping[str, Any]) -> list[Attachment]:
    """Attachments of a result or step, steps included (allure-pytest nests them)."""
    found = [
        Attachment(str(a.get("name", "")), str(a.get("source", "")), str(a.get("type", "")))
        for a in item.get("attachments", []) or []
        if isinstance(a, dict) and a.get("source")
    ]
    for step in item.get("steps", []) or []:
        if isinstance(step, dict):
            found.extend(_attachments(step))
    return found


def parse_result(data: Mapping[str, Any]) -> TestResult:
    labels = tuple(
        (str(label.get("name", "")), str(label.get("value", "")))
        for label in data.get("labels", []) or []
        if isinstance(label, dict)
    )
    rule, title = rule_of(labels)
    details = data.get("statusDetails") or {}
    message = str(details.get("message") or "") if isinstance(details, dict) else ""
    severity = next((value for name, value in labels if name == "severity"), "normal")
    return TestResult(
        name=str(data.get("name") or data.get("fullName") or "?"),
        status=str(data.get("status") or "unknown"),
        rule=rule,
        rule_title=title,
        severity=severity,
        message=message,
        start_ms=_int(data.get("start")),
        stop_ms=_int(data.get("stop")),
        full_name=str(data.get("fullName") or ""),
        labels=labels,
        attachments=tuple(_attachments(data)),
    )


def read_properties(text: str) -> dict[str, str]:
    """A Java ``.properties`` file as Allure writes and reads it (``key=value`` or ``key: value``, ``#`` comments)."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        key, value = _split(line)
        values[key] = value
    return values


def _unescape(text: str) -> str:
    text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    return re.sub(r"\\(.)", r"\1", text)


def _split(line: str) -> tuple[str, str]:
    match = re.match(r"((?:\\.|[^=:\s])+)\s*[=:]?\s*(.*)", line)
    if not match:
        return line, ""
    return _unescape(match[1]), _unescape(match[2])


def read_results(folder: str | Path) -> Results:
    """Every ``*-result.json`` in ``folder`` (raises :class:`ResultsError` if there is none or one is unreadable)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(
            f"resultados Allure não encontrados em {folder} (rode antes: pytest suites --target URL "
            f"--alluredir {folder})"
        )
    tests = []
    for path in sorted(folder.glob("*-result.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ResultsError(f"resultado Allure ilegível: {path.name}: {exc}") from None
        if not isinstance(data, dict):
            raise ResultsError(f"resultado Allure ilegível: {path.name}: não é um objeto JSON")
        tests.append(parse_result(data))
    if not tests:
        raise ResultsError(
            f"nenhum resultado Allure (*-result.json) em {folder} (rode antes: pytest suites --target URL)"
        )
    environment: dict[str, str] = {}
    env_file = folder / "environment.properties"
    if env_file.is_file():
        environment = read_properties(env_file.read_text(encoding="utf-8", errors="replace"))
    tests.sort(key=lambda t: (t.start_ms or 0, t.full_name, t.name))
    return Results(folder=folder, tests=tuple(tests), environment=environment)
