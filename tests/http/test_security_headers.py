"""Every response carries the browser protections; production adds HSTS."""

import pytest

from app import create_app
from services.applications.drafts import attach_upload, start_draft
from tests.conftest import PDF, PNG
from tests.factories import make_citizen, make_staff
from tests.sample import newborn


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
    app = create_app(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "p" * 64,
            "DATABASE_URL": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    try:
        response = app.test_client().get("/", base_url="https://example.gov.cn")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    finally:
        app.extensions["engine"].dispose()


def _uploaded(app, db, web, filename: str, data: bytes):
    """A file the logged-in citizen attached to her own draft."""
    catalog = app.extensions["catalog"]
    bundle = newborn(catalog)
    citizen = make_citizen(db)
    material = next(m for m in bundle.materials if not m.wallet_cert)
    draft = start_draft(session=db, actor=citizen, service_code=bundle.code, catalog=catalog)
    attachment = attach_upload(
        session=db,
        actor=citizen,
        key=draft.key,
        material_key=material.key,
        filename=filename,
        data=data,
        store=app.extensions["file_store"],
        catalog=catalog,
    )
    web.login(citizen.login_name)
    return web.get(f"/files/{attachment.key}")


def test_a_material_file_is_served_sandboxed_and_unsniffable(app, db, web):
    response = _uploaded(app, db, web, "photo.png", PNG)
    assert response.status_code == 200
    policy = csp_directives(response)
    assert "sandbox" in policy and policy["default-src"] == "default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_pdf_is_always_downloaded_never_shown_inline(app, db, web):
    response = _uploaded(app, db, web, "birth.pdf", PDF)
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_a_chinese_file_name_is_sent_per_rfc_6266_with_an_ascii_fallback(app, db, web):
    response = _uploaded(app, db, web, '出生"证明.pdf', PDF)
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''%E5%87%BA%E7%94%9F_%E8%AF%81%E6%98%8E.pdf"
    )


def test_an_image_name_with_quotes_and_semicolons_cannot_break_the_header(app, db, web):
    response = _uploaded(app, db, web, 'a";b=c;.png', PNG)
    disposition = response.headers["Content-Disposition"]
    assert disposition == "inline; filename=\"a__b_c_.png\"; filename*=UTF-8''a_%3Bb%3Dc%3B.png"
