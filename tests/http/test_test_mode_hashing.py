"""Only a test-mode app hashes cheaply; an account it made cannot sign in on any other app."""

import pytest
from sqlmodel import select

from app import create_app
from services import clock
from services.db import new_session
from services.models import User
from services.passwords import TEST_MODE_MARK
from tests.conftest import Browser
from tests.factories import PASSWORD, id_number


def _app(tmp_path, database_url, env: str, monkeypatch):
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")  # the test client speaks plain HTTP
    return create_app(
        {
            "DATABASE_URL": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "VIRTUAL_CLOCK_FILE": str(tmp_path / "clock"),
        }
    )


def _register(app, serial: int) -> str:
    login = id_number(serial)
    page = Browser(app.test_client())
    answer = page.post(
        "/register",
        {
            "full_name": "张小红",
            "id_number": login,
            "mobile": f"139123456{serial:02d}",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return login


def _stored_hash(app, login: str) -> str:
    with new_session(app.extensions["engine"]) as session:
        return session.exec(select(User.password_hash).where(User.login_name == login)).one()


def _sign_in(app, login: str) -> int:
    """302 when signed in; 200, the form again with its message, when refused."""
    return Browser(app.test_client()).post("/login", {"login": login, "password": PASSWORD}).status_code


@pytest.fixture
def keep_clock():
    previous = clock.current_clock()  # test mode installs the virtual clock for the whole process
    yield
    clock.use_clock(previous)


def test_production_hashes_with_werkzeugs_default_never_the_cheap_method(tmp_path, database_url, monkeypatch):
    production = _app(tmp_path, database_url, "production", monkeypatch)
    try:
        login = _register(production, 31)
        stored = _stored_hash(production, login)
        assert stored.startswith("scrypt:") and not stored.startswith(TEST_MODE_MARK)
        assert _sign_in(production, login) == 302
    finally:
        production.extensions["engine"].dispose()


def test_a_test_mode_account_signs_in_there_and_nowhere_else(tmp_path, database_url, monkeypatch, keep_clock):
    test_mode = _app(tmp_path, database_url, "test", monkeypatch)
    try:
        login = _register(test_mode, 32)
        assert _stored_hash(test_mode, login).startswith(TEST_MODE_MARK)
        assert _sign_in(test_mode, login) == 302
    finally:
        test_mode.extensions["engine"].dispose()
    for env in ("production", "development"):
        other = _app(tmp_path, database_url, env, monkeypatch)
        try:
            assert _sign_in(other, login) == 200, env  # refused as a wrong password is
        finally:
            other.extensions["engine"].dispose()
