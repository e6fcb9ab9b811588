"""Real pages in Chromium: the front desk accepts, a department clerk claims and approves, the citizen sees it done."""

import pytest
from sqlmodel import select

from services.db import new_session
from services.models import Role, User
from services.second_factor import current_code, unused_code
from tests.browser import test_browser
from tests.browser.test_browser import serious_violations
from tests.factories import PASSWORD, make_citizen, make_staff
from tests.http.test_http_desk import THREE_DAY_ITEM
from tests.sample import submitted

pytestmark = pytest.mark.browser

# The live server and Debian's Chromium, as the applicant's browser tests use them.
live = test_browser.live
browser_type_launch_args = test_browser.browser_type_launch_args


def fits_a_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def logged_in(browser, app, base, login_name):
    """A browser of its own for one person, logged in through the login form (staff: and the code page),
    reading English."""
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login", login_name)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        with new_session(app.extensions["engine"]) as db:
            page.fill("#code", unused_code(db.exec(select(User).where(User.login_name == login_name)).one()))
        page.click("main form button[type=submit] >> nth=0")
        page.wait_for_load_state()
    return context, page


def test_front_desk_accepts_and_a_clerk_approves_in_a_real_browser(live, browser):
    app, base = live
    catalog = app.extensions["catalog"]
    with new_session(app.extensions["engine"]) as db:
        citizen = make_citizen(db)
        _, application = submitted(db, catalog, app.extensions["file_store"], THREE_DAY_ITEM, applicant=citizen)
        front_desk = make_staff(db, Role.FRONT_DESK)
        clerk = make_staff(db, Role.CLERK, catalog.items[THREE_DAY_ITEM].department)

    context, page = logged_in(browser, app, base, front_desk.login_name)
    page.goto(f"{base}/desk")
    assert serious_violations(page) == []
    page.click(f"a >> text={application.number}")
    page.wait_for_url(f"**/desk/applications/{application.key}")
    assert fits_a_phone(page)
    assert serious_violations(page) == []
    page.click(f"form[action='/desk/applications/{application.key}/accept'] button")
    page.wait_for_url(f"{base}/desk")
    assert application.number in page.locator(".alert-success").inner_text()
    context.close()

    context, page = logged_in(browser, app, base, clerk.login_name)
    page.goto(f"{base}/clerk")
    assert serious_violations(page) == []
    page.click(f"a >> text={application.number}")
    page.wait_for_url("**/clerk/tasks/*")
    page.click("form[action$='/claim'] button")
    page.wait_for_selector("form[action$='/approve']")
    assert fits_a_phone(page)
    assert serious_violations(page) == []
    page.fill("#approve-note", "材料齐全，准予许可")
    page.click("form[action$='/approve'] button")
    page.wait_for_url(f"{base}/clerk/inbox")
    page.goto(f"{base}/clerk/archive")
    assert application.number in page.content()
    context.close()

    context, page = logged_in(browser, app, base, citizen.login_name)
    page.goto(f"{base}/applications/{application.key}")
    assert page.locator(".status-completed").first.is_visible()
    context.close()


def test_a_new_staff_member_enrols_the_second_factor_in_a_real_browser(live, browser):
    app, base = live
    with new_session(app.extensions["engine"]) as db:
        clerk = make_staff(db, Role.CLERK, "PSB", totp_secret=None)
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login", clerk.login_name)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/enrol")
    assert page.locator("figure svg").is_visible()
    assert fits_a_phone(page)
    assert serious_violations(page) == []
    secret = page.inner_text("#otp-secret")
    page.fill("#code", current_code(secret))
    page.click("main form button[type=submit] >> nth=0")
    assert page.locator("#recovery-codes li").count() == 10
    assert serious_violations(page) == []
    page.click("text=I have kept them: continue")
    page.wait_for_load_state()
    assert clerk.full_name in page.content()
    context.close()
