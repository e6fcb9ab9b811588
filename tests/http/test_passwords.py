"""Password rules (issue #12 finding 10) and the production SECRET_KEY check."""

from pathlib import Path

import pytest

from app import create_app
from services.accounts import CitizenRegistration, register_citizen
from services.errors import Invalid
from services.passwords import password_problem
from tests.factories import PASSWORD, id_number


def _register(web, password, **overrides):
    data = {
        "full_name": "张小红",
        "id_number": id_number(21),
        "mobile": "13912345678",
        "password": password,
        "confirm": password,
        **overrides,
    }
    return web.post("/register", data, headers={"Accept-Language": "en"})


@pytest.mark.parametrize("weak", ["12345678", "password", "aaaaaaaa", "aaaaaaaaaaaa", "password1234", "qwertyuiop12"])
def test_short_and_common_passwords_are_refused_on_the_field_keeping_the_rest(web, weak):
    page = _register(web, weak).get_data(as_text=True)
    assert page.count('id="password-error"') == 1
    assert "Password" in page.split('id="password-error"')[1][:300]
    assert 'value="张小红"' in page and 'value="13912345678"' in page


def test_a_password_holding_the_mobile_or_the_id_number_is_refused_and_says_why(web):
    for password in ("my13912345678pw", f"x{id_number(21)}"):
        page = _register(web, password).get_data(as_text=True)
        assert "must not contain your ID number" in page


def test_a_long_unguessable_password_is_taken(web):
    assert _register(web, PASSWORD).status_code == 302


def test_the_service_checks_the_rules_too(session):
    with pytest.raises(Invalid) as refused:
        register_citizen(
            session=session, data=CitizenRegistration("张小红", id_number(22), "13912345670", "aaaaaaaaaaaaaa")
        )
    assert "password" in refused.value.errors
    assert password_problem("x" * 129) is not None


def _production(monkeypatch, tmp_path, key):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})


EXAMPLE = (Path(__file__).resolve().parents[2] / "deploy" / "atmostonce.env.example").read_text()
EXAMPLE_KEY = next(line.split("=", 1)[1] for line in EXAMPLE.splitlines() if line.startswith("SECRET_KEY="))


@pytest.mark.parametrize("key", ["short", EXAMPLE_KEY, "x" * 31])
def test_production_refuses_a_short_or_example_secret_key(monkeypatch, tmp_path, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        _production(monkeypatch, tmp_path, key)


def test_production_starts_with_a_32_byte_secret_key(monkeypatch, tmp_path):
    assert _production(monkeypatch, tmp_path, "k" * 32).config["APP_ENV"] == "production"
