"""Bad input gets a clear page in the user's language, never a 500."""

import pytest

from services.db import make_engine
from tests.factories import PASSWORD, make_citizen

TOO_LARGE = 33 * 1024 * 1024  # over the 32 MB MAX_CONTENT_LENGTH


def test_a_body_over_the_limit_gets_the_branded_413_page_in_chinese(web):
    token = web.csrf()
    response = web.client.post("/login", data={"csrf_token": token, "login": "x" * TOO_LARGE, "password": "p"})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "提交的内容过大" in page
    assert "5 MB" in page


def test_a_body_over_the_limit_gets_the_413_page_in_english_when_english_was_chosen(web, db):
    web.post("/language", {"lang": "en", "next": "/"})
    web.login(make_citizen(db).login_name)
    response = web.client.post(
        "/apply/330100-TRANSPORT-003", data=b"x" * TOO_LARGE, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_a_malformed_multipart_body_gets_the_branded_400_page(web):
    response = web.client.post("/login", data=b"--x\r\nbroken", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "请求" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["/applications\r\nSet-Cookie: a=b", "/\nx", "/a\x00b", "/a\tb", "/a\x7fb", "/a\u2028b", "/" + "a" * 3000]
)
def test_login_with_a_control_character_or_overlong_next_goes_to_the_default_page(web, db, target):
    citizen = make_citizen(db)
    response = web.post(f"/login?next={target}", {"login": citizen.login_name, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/applications"


@pytest.mark.parametrize("target", ["/search\r\nX-Injected: 1", "/\x1b[2J"])
def test_language_switch_with_a_control_character_in_next_goes_to_the_default_page(web, target):
    response = web.post("/language", {"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_an_ordinary_next_is_still_followed(web):
    response = web.post("/language", {"lang": "en", "next": "/search?q=%E5%87%BA%E7%94%9F"})
    assert response.headers["Location"] == "/search?q=%E5%87%BA%E7%94%9F"


def test_a_wrong_method_gets_the_branded_405_page(web):
    response = web.client.delete("/login")
    assert response.status_code == 405
    assert "不允许" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/search?q=" + "出" * 20000,
        "/search?q=%00%ff%fe",
        "/applications?status=nonsense&after=%00%00",
        "/applications?after=" + "9" * 400,
        "/applications?after=-1",
        "/applications/%00../../etc/passwd",
        "/files/..%2F..%2Fetc%2Fpasswd",
        "/files/" + "a" * 5000,
        "/life-events/%FF",
    ],
)
def test_odd_query_strings_and_keys_never_give_a_500(web, db, path):
    web.login(make_citizen(db).login_name)
    response = web.get(path)
    assert response.status_code in (200, 302, 400, 404)


# --- the database away ------------------------------------------------------------------------

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"


@pytest.fixture
def database_away_later(app):
    """Call it to make every later query of the app fail, as it does while its database restarts."""
    working = app.extensions["engine"]

    def go_away():
        app.extensions["engine"] = make_engine(UNREACHABLE)

    yield go_away
    if app.extensions["engine"] is not working:
        app.extensions["engine"].dispose()
        app.extensions["engine"] = working


def test_a_signed_in_page_with_the_database_away_answers_503_with_the_branded_page(web, db, database_away_later):
    web.login(make_citizen(db).login_name)
    database_away_later()
    response = web.get("/applications")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "暂时无法" in page and "Internal Server Error" not in page


def test_an_anonymous_page_with_the_database_away_answers_503_in_english_when_chosen(web, database_away_later):
    web.post("/language", {"lang": "en", "next": "/"})
    token = web.csrf("/login")
    database_away_later()
    response = web.post("/login", {"csrf_token": token, "login": "13800000001", "password": "whatever-it-is"})
    assert response.status_code == 503
    assert "Briefly unavailable" in response.get_data(as_text=True)
