"""Every response carries the browser protections; production adds HSTS."""
import pytest

from app import create_app
from tests.factories import make_citizen, make_staff


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/login", "/search?q=x", "/no-such-page", "/static/css/app.css"])
def test_every_response_forbids_framing_sniffing_and_inline_scripts(web, path):
    response = web.get(path)
    directives = csp_directives(response)
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["script-src"] == "script-src 'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert directives["object-src"] == "object-src 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_staff_decision_pages_cannot_be_framed(web, db):
    clerk = make_staff(db, "clerk", "TRANSPORT")
    web.login(clerk.login_name)
    response = web.get("/clerk/inbox")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_redirects_and_json_answers_carry_the_headers_too(web, db):
    web.login(make_citizen(db).login_name)
    response = web.post("/logout")
    assert response.status_code == 302
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_development_sends_no_hsts(web):
    assert "Strict-Transport-Security" not in web.get("/").headers


def test_production_sends_hsts(tmp_path, database_url):
    app = create_app({"APP_ENV": "production", "SECRET_KEY": "p" * 64, "DATABASE_URL": database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    try:
        response = app.test_client().get("/", base_url="https://example.gov.cn")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    finally:
        app.extensions["engine"].dispose()
