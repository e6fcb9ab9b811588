"""Real pages in Chromium: the frame on a 390×844 phone (tab bar, room for it, 长辈版) and on a desktop
(the top bar's contrast and focus), checked with axe."""

import pytest

from services import clock
from services.db import new_session
from services.models import ApplicationStatus, Notification
from services.notifications import IN_APP
from tests.browser import test_browser
from tests.browser.test_browser import serious_violations
from tests.browser.test_browser_staff import fits_a_phone
from tests.factories import PASSWORD, make_application, make_citizen

pytestmark = pytest.mark.browser

live = test_browser.live
browser_type_launch_args = test_browser.browser_type_launch_args

PHONE = {"width": 390, "height": 844}
ITEM = "330100-CIVIL-001"


def a_citizen_with_cases(app) -> str:
    with new_session(app.extensions["engine"]) as db:
        citizen = make_citizen(db, full_name="陈晓")
        for n, status in enumerate([ApplicationStatus.NEEDS_CORRECTION] + [ApplicationStatus.SUBMITTED] * 14):
            make_application(db, citizen, ITEM, status=status, number=f"ZJ-20261102-{n:06d}")
        db.add(Notification(user_id=citizen.id, channel=IN_APP, template="Hello", params={}, sent_at=clock.now()))
        db.commit()
        return citizen.login_name


def signed_in(browser, base, login_name, viewport=PHONE):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login", login_name)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applications")
    return context, page


def test_on_a_phone_the_tab_bar_stays_in_view_and_covers_no_content(live, browser):
    app, base = live
    context, page = signed_in(browser, base, a_citizen_with_cases(app))
    bar = page.locator("nav.tabbar")
    assert bar.is_visible()
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(844, abs=1), "pinned to the bottom of the screen"
    assert page.locator("nav.tabbar a").count() == 5
    assert page.locator('nav.tabbar a[aria-current="page"]').inner_text().strip() == "我的办件"
    assert page.locator("nav.tabbar .tabbar-badge").inner_text().startswith("1")
    assert not page.locator(".navbar-toggler").is_visible(), "nothing of the citizen's hides behind ☰"

    # What needs action is first, and the list's end scrolls clear of the bar.
    assert page.locator("main .list-group-item").first.inner_text().count("待补正") >= 1
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = page.locator("footer").bounding_box()
    assert last["y"] + last["height"] <= bar.bounding_box()["y"] + 1
    assert fits_a_phone(page)
    assert serious_violations(page) == []

    page.goto(f"{base}/")
    assert bar.is_visible()
    assert serious_violations(page) == []
    context.close()


def test_elder_mode_from_the_me_tab_makes_the_type_bigger_on_every_page(live, browser):
    app, base = live
    context, page = signed_in(browser, base, a_citizen_with_cases(app))
    body_size = "parseFloat(getComputedStyle(document.body).fontSize)"
    assert page.evaluate(body_size) < 20

    page.click('nav.tabbar >> text="我的"')
    page.wait_for_url(f"{base}/account")
    page.click("main button >> text=长辈版")
    page.wait_for_url(f"{base}/account")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert page.evaluate(body_size) >= 20
    assert page.locator("main button >> text=标准版").is_visible()

    page.click("nav.tabbar >> text=我的办件")
    page.wait_for_url(f"{base}/applications")
    assert page.evaluate(body_size) >= 20
    assert not page.locator("nav[aria-label='按状态筛选'], main nav").first.is_visible(), "the filters step aside"
    button = page.locator("main a.btn").first.bounding_box()
    assert button["height"] >= 48, "targets are larger"
    assert fits_a_phone(page)
    assert serious_violations(page) == []
    context.close()


def test_on_a_desktop_the_top_bar_reads_well_and_shows_where_focus_is(live, browser):
    app, base = live
    context, page = signed_in(browser, base, a_citizen_with_cases(app), viewport={"width": 1366, "height": 768})
    assert not page.locator("nav.tabbar").is_visible()
    assert serious_violations(page) == []  # axe's colour-contrast covers the top bar's links

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the product name, on the blue
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.className, s.backgroundColor, s.color]; })()"
    )
    assert "navbar-brand" in focused[0]
    assert focused[1:] == ["rgb(255, 221, 0)", "rgb(11, 12, 12)"], "GOV.UK's yellow with black text"
    context.close()


def test_on_a_phone_what_scrolls_into_view_stops_above_the_tab_bar(live, browser):
    app, base = live
    context, page = signed_in(browser, base, a_citizen_with_cases(app))
    page.emulate_media(reduced_motion="reduce")  # Bootstrap scrolls smoothly otherwise: read where it ends
    page.evaluate("window.scrollTo(0, 0)")
    # The list runs past the screen's end; brought up to the screen's lower edge (as a search in the page
    # or a scripted jump does), its last case must not land under the tab bar.
    last = page.locator("main .list-group-item a").last
    last.evaluate("link => link.scrollIntoView({block: 'end'})")
    link, bar = last.bounding_box(), page.locator("nav.tabbar").bounding_box()
    assert link["y"] + link["height"] <= bar["y"], "the link sits above the tab bar, not under it"
    context.close()


def test_on_a_phone_the_status_filters_take_one_row_that_scrolls_sideways(live, browser):
    app, base = live
    statuses = ["needs_correction", "submitted", "accepted", "in_review", "completed", "rejected", "withdrawn"]
    with new_session(app.extensions["engine"]) as db:
        citizen = make_citizen(db, full_name="陈晓")
        for n, status in enumerate(statuses):
            make_application(db, citizen, ITEM, status=status, number=f"ZJ-20261102-{n:06d}")
        login_name = citizen.login_name
    context, page = signed_in(browser, base, login_name)
    chips = page.locator("nav.chip-row")
    assert chips.locator("a").count() == len(statuses) + 1  # and "All"
    one_chip = chips.locator("a").first.bounding_box()["height"]
    assert chips.bounding_box()["height"] < 2 * one_chip, "eight filters in one row, not four rows above the list"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page itself stays put"
    context.close()
