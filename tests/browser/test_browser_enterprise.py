"""A firm raises an enterprise request (企呼我应) in Chromium at phone width, and reads where it stands."""

import re

import pytest
from sqlmodel import select

from services.db import new_session
from services.models import EnterpriseRequest
from tests.browser import test_browser
from tests.browser.test_browser import serious_violations
from tests.conftest import EXE, PDF
from tests.factories import PASSWORD, make_company

pytestmark = pytest.mark.browser
live = test_browser.live
browser_type_launch_args = test_browser.browser_type_launch_args


def test_a_firm_raises_a_request_on_a_phone_and_a_wrong_file_loses_nothing_it_typed(live, page, tmp_path):
    app, base = live
    with new_session(app.extensions["engine"]) as db:
        firm = make_company(db)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/login")
    page.fill("#login", firm.login_name)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applications")

    # From the applications' tab, as a phone user goes: the firm's requests sit under it.
    tabbar = page.locator("nav.tabbar")
    assert tabbar.is_visible()
    with page.expect_navigation():
        page.locator("main a", has_text=re.compile("我的诉求|My requests")).click()
    assert re.fullmatch("我的办件|My cases", tabbar.locator(".tabbar-link[aria-current]").inner_text().strip())
    with page.expect_navigation():
        page.locator("main a", has_text=re.compile("提出诉求|Raise a request")).click()

    wrong, right = tmp_path / "setup.exe", tmp_path / "用电申请.pdf"
    wrong.write_bytes(EXE)
    right.write_bytes(PDF)
    page.select_option("#category", "land_utilities")
    page.fill("#description", "新厂房用电增容申请迟迟没有进展，请协调。")
    page.set_input_files("#attachments", str(wrong))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    summary = page.locator("#error-summary")
    assert summary.is_visible() and "PDF" in summary.inner_text()
    assert page.title().startswith(("错误：", "Error: "))
    assert page.input_value("#description") == "新厂房用电增容申请迟迟没有进展，请协调。"
    assert page.input_value("#category") == "land_utilities"
    assert serious_violations(page) == []

    page.set_input_files("#attachments", str(right))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with new_session(app.extensions["engine"]) as db:
        request = db.exec(select(EnterpriseRequest)).one()
    assert page.url == f"{base}/requests/{request.key}"
    main = page.locator("main").inner_text()
    assert request.number in main and "用电申请.pdf" in main
    assert re.search("营商办分办中|With the business-environment office", main)
    assert serious_violations(page) == []
