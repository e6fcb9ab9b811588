"""The production path, as README's Production section gives it, on the suite's database.

An empty database; `flask db upgrade`; `flask seed`; gunicorn with deploy/gunicorn.conf.py
and two workers in production mode; the demo citizen logs in and sees the seeded cases.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, inspect

from seeding.demo import CITIZEN, DEMO_PASSWORD

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Client:
    """Just enough of a browser over plain HTTP: the session cookie is `Secure`, so it is sent by hand."""

    def __init__(self, url: str):
        self.url, self.cookies = url, {}

    def request(self, path: str, form: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, data=urllib.parse.urlencode(form).encode() if form else None)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = urllib.request.build_opener(_NoRedirect).open(request, timeout=30)
        except urllib.error.HTTPError as answer:
            response = answer
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";")[0].split("=", 1)
            self.cookies[name] = value
        return response.status, response.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_empty_database_migrated_seeded_and_served_by_gunicorn(empty_database_url, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "production-path-test-key-of-32-bytes-or-more",
        "DATABASE_URL": empty_database_url,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "OUTBOX_FOLDER": str(tmp_path / "outbox"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(str(BIN / "flask"), "--app", "app", "db", "upgrade")
    engine = create_engine(empty_database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"application", "task", "auditevent", "alembic_version"} <= tables

    seeded = run(str(BIN / "flask"), "--app", "app", "seed", "--applications", "6", "--seed", "1")
    assert CITIZEN.mobile in seeded  # the demo logins are printed

    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "app:create_app()"],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        client = Client(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = client.request("/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.3)
        assert status == 200
        _, login_page = client.request("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        status, _ = client.request("/login", {"csrf_token": token, "login": CITIZEN.mobile, "password": DEMO_PASSWORD})
        assert status == 302
        status, listing = client.request("/applications")
        assert status == 200
        assert listing.count('class="list-group-item"') >= 3  # the demo citizen's cases, in several states
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
