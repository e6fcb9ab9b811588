"""Targets a journey runs against over a network: a running test-mode server, with pages or a browser."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from journeys.clients import UrlClient
from journeys.model import Journey
from journeys.page_transport import PageTransport
from journeys.transport import SystemApi

PROJECT = Path(__file__).resolve().parents[1]


class HttpTarget:
    """`--target URL`: the pages of a running server in test mode, over real HTTP.

    Each journey starts by wiping the server's data (`POST /_test/reset`), so the same
    file gives the same result as in-process; point it only at a disposable test server.
    """

    mode = "http"

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.system = SystemApi(UrlClient(self.base_url).call)
        self.transport: PageTransport | None = None

    def begin(self, journey: Journey):
        self.system.reset()
        self.transport = PageTransport(lambda: UrlClient(self.base_url))
        return self.transport, self.system

    def end(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def close(self) -> None:
        pass


class BrowserTarget:
    """`--browser`: Chromium clicking the pages of a test-mode server, one browser context per person."""

    mode = "browser"

    def __init__(self, base_url: str, browser=None, headless: bool = True, slow_mo: float = 0):
        """Launches Chromium unless given a browser (pytest-playwright's, in the test suite)."""
        from journeys.browser_transport import launch_chromium

        self.base_url = base_url.rstrip("/")
        self.system = SystemApi(UrlClient(self.base_url).call)
        self.playwright = None
        if browser is None:
            self.playwright, browser = launch_chromium(headless=headless, slow_mo=slow_mo)
        self.browser = browser
        self.transport = None

    def begin(self, journey: Journey):
        from journeys.browser_transport import BrowserTransport

        self.system.reset()
        self.transport = BrowserTransport(self.browser, self.base_url)
        return self.transport, self.system

    def end(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def close(self) -> None:
        if self.playwright is not None:
            self.browser.close()
            self.playwright.stop()


class GunicornServer:
    """A test-mode gunicorn on 127.0.0.1 with its own SQLite file, for `--target` tests and benchmarks."""

    def __init__(self, root: Path, workers: int = 2, timeout: float = 60):
        from services.db import create_schema, make_engine

        root.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{root / 'data.db'}")
        create_schema(engine)  # once, before the workers start on the same file
        engine.dispose()
        ready = root / "ready"
        shutil.rmtree(ready, ignore_errors=True)
        ready.mkdir()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "APP_ENV": "test",
            "SECRET_KEY": f"journeys-{root.name}",
            "DATABASE_URL": f"sqlite:///{root / 'data.db'}",
            "UPLOAD_FOLDER": str(root / "uploads"),
            "OUTBOX_FOLDER": str(root / "outbox"),
            "VIRTUAL_CLOCK_FILE": str(root / "clock"),
            "GUNICORN_READY_FOLDER": str(ready),
        }
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        self.log = root / "gunicorn.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    gunicorn,
                    "--config",
                    "python:journeys.gunicorn_ready",
                    "--workers",
                    str(workers),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                    "app:create_app()",
                ],
                cwd=PROJECT,
                env=env,
                stdout=log,
                stderr=log,
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while not (len(list(ready.iterdir())) >= workers and self._answers()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()}")
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_test/clock", timeout=2):
                return True
        except OSError:
            return False

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
