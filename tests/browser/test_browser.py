"""Real pages in Chromium: a citizen registers, finds the newborn bundle, applies and submits."""

import re
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlmodel import select
from werkzeug.serving import make_server

from app import create_app
from services.db import new_session
from services.models import Application, Attachment, User
from tests.factories import PASSWORD, id_number, make_certificate, make_citizen
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


def _spouse_on_record(db, citizen, catalog) -> None:
    """The citizen's wife, with her own records: an ID card, a household entry, a marriage certificate naming him."""
    wife = make_citizen(db, id_number=id_number(42, "19920815"), full_name="林晓燕")
    for holder, partner in ((citizen, wife), (wife, citizen)):
        make_certificate(db, holder, "id_card", data={"full_name": holder.full_name, "id_number": holder.id_number})
        make_certificate(
            db,
            holder,
            "hukou_booklet",
            data={"household_number": "330106000042", "hukou_address": "杭州市西湖区文三路 90 号"},
        )
        make_certificate(
            db,
            holder,
            "marriage_certificate",
            data={"spouse_name": partner.full_name, "spouse_id_number": partner.id_number},
        )


def test_a_parent_applies_for_the_newborn_bundle_on_a_phone(live, page):
    """390×844: register, tap 办事 in the tab bar, find the bundle, go through its steps, check the answers, read the
    confirmation.

    Nothing the wallet or the family's records hold is asked as a file.
    """
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
    assert page.title().startswith(("错误：", "Error: "))
    assert page.input_value("#full_name") == "陈晓"
    page.fill("#id_number", good_id)
    page.fill("#password", "browser-pass-1")
    page.fill("#confirm", "browser-pass-1")
    page.click("button[type=submit] >> text=/创建账户|Create account/")
    page.wait_for_url(f"{base}/login")
    log_in(page, good_id)
    # To the services home as a phone user goes: the tab bar's 办事 tab, there at 390 px.
    tabbar = page.locator("nav.tabbar")
    assert tabbar.is_visible()
    with page.expect_navigation():
        tabbar.locator(".tabbar-link", has_text=re.compile("办事|Services")).click()
    assert page.url == f"{base}/"
    assert tabbar.is_visible()
    assert re.fullmatch("办事|Services", tabbar.locator(".tabbar-link[aria-current]").inner_text().strip())

    with new_session(app.extensions["engine"]) as db:
        citizen = db.exec(select(User).where(User.id_number == good_id)).one()
        _spouse_on_record(db, citizen, catalog)

    page.fill("#q", bundle.name.zh[:2])
    page.keyboard.press("Enter")
    page.click(f"a[href='/services/{bundle.code}']")
    assert serious_violations(page) == []
    page.click("button >> text=/在线申请|Apply online/")
    page.wait_for_url("**/edit")
    assert page.locator(".task-list .task").count() == 4
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.click(".task-list .task a >> nth=0")

    values = complete_values(bundle)
    held = [m for m in bundle.materials if m.wallet_cert]
    steps = 0
    while "/steps/" in page.url:
        steps += 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
        for spec in bundle.fields:
            field = page.locator(f"#f_{spec.key}")
            if not field.count() or field.input_value() or field.get_attribute("readonly") is not None:
                continue  # prefilled from the profile, the wallet or the family's records
            if spec.type == "select":
                field.select_option(values[spec.key])
            else:
                field.fill(values[spec.key])
        assert all(page.locator(f"#m_{m.key}").count() == 0 for m in held), "a held certificate asked as a file"
        assert page.locator("input[type=file]").count() == page.locator("#m_child_photo").count()
        assert serious_violations(page) == []
        with page.expect_navigation():
            page.click("button[value=continue]")
    assert steps == 4 and page.url.endswith("/check")
    # The other parent came from the marriage records, and her ID card is shared, not uploaded.
    assert "林晓燕" in page.inner_text("main")
    assert page.locator("#sharing li").count() == len(held)
    assert serious_violations(page) == []
    page.click("#submit-form button[value=submit]")
    page.wait_for_url("**/submitted")
    number = page.locator(".confirmation-number strong")
    assert number.inner_text().startswith("ZJ-")
    # One line at 390 px: an inline element that wrapped would have a box per line.
    assert number.evaluate("element => element.getClientRects().length") == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(".next-steps li").count() == 4
    assert serious_violations(page) == []
    shown = number.inner_text()
    page.goto(f"{base}/applications")
    with new_session(app.extensions["engine"]) as db:
        case = db.exec(select(Application).where(Application.applicant_id == citizen.id)).one()
        uploads = db.exec(
            select(Attachment).where(Attachment.application_id == case.id, Attachment.source == "upload")
        ).all()
    assert shown == case.number and case.number in page.content() and uploads == []


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element `selector` has the focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_keyboard_only_the_error_summary_takes_focus_and_leads_to_each_field(live, page):
    app, base = live
    catalog = app.extensions["catalog"]
    bundle = newborn(catalog)
    with new_session(app.extensions["engine"]) as db:
        citizen = make_citizen(db)
        login = citizen.login_name
    page.goto(f"{base}/login")
    tab_to(page, "#login")
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/applications")

    page.goto(f"{base}/services/{bundle.code}")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/edit")
    tab_to(page, ".task-list .task a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/steps/child")
    tab_to(page, "#application-form button[value=continue]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.title().startswith(("错误：", "Error: "))
    links = page.locator("#error-summary a")
    count = links.count()
    assert count >= 3
    for index in range(count):
        assert focused_id(page) == "error-summary"
        for _ in range(index + 1):
            page.keyboard.press("Tab")
        link = page.locator("#error-summary a").nth(index)
        message, target = link.inner_text(), link.get_attribute("href").lstrip("#")
        page.keyboard.press("Enter")
        assert focused_id(page) == target
        assert page.locator(f"#{target}-error").inner_text() == message
        assert page.locator(f"#{target}").get_attribute("aria-describedby").endswith(f"{target}-error")
        # Back through the form's own button: the summary comes back, focused again.
        tab_to(page, "#application-form button[value=continue]")
        with page.expect_navigation():
            page.keyboard.press("Enter")


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
    page.click(".task-list .task a >> nth=0")
    # Typed only once the step has loaded: before its script runs, nothing listens for typing.
    page.wait_for_url("**/steps/child")
    page.wait_for_load_state()
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
