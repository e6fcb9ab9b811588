"""Real pages in Chromium: a citizen registers, finds the newborn bundle, applies and submits."""

import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from app import create_app
from services.db import new_session
from tests.conftest import PDF
from tests.factories import id_number, make_certificate
from tests.sample import complete_values, newborn

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture
def live(tmp_path, database_url):
    app = create_app(
        {"SECRET_KEY": "browser-test", "DATABASE_URL": database_url, "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["engine"].dispose()


def log_in(page, login: str, password: str = "browser-pass-1") -> None:
    """On the login page a registration leads to."""
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applications")


def serious_violations(page) -> list[str]:
    result = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def test_citizen_registers_applies_and_submits_in_a_real_browser(live, page, tmp_path):
    app, base = live
    catalog = app.extensions["catalog"]
    bundle = newborn(catalog)
    good_id = id_number(31)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{base}/register")
    page.fill("#full_name", "陈晓")
    page.fill("#id_number", good_id[:-1] + ("0" if good_id[-1] != "0" else "1"))
    page.fill("#mobile", "13911112222")
    page.fill("#password", "browser-pass-1")
    page.fill("#confirm", "browser-pass-1")
    page.click("button[type=submit] >> text=/创建账户|Create account/")
    assert page.locator("#id_number-error").is_visible()
    assert page.input_value("#full_name") == "陈晓"
    page.fill("#id_number", good_id)
    page.fill("#password", "browser-pass-1")
    page.fill("#confirm", "browser-pass-1")
    page.click("button[type=submit] >> text=/创建账户|Create account/")
    page.wait_for_url(f"{base}/login")
    log_in(page, good_id)
    page.goto(f"{base}/")

    with new_session(app.extensions["engine"]) as db:
        from sqlmodel import select

        from services.models import User

        citizen = db.exec(select(User).where(User.id_number == good_id)).one()
        for material in bundle.materials:
            if material.wallet_cert:
                make_certificate(db, citizen, material.wallet_cert)

    page.fill("#q", bundle.name.zh[:2])
    page.keyboard.press("Enter")
    page.click(f"a[href='/services/{bundle.code}']")
    assert serious_violations(page) == []
    page.click("button >> text=/在线申请|Apply online/")
    page.wait_for_url("**/edit")

    values = complete_values(bundle)
    for spec in bundle.fields:
        selector = f"#f_{spec.key}"
        if spec.type == "select":
            page.select_option(selector, values[spec.key])
        else:
            page.fill(selector, values[spec.key])
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    for material in bundle.materials:
        if not material.wallet_cert:
            page.set_input_files(f"#m_{material.key}", str(scan))
    assert serious_violations(page) == []
    page.click("button[value=submit]")
    page.wait_for_url("**/applications/*")
    number = page.locator(".number").first.inner_text()
    assert number.startswith("ZJ-")
    assert serious_violations(page) == []
    page.goto(f"{base}/applications")
    assert number in page.content()


def test_the_draft_autosaves_while_typing(live, page):
    app, base = live
    catalog = app.extensions["catalog"]
    bundle = newborn(catalog)
    page.goto(f"{base}/register")
    page.fill("#full_name", "周宁")
    page.fill("#id_number", id_number(32))
    page.fill("#mobile", "13911113333")
    page.fill("#password", "browser-pass-1")
    page.fill("#confirm", "browser-pass-1")
    page.click("button[type=submit] >> text=/创建账户|Create account/")
    page.wait_for_url(f"{base}/login")
    log_in(page, id_number(32))
    page.goto(f"{base}/services/{bundle.code}")
    page.click("button >> text=/在线申请|Apply online/")
    page.wait_for_url("**/edit")
    text_field = next(f for f in bundle.fields if f.type == "text" and not f.prefill)
    page.fill(f"#f_{text_field.key}", "自动保存的内容")
    # A function, not a string: the page's CSP forbids the eval a string predicate needs.
    page.wait_for_function("() => document.getElementById('autosave-status').textContent.length > 0")
    page.reload()
    assert page.input_value(f"#f_{text_field.key}") == "自动保存的内容"


def test_pages_fit_a_phone_and_pass_axe(live, page):
    _, base = live
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", "/login", "/register", "/register/company", "/search?q=%E5%87%BA%E7%94%9F"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert serious_violations(page) == [], path
