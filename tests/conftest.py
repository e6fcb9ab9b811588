import re

import pytest

from app import create_app
from services.catalog import default_catalog
from services.db import create_schema, make_engine, new_session
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(scope="session")
def catalog():
    return default_catalog()


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'service.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with new_session(engine) as session:
        yield session


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
    })
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
        page = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf())
        return self.client.post(path, data=data, **kwargs)

    def login(self, login: str, password: str = PASSWORD):
        response = self.post("/login", {"login": login, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def web(app):
    return Browser(app.test_client())


@pytest.fixture
def other_web(app):
    return Browser(app.test_client())
