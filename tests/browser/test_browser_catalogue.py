"""In Chromium: the city supervisor drafts a catalogue change, reads the problem, fixes it, previews, publishes."""

import pytest

from services import clock
from services.db import new_session
from services.models import Role
from tests.browser import test_browser
from tests.browser.test_browser import serious_violations
from tests.browser.test_browser_staff import logged_in
from tests.factories import make_staff

pytestmark = pytest.mark.browser

live = test_browser.live
browser_type_launch_args = test_browser.browser_type_launch_args

ITEM = "330100-TRANSPORT-003"


def test_draft_bad_input_named_fix_preview_publish(live, browser):
    app, base = live
    with new_session(app.extensions["engine"]) as db:
        city = make_staff(db, Role.SUPERVISOR)
    context, page = logged_in(browser, app, base, city.login_name)

    page.goto(f"{base}/supervisor/staff")
    page.click("a[href='/supervisor/catalogue']")
    page.click(f"a >> text={ITEM}")
    page.wait_for_url(f"**/supervisor/catalogue/items/{ITEM}")
    assert serious_violations(page) == []
    original = page.input_value("#entry_yaml")
    page.fill("#entry_yaml", original.replace("promised_limit_days: 3", "promised_limit_days: 30"))
    page.click("text=Check and save the draft")
    page.wait_for_load_state()
    assert "promised_limit_days 30 exceeds legal_limit_days 10" in page.inner_text("#entry_yaml-error")
    assert "promised_limit_days: 30" in page.input_value("#entry_yaml")  # kept as typed
    assert serious_violations(page) == []

    page.fill("#entry_yaml", original.replace("promised_limit_days: 3", "promised_limit_days: 6"))
    page.click("text=Check and save the draft")
    page.wait_for_url("**/supervisor/catalogue/versions/*")
    assert serious_violations(page) == []

    page.click("text=Preview as citizens see it")
    page.wait_for_url("**/preview")
    assert "Preview of a draft" in page.inner_text("main")
    assert "6 working days" in page.inner_text("main")
    assert page.is_disabled("main button:has-text('Apply online')")
    assert serious_violations(page) == []

    page.click("text=Back to the draft")
    page.fill("#effective_on", clock.china_today().isoformat())
    page.click("text=Publish the saved draft")
    page.wait_for_url(f"**/supervisor/catalogue/items/{ITEM}")
    assert "Version 1" in page.inner_text("main")

    page.goto(f"{base}/services/{ITEM}")
    assert "6 working days" in page.inner_text("main")
    context.close()
