"""Screenshot of the Locust web UI with the profile's parameters open (docs/img/locust-web-ui.png).

Drives headless Chromium over the DevTools protocol (aiohttp's websocket client) to open the "Custom parameters"
panel, which a plain ``chromium --screenshot`` cannot click. Start the web UI first:

    locust -f loadtests/locustfile.py --homologa-profile homologacao.exemplo.toml --web-port 8089 &
    python docs/screenshot_webui.py http://127.0.0.1:8089/ docs/img/locust-web-ui.png
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

OPEN_PANEL = """
[...document.querySelectorAll('*')].filter(e => e.children.length === 0 && e.textContent.trim() === 'Custom parameters')
  .forEach(e => e.click());
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def shoot(url: str, out: Path, width: int = 1280, height: int = 1000) -> None:
    port = free_port()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp()
    browser = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--remote-debugging-port={port}", f"--window-size={width},{height}", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    ids = itertools.count(1)
    try:
        async with aiohttp.ClientSession() as http:
            pages: list[dict[str, Any]] = []
            for _ in range(50):
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
                        msg = json.loads((await ws.receive()).data)
                        if msg.get("id") == n:
                            return dict(msg.get("result", {}))

                await asyncio.sleep(3)  # the React app renders
                await call("Runtime.evaluate", expression=OPEN_PANEL)
                await asyncio.sleep(1)
                metrics = await call("Page.getLayoutMetrics")
                full = metrics.get("cssContentSize") or metrics["contentSize"]
                shot = await call(
                    "Page.captureScreenshot", format="png", captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": width, "height": max(height, full["height"]), "scale": 1},
                )  # fmt: skip
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(base64.b64decode(shot["data"]))
    finally:
        browser.terminate()
        browser.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(shoot(sys.argv[1], Path(sys.argv[2])))
