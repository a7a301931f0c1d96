"""Screenshot of the Locust web UI with the profile's parameters open (docs/img/locust-web-ui.png).

Drives headless Chromium over the DevTools protocol (aiohttp's websocket client) to open the "Custom parameters"
panel, which a plain ``chromium --screenshot`` cannot click. Start the web UI first:

    locust -f loadtests/locustfile.py --homologa-profile homologacao.exemplo.toml --web-port 8089 &
    python docs/screenshot_webui.py http://127.0.0.1:8089/ docs/img/locust-web-ui.png
"""

from __future__ import annotations

import asyncio
import base64
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from devtools import browser, evaluate  # the Chromium driver the web-UI test uses too

OPEN_PANEL = """
[...document.querySelectorAll('*')].filter(e => e.children.length === 0 && e.textContent.trim() === 'Custom parameters')
  .forEach(e => e.click());
"""


async def shoot(url: str, out: Path, width: int = 1280, height: int = 1000) -> None:
    async with browser(width, height, url) as call:
        await asyncio.sleep(3)  # the React app renders
        await evaluate(call, OPEN_PANEL)
        await asyncio.sleep(1)
        metrics = await call("Page.getLayoutMetrics")
        full = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = await call(
            "Page.captureScreenshot", format="png", captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": max(height, full["height"]), "scale": 1},
        )  # fmt: skip
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(shot["data"]))


if __name__ == "__main__":
    asyncio.run(shoot(sys.argv[1], Path(sys.argv[2])))
