"""The app as deployed, on 127.0.0.1, for the benches: gunicorn in production mode and the flask CLI beside it.

Production settings (APP_ENV=production, a random 64-hex SECRET_KEY) with one exception: the
session cookie is not Secure, because the loopback has no TLS and a Secure cookie would never
come back over plain HTTP.
"""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from bench.browser import Browser, Refused
from bench.load import _children

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2


def production_env(folder: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "OUTBOX_FOLDER": str(folder / "outbox"),
        "SESSION_COOKIE_SECURE": "0",
        "PYTHONPATH": str(ROOT),
    }


def start_gunicorn(
    folder: Path, database_url: str, port: int, settings: dict[str, str] | None = None
) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py, 2 workers, no recycling, its access log in `folder`, the app's
    environment plus `settings`; returns once both workers are up and it answers."""
    env = {
        **production_env(folder, database_url),
        "WEB_CONCURRENCY": str(WORKERS),
        "BIND": f"127.0.0.1:{port}",
        "MAX_REQUESTS": "0",
        "ACCESS_LOG": str(folder / "access.log"),
        **(settings or {}),
    }
    with open(folder / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "app:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited while starting:\n{(folder / 'gunicorn.log').read_text()}")
        try:
            if len(_children(server.pid)) == WORKERS and Browser(port, timeout=2).request("GET", "/login")[0] == 200:
                return server
        except Refused:
            pass
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer in time")


def flask_command(folder: Path, database_url: str, *arguments: str, timeout: float = 600):
    """`flask --app app ARGUMENTS` on the same database, as an operator runs it; its completed process."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *arguments],
        cwd=ROOT,
        env=production_env(folder, database_url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def audit_verify(database_url: str, folder: Path) -> tuple[bool, str]:
    """`flask --app app audit verify`: whether it passed, and its last line."""
    run = flask_command(folder, database_url, "audit", "verify")
    return run.returncode == 0, (run.stdout + run.stderr).strip().splitlines()[-1]
