"""The web UI in a real browser: headless Chromium drives Locust's page (DevTools protocol over aiohttp's websocket
client), fills two of the burst's pt-BR parameters, starts it, and reads the "Homologação" tab: live tally and
verdict. Locust runs as a subprocess against the reference distributor, as in test_load_runs."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from test_load_runs import LOCUST, RANGE, ROOT, _env, cnpjs, reference

from homologa.server.store import all_cnpjs

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium não instalado")

Call = Callable[..., Awaitable[dict[str, Any]]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def browser(width: int = 1280, height: int = 1100) -> AsyncIterator[Call]:
    port = free_port()
    profile = tempfile.mkdtemp()
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", f"--user-data-dir={profile}",
         f"--remote-debugging-port={port}", f"--window-size={width},{height}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    ids = itertools.count(1)
    try:
        async with aiohttp.ClientSession() as http:
            pages: list[dict[str, Any]] = []
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/json/list") as r:
                        pages = [p for p in await r.json() if p.get("type") == "page"]
                    if pages:
                        break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
            async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:

                async def call(method: str, **params: Any) -> dict[str, Any]:
                    n = next(ids)
                    await ws.send_str(json.dumps({"id": n, "method": method, "params": params}))
                    while True:
                        msg = json.loads((await ws.receive(timeout=30)).data)
                        if msg.get("id") == n:
                            return dict(msg.get("result", {}))

                yield call
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


async def evaluate(call: Call, expression: str) -> Any:
    result = await call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
    return result.get("result", {}).get("value")


async def wait_for(call: Call, expression: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = await evaluate(call, expression)
        if value:
            return value
        await asyncio.sleep(0.3)
    raise AssertionError(f"a página não chegou a: {expression}")


# React controls the inputs: set the value through the native setter, then tell React with an input event
FILL = """(() => {
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  for (const [name, value] of Object.entries(%s)) {
    const input = document.querySelector(`input[name="${name}"]`);
    if (!input) return 'campo ausente: ' + name;
    set.call(input, value);
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }
  return 'ok';
})()"""
LABELS = "[...document.querySelectorAll('label')].map(l => l.textContent.trim())"
START = "(() => { const b = document.querySelector('form button[type=submit]'); b && b.click(); return !!b; })()"


def tab_rows(base: str) -> dict[str, str]:
    stats = httpx.get(base + "/stats/requests", timeout=10).json()
    tab = next(s for s in stats["extended_stats"] if s["key"] == "homologacao")
    return {row["item"]: row["valor"] for row in tab["data"]}


def test_the_homologacao_tab_shows_the_live_tally_and_the_verdict(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # HOMOLOGA_SCREENSHOT=docs/img/carga-homologacao.png keeps the picture (the one in the docs comes from here)
    shot = Path(os.environ.get("HOMOLOGA_SCREENSHOT", "") or tmp_path / "carga-homologacao.png")
    with reference(tmp_path) as server:
        locust = subprocess.Popen(
            [LOCUST, "-f", "loadtests/locustfile.py", "--host", server.url, "--web-port", str(port),
             "--cep-range", RANGE, "--seed", "7", "--customers", "50", "--rate", "40",
             "--report-dir", str(tmp_path / "carga")],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
        )  # fmt: skip
        try:

            async def drive() -> tuple[list[str], str]:
                async with browser() as call:
                    for _ in range(100):  # the web UI is up
                        try:
                            httpx.get(base + "/", timeout=2)
                            break
                        except httpx.HTTPError:
                            await asyncio.sleep(0.2)
                    await call("Page.navigate", url=base + "/")
                    await wait_for(call, "document.querySelector('input[name=\"clientes\"]') !== null")
                    labels = await evaluate(call, LABELS)
                    # two pt-BR parameters typed in the form reach the burst (the UI posts them back by name)
                    assert await evaluate(call, FILL % json.dumps({"clientes": "120", "orçamento": "1500"})) == "ok"
                    assert await evaluate(call, START)
                    deadline = time.monotonic() + 60
                    while tab_rows(base)["Situação"] != "concluída" and time.monotonic() < deadline:
                        await asyncio.sleep(0.5)
                    await call("Page.navigate", url=base + "/?tab=homologacao")
                    await wait_for(call, "document.body.innerText.includes('Veredito')")
                    await asyncio.sleep(1.5)  # one more poll of /stats/requests
                    text = await evaluate(call, "document.body.innerText")
                    png = await call("Page.captureScreenshot", format="png")
                    shot.write_bytes(base64.b64decode(png["data"]))
                    return labels, text

            labels, text = asyncio.run(drive())
        finally:
            locust.terminate()
            locust.wait(timeout=20)
        stored = all_cnpjs(tmp_path / "ref.db")
    # the parameters: Portuguese, most important first
    groups = ("essencial", "clientes", "forma", "degraus", "limites", "colapso", "ajuste fino")
    custom = [label for label in labels if any(f"({group}:" in label for group in groups)]
    assert custom[0].startswith("Clientes (essencial") and custom[1].startswith("Faixas De Cep (essencial")
    assert any(label.startswith("Orçamento (essencial") for label in custom)
    # the tab: the whole tally and the verdict, with the values typed in the form
    assert "HOMOLOGAÇÃO" in text.upper()  # the tab's title (the UI shows tab titles in capitals)
    for expected in ("Situação", "concluída", "Enviados e respondidos", "120 (100.0%)",
                     "PEN (novos)", "orçamento 1500 ms", "Veredito", "APROVADO"):  # fmt: skip
        assert expected in text, (expected, text[-2000:])
    assert stored == cnpjs(120) and shot.stat().st_size > 10_000
    result = json.loads((tmp_path / "carga" / "resultado.json").read_text(encoding="utf-8"))
    assert (result["enviados"], result["aprovado"]) == (120, True)
