"""Headless Chromium driven over the DevTools protocol (aiohttp's websocket client): the one driver that the web-UI
test (tests/test_load_webui.py) and the docs' screenshot script (docs/screenshot_webui.py) share."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

Call = Callable[..., Awaitable[dict[str, Any]]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def browser(width: int = 1280, height: int = 1100, url: str = "about:blank") -> AsyncIterator[Call]:
    """A fresh headless Chromium (own profile, own port) on ``url``; yields ``call(method, **params)``."""
    port = free_port()
    profile = tempfile.mkdtemp()
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-sync", "--disable-background-networking", "--disable-component-update",
         f"--user-data-dir={profile}", f"--remote-debugging-port={port}", f"--window-size={width},{height}", url],
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
            if not pages:
                raise RuntimeError(f"o Chromium ({CHROMIUM}) não abriu a porta de depuração {port}")
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
    """The value of a JavaScript expression in the page (promises awaited)."""
    result = await call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
    return result.get("result", {}).get("value")


async def wait_for(call: Call, expression: str, seconds: float = 30) -> Any:
    """Poll ``expression`` until it is truthy; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = await evaluate(call, expression)
        if value:
            return value
        await asyncio.sleep(0.3)
    raise AssertionError(f"a página não chegou a: {expression}")
