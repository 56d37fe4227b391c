"""The live server and browser settings shared by the browser tests and their fixtures."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, expect
from waitress import wasyncore
from waitress.server import create_server

from vliegwiel.core.village import Village

CHROMIUM = Path(os.environ.get("VLIEGWIEL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: WCAG 1.4.10 reflow: 1280 CSS px at 400% zoom; also covers 200% zoom (640 px).
REFLOW = {"width": 320, "height": 640}
#: Playwright waits this long (ms) for a page or element before failing the test.
TIMEOUT_MS = 15_000


@dataclass
class LiveServer:
    """A running vliegwiel: its base URL and the app behind it (to seed or inspect data)."""

    url: str
    app: Flask

    @property
    def village(self) -> Village:
        return self.app.extensions["vliegwiel"]

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def serve(app: Flask) -> Iterator[LiveServer]:
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}", app)
    finally:
        # Close every socket from inside the server's own loop (a trigger thunk runs there), so
        # the loop ends cleanly instead of failing on a socket closed under it.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        assert not thread.is_alive(), "the live server did not stop"


def new_context(browser: Browser, server: LiveServer, **options) -> BrowserContext:
    """A fresh browser profile (own cookies) on a phone-sized screen unless told otherwise."""
    settings = {"viewport": PHONE, "locale": "nl-NL", "base_url": server.url, **options}
    context = browser.new_context(**settings)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return context
