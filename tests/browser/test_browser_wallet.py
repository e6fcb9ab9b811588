"""Real pages in Chromium: on a phone, a citizen opens a certificate from the wallet and shows its code."""

from datetime import date

import pytest

from services.db import new_session
from tests.browser import test_browser
from tests.browser.test_browser import serious_violations
from tests.browser.test_browser_frame import signed_in
from tests.browser.test_browser_staff import fits_a_phone
from tests.factories import make_certificate, make_citizen

pytestmark = pytest.mark.browser

live = test_browser.live
browser_type_launch_args = test_browser.browser_type_launch_args


def test_a_citizen_opens_a_certificate_card_on_a_phone(live, browser):
    app, base = live
    with new_session(app.extensions["engine"]) as db:
        citizen = make_citizen(db, full_name="陈晓")
        make_certificate(
            db,
            citizen,
            "marriage_certificate",
            number="JH-330106-2024-000123",
            data={
                "full_name": citizen.full_name,
                "id_number": citizen.id_number,
                "spouse_name": "林一",
                "registered_on": "2024-05-20",
            },
            issued_by="CIVIL",
            issued_on=date(2024, 5, 20),
        )
        login_name = citizen.login_name
    context, page = signed_in(browser, base, login_name)

    page.goto(f"{base}/wallet")
    page.click("a >> text=结婚证")
    page.wait_for_url(f"{base}/wallet/*")
    assert page.locator("h1").inner_text() == "结婚证"
    summary = page.locator("#certificate-summary").inner_text()
    assert "JH-330106-2024-000123" in summary and "2024年5月20日" in summary
    assert "林一" in page.locator("#certificate-data").inner_text()
    code = page.locator("svg.qr-code")
    code.scroll_into_view_if_needed()
    assert code.is_visible()
    box = code.bounding_box()
    assert box["width"] >= 200, "big enough to scan from the phone's screen"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.locator("#code-valid-until").inner_text().startswith("有效期至")
    assert page.locator("#download-pdf").is_visible()
    assert fits_a_phone(page)
    assert serious_violations(page) == []
    context.close()
