"""The in-process target: a test-mode app of its own on temporary files, a fresh database per journey.

`journeys run` replays on it in this process, or in worker processes (journeys/workers.py), each
with its own; the local browser's server (journeys/cli.py LiveServer) starts the same app.
"""

import base64
import random
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import event

from journeys.clients import FlaskClient
from journeys.page_transport import PageTransport
from journeys.transport import SystemApi
from services import clock
from services.db import create_schema, make_engine
from services.models.keys import keys_from
from services.uploads import FileStore


def isolated_app(root: Path) -> Flask:
    """A test-mode app on its own files under `root`: database, uploads, outbox and virtual clock."""
    from app import create_app

    root.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            "APP_ENV": "test",
            "SECRET_KEY": "journeys-" + root.name,
            "DATABASE_URL": f"sqlite:///{root / 'template.db'}",
            "UPLOAD_FOLDER": str(root / "uploads"),
            "OUTBOX_FOLDER": str(root / "outbox"),
            "VIRTUAL_CLOCK_FILE": str(root / "virtual_clock"),
            "LOG_LEVEL": "WARNING",
        }
    )  # a journey's report, not a line per request
    # Compiled templates kept between runs and shared by a run's workers (jinja checks each source's checksum).
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache()
    create_schema(app.extensions["engine"])  # the template every journey copies
    return app


def seeded_keys(seed) -> Callable[[], str]:
    """Row keys like `secrets.token_urlsafe(12)`, drawn from the journey's seed."""
    draw = random.Random(f"keys:{seed}")
    return lambda: base64.urlsafe_b64encode(draw.randbytes(12)).decode()


def seeded_file_names(seed) -> Callable[[], str]:
    """Stored file names like the file store's own (hex), drawn from the journey's seed."""
    draw = random.Random(f"files:{seed}")
    return lambda: draw.randbytes(16).hex()


class InProcess:
    """Each journey on a fresh copy of an empty database, through the Flask test client; keys drawn from the seed.

    The app, its templates and the catalogue are built once; so is the engine, whose file the template is
    copied over before each journey: its dialect and statement cache outlive a journey, so a statement is
    compiled once per run, not once per journey.
    """

    mode = "in-process"

    def __init__(self, root: Path | None = None):
        self.root = Path(root or tempfile.mkdtemp(prefix="journeys-"))
        self.previous_clock = clock.current_clock()
        self.app = isolated_app(self.root)
        self.template = self.root / "template.db"
        self.app.extensions["engine"].dispose()
        self.database = self.root / "journey.db"
        self.app.extensions["engine"] = make_engine(f"sqlite:///{self.database}")
        event.listen(self.app.extensions["engine"], "connect", _no_waiting_for_the_disk)
        self.count = 0
        self.stack: ExitStack | None = None

    def begin(self, journey):
        self.count += 1
        world = self.root / f"journey-{self.count}"
        world.mkdir()
        # New files, not the last journey's overwritten: its write-ahead log must not outlive it.
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.database)
        self.app.extensions["file_store"] = FileStore(world / "uploads", new_name=seeded_file_names(journey.seed))
        self.app.config["OUTBOX_FOLDER"] = str(world / "outbox")
        self.app.extensions["virtual_clock"].clear()
        self.stack = ExitStack()
        self.stack.enter_context(keys_from(seeded_keys(journey.seed)))
        system = SystemApi(FlaskClient(self.app.test_client()).call)
        return PageTransport(lambda: FlaskClient(self.app.test_client())), system

    def end(self) -> None:
        self.stack.close()
        self.app.extensions["engine"].dispose()
        shutil.rmtree(self.root / f"journey-{self.count}", ignore_errors=True)

    def close(self) -> None:
        clock.use_clock(self.previous_clock)
        shutil.rmtree(self.root, ignore_errors=True)


def _no_waiting_for_the_disk(dbapi_connection, _record) -> None:
    # A journey's database is thrown away after it: a commit need not wait for the disk (fsync).
    dbapi_connection.execute("PRAGMA synchronous=OFF")
