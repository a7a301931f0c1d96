"""The single-file report in a real browser: headless Chromium opens it from disk (file://), renders the run's
totals, and the network log shows no request leaving the page. The screenshot is kept under reports/ for CI."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Generated

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "reports" / "relatorio-navegador.png"
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--window-size=1400,1000", "--virtual-time-budget=10000",
)  # fmt: skip

# Outside CI a machine without Chromium skips these tests; in CI (.ci/run installs it) its absence is a failure.
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Chromium ausente (instale com: apt-get install -y chromium; o CI instala)",
)


def open_in_chromium(page: Path, tmp: Path, screenshot: Path | None = None) -> tuple[str, list[str]]:
    """The rendered DOM of ``page`` and the URLs the page itself asked the network stack for."""
    if CHROMIUM is None:
        pytest.fail("Chromium ausente no CI: .ci/run deveria tê-lo instalado (apt-get install -y chromium)")
    netlog = tmp / "netlog.json"
    args = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'perfil'}", f"--log-net-log={netlog}", "--dump-dom"]
    if screenshot is not None:
        args.append(f"--screenshot={screenshot}")
    done = subprocess.run(
        [*args, page.resolve().as_uri()], capture_output=True, text=True, timeout=120, check=False, cwd=tmp
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, page_requests(netlog)


def page_requests(netlog: Path) -> list[str]:
    """URLs of the requests started on behalf of a file:// page (the browser's own housekeeping is excluded)."""
    data = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in data["events"]:
        params = event.get("params") or {}
        if event["type"] == start_job and "file://" in str(params.get("network_isolation_key", "")):
            urls.append(str(params.get("url", "")))
    return urls


def visible_text(dom: str) -> str:
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom)))


def outside(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(("file:", "data:", "blob:"))]


def test_report_renders_totals_offline(generated: Generated, tmp_path: Path) -> None:
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    dom, requests = open_in_chromium(generated.index, tmp_path, SCREENSHOT)
    text = visible_text(dom)
    assert "Total 8" in text, text[:2000]
    for total in ("Falhou 1", "Quebrado 1", "Aprovado 5"):
        assert total in text, text[:2000]
    assert "R2 · Reenvio recebe APV/RPV" in text
    assert "Distribuidora Sintética Ltda" in text
    assert outside(requests) == []
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and SCREENSHOT.stat().st_size > 10_000


def test_network_log_does_catch_an_outside_request(tmp_path: Path) -> None:
    page = tmp_path / "pagina.html"
    page.write_text(
        '<!DOCTYPE html><html><body><p>oi</p><script async src="https://analytics.example.invalid/g.js"></script>'
        "</body></html>",
        encoding="utf-8",
    )
    dom, requests = open_in_chromium(page, tmp_path)
    assert "oi" in visible_text(dom)
    assert outside(requests) == ["https://analytics.example.invalid/g.js"]
