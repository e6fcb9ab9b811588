"""The cockpit in Chromium: a supervisor clicks a department's on-time bar, lands on its cases, opens one.

The city is seeded (tools/seeded_site's options); the list's count is checked against the department's
tasks counted here from their rows, not by the cockpit's or the metrics' code.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from seeding import SeedOptions, seed_city
from services import clock
from services.db import new_session
from services.models import Application, Role, Task, User
from services.second_factor import unused_code
from tests.browser import test_browser
from tests.browser.test_browser import serious_violations
from tests.factories import PASSWORD, make_staff

pytestmark = pytest.mark.browser

live = test_browser.live
browser_type_launch_args = test_browser.browser_type_launch_args

DECIDED = {"approved", "delivered", "rejected"}

# Where the department's on-time bar is drawn, in page pixels (ECharts lays the bars out; we read its layout).
BAR_CENTRE = """
([name]) => {
  const el = document.querySelector("[data-chart=departments]");
  el.scrollIntoView({block: "center"});
  const chart = window.echarts.getInstanceByDom(el);
  const index = chart.getOption().yAxis[0].data.indexOf(name);
  const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
  const box = el.getBoundingClientRect();
  return [box.left + bar.x + bar.width / 2, box.top + bar.y + bar.height / 2];
}
"""


def signed_in(browser, app, base, login, viewport):
    context = browser.new_context(locale="en-US", viewport=viewport, reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/login/code$"))
    with new_session(app.extensions["engine"]) as db:
        page.fill("#code", unused_code(db.exec(select(User).where(User.login_name == login)).one()))
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_load_state()
    return context, page


def decided_in_time(db, catalog, department) -> tuple[int, int]:
    """(tasks decided with a deadline, of them by it): the department's, of its services' applications."""
    services = {s.code for s in catalog.for_department(department)}
    rows = db.exec(select(Task, Application).join(Application, Application.id == Task.application_id)).all()
    base = [
        t
        for t, a in rows
        if t.department == department
        and a.service_code in services
        and a.submitted_at is not None
        and t.status in DECIDED
        and t.deadline is not None
    ]
    return len(base), sum(clock.to_china(t.decided_at).date() <= t.deadline for t in base)


def test_a_supervisor_clicks_a_departments_on_time_bar_and_opens_one_of_its_cases(live, browser, tmp_path):
    app, base = live
    catalog = app.extensions["catalog"]
    seed_city(
        engine=app.extensions["engine"],
        catalog=catalog,
        upload_folder=tmp_path / "uploads",
        options=SeedOptions(applications=40, slow_cases=40, seed=3),
    )
    with new_session(app.extensions["engine"]) as db:
        supervisor = make_staff(db, Role.SUPERVISOR)
        # The department with the most tasks decided against a deadline: its bar is the one clicked.
        counts = {code: decided_in_time(db, catalog, code) for code in catalog.departments}
    department = max(counts, key=lambda code: (counts[code][0], code))
    total, in_time = counts[department]
    assert total > 0

    context, page = signed_in(browser, app, base, supervisor.login_name, {"width": 1366, "height": 900})
    page.goto(f"{base}/supervisor")
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-chart=departments]');"
        " return el && !el.hidden && window.echarts.getInstanceByDom(el); }"
    )
    assert serious_violations(page) == []
    x, y = page.evaluate(BAR_CENTRE, [catalog.departments[department].name.en])
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r".*/supervisor/cases\?.*"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["measure"] == ["on_time"] and query["department"] == [department]
    assert page.locator("#case-count").inner_text().startswith(f"{total} task")
    assert f"{in_time} of them count" in page.locator("#case-count").inner_text()
    assert serious_violations(page) == []

    number = page.locator("main table a.number").first.inner_text()
    page.locator("main table a.number").first.click()
    page.wait_for_url(re.compile(rf".*/supervisor/cases/application/{re.escape(number)}$"))
    assert number in page.locator("h1").inner_text()
    assert page.locator("#timeline-title + ol li").count() >= 3
    assert serious_violations(page) == []
    context.close()

    context, page = signed_in(browser, app, base, supervisor.login_name, {"width": 1920, "height": 1080})
    page.goto(f"{base}/supervisor/screen")
    page.wait_for_function("() => document.querySelectorAll('[data-chart]:not([hidden])').length >= 8")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
