"""The web UI in a real browser: headless Chromium drives Locust's page (DevTools protocol over aiohttp's websocket
client), fills two of the burst's pt-BR parameters, starts it, and reads the "Homologação" tab: live tally and
verdict. Locust runs as a subprocess against the reference distributor, as in test_load_runs."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from devtools import CHROMIUM, browser, evaluate, free_port, wait_for
from test_load_runs import LOCUST, RANGE, ROOT, _env, cnpjs, reference

from homologa.server.store import all_cnpjs

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium não instalado")


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
