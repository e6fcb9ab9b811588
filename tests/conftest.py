import functools
import os
import re
import shutil
import sqlite3
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from werkzeug.security import generate_password_hash

from app import create_app
from seeding import seed_city
from seeding.files import tiny_png
from services import clock, passwords
from services.catalog import default_catalog
from services.db import create_schema, make_engine, new_session
from services.second_factor import unused_code
from services.uploads import FileStore
from tests import status_guard
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = tiny_png(128)  # a real image: uploads are decoded and re-encoded
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True, scope="session")
def statuses_change_only_through_the_transition_tables():
    """Every test, of every kind of case, fails where a status is written outside its table."""
    status_guard.install()
    yield
    status_guard.uninstall()


CHINA = timezone(timedelta(hours=8))
FROZEN_START = datetime(2026, 11, 2, 9, 0, tzinfo=CHINA)  # a Monday morning


@pytest.fixture
def frozen():
    """The virtual clock, frozen on Monday 2026-11-02 09:00 China time; restored afterwards."""
    previous = clock.current_clock()
    stopped = clock.FrozenClock(FROZEN_START)
    clock.use_clock(stopped)
    yield stopped
    clock.use_clock(previous)


@pytest.fixture
def wall():
    """The wall clock of sign-in sessions and throttling, frozen at the real now; restored afterwards."""
    previous = clock.current_wall_clock()
    stopped = clock.FrozenClock(datetime.now(UTC))
    clock.use_wall_clock(stopped)
    yield stopped
    clock.use_wall_clock(previous)


@pytest.fixture
def at(frozen):
    """Move the frozen clock to a China-time moment: at(2026, 2, 13)."""

    def move(year, month, day, hour=9, minute=0):
        frozen.set(datetime(year, month, day, hour, minute, tzinfo=CHINA))

    return move


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "files")


@pytest.fixture
def quick_password_hashing(monkeypatch):
    """Accounts the real services create (the seed's demo staff) hash cheaply: the suite need not pay for scrypt."""
    monkeypatch.setattr(
        passwords, "generate_password_hash", functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
    )


@pytest.fixture(scope="session")
def catalog():
    return default_catalog()


# The suite runs twice in CI: on SQLite files, and with TEST_DATABASE_URL on PostgreSQL.
SERVER_URL = os.environ.get("TEST_DATABASE_URL")


@event.listens_for(Engine, "connect")
def _no_waiting_for_the_disk(dbapi_connection, _record):
    """A test's SQLite file is thrown away afterwards: a commit need not wait for the disk (fsync).

    Every engine of this process, the app's included; locking and visibility between connections are unchanged.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory, worker_id):
    """The migrations run once per worker into a template; each test gets a copy."""
    if not SERVER_URL:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        create_schema(engine)
        engine.dispose()
        yield path
        return
    name = f"template_{worker_id}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False))
    create_schema(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def _server_database(template: str | None = None):
    """A database of its own on the PostgreSQL server (a copy of `template`, or empty), dropped after."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_database(folder, template):
    """A fresh database at the current schema: a copy of the migrated template, in `folder` on SQLite."""
    if not SERVER_URL:
        path = folder / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    with _server_database(template=template) as url:
        yield url


@contextmanager
def seeded_city_session(folder, template, catalog, options):
    """A fresh database seeded with `options`, and a session on it, the clock standing at the morning after the
    seeded year (China time) so that every seeded change is in the past. For fixtures that seed once and read:
    the seed's demo staff register through the real service, and hash cheaply here."""
    with pytest.MonkeyPatch.context() as patch, migrated_database(folder, template) as url:
        patch.setattr(
            passwords, "generate_password_hash", functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
        )
        engine = make_engine(url)
        seed_city(engine=engine, catalog=catalog, upload_folder=folder / "seeded", options=options)
        previous = clock.current_clock()
        day = options.as_of
        clock.use_clock(clock.FrozenClock(datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)))
        try:
            with new_session(engine) as session:
                yield session
        finally:
            clock.use_clock(previous)
            engine.dispose()


@pytest.fixture
def database_url(tmp_path, migrated_template):
    """A fresh database at the current schema, for one test."""
    with migrated_database(tmp_path, migrated_template) as url:
        yield url


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with no tables at all, for one test: what an operator starts from."""
    if not SERVER_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with _server_database() as url:
        yield url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with new_session(engine) as session:
        yield session


@pytest.fixture
def app(tmp_path, database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def db(app):
    with new_session(app.extensions["engine"]) as session:
        yield session


class Browser:
    """The Flask test client plus what a person does with a page: read its CSRF token, log in."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path: str = "/") -> str:
        page = self.client.get(path, follow_redirects=True).get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:  # fetch a page for a token only when none was given
            data["csrf_token"] = self.csrf()
        return self.client.post(path, data=data, **kwargs)

    def login(self, login: str, password: str = PASSWORD):
        """Sign in through the real pages; staff also pass the second factor with a code of their secret."""
        response = self.post("/login", {"login": login, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"] == "/login/code":
            response = self.post("/login/code", {"code": self.next_code(login)})
            assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def next_code(self, login: str) -> str:
        """The code of a time step the server has not seen used yet (a code works once), near now."""
        from sqlmodel import select

        from services.models import User

        with new_session(self.client.application.extensions["engine"]) as db:
            return unused_code(db.exec(select(User).where(User.login_name == login.lower())).one())


@pytest.fixture
def web(app):
    return Browser(app.test_client())


@pytest.fixture
def other_web(app):
    return Browser(app.test_client())


@pytest.fixture
def catalogue_checked_just_now(app):
    """For a test counting a request's statements: whether the catalogue UI published a version is checked
    at most every CATALOG_REFRESH_SECONDS (tests/http/test_catalogue_admin.py), and a check falling due in
    the middle of a slow run would add its statement to whichever request it lands in."""
    app.config["CATALOG_REFRESH_SECONDS"] = 3600
    app.extensions["catalog_checked_at"] = time.monotonic()
