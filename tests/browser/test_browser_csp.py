"""The citizen's pages work in Chromium under the Content-Security-Policy, autosave included."""

import pytest
from sqlmodel import select

from services.db import new_session
from services.models import Application
from tests.browser.test_browser import browser_type_launch_args, live  # noqa: F401  (the same Chromium and server)
from tests.factories import PASSWORD, make_citizen
from tests.sample import newborn

pytestmark = pytest.mark.browser

# Collects what the browser refused under the policy; added by the test harness, not the page.
LISTEN = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__refused.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP report from the console and from securitypolicyviolation kept."""
    console = []
    page.on(
        "console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.add_init_script(LISTEN)

    def refused() -> list[str]:
        return console + page.evaluate("window.__refused")

    page.refused = refused
    return page


def test_the_policy_is_enforced_and_reported_where_the_test_listens(live, watched):  # noqa: F811
    _, base = live
    watched.goto(base + "/")
    ran = watched.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true";
        document.body.appendChild(script);
        return window.__inlineRan === true;
    }""")
    # Predicates are functions, not strings: the page's policy forbids eval, which a string would need.
    watched.wait_for_function("() => window.__refused.length > 0")
    assert ran is False
    assert any(report.startswith("script-src") for report in watched.refused())


def test_citizen_pages_and_the_apply_form_work_under_the_policy(live, watched):  # noqa: F811
    app, base = live
    catalog = app.extensions["catalog"]
    bundle = newborn(catalog)
    with new_session(app.extensions["engine"]) as db:
        citizen = make_citizen(db)
        login = citizen.login_name

    checked = []
    for path in ("/", "/login", "/register", "/search?q=%E5%87%BA%E7%94%9F", f"/services/{bundle.code}"):
        watched.goto(base + path)
        assert watched.evaluate("typeof bootstrap") == "object", path  # Bootstrap's own script ran
        checked += watched.refused()
    watched.goto(base + "/login")
    watched.fill("#login", login)
    watched.fill("#password", PASSWORD)
    watched.click("button[type=submit] >> text=/登录|Log in/")
    watched.wait_for_url(f"{base}/applications")
    for path in ("/applications", "/wallet", "/account", f"/services/{bundle.code}"):
        watched.goto(base + path)
        checked += watched.refused()
    watched.click("button >> text=/在线申请|Apply online/")
    watched.wait_for_url("**/edit")
    watched.click(".task-list .task a >> nth=0")
    # Typed only once the step has loaded: before its script runs, nothing listens for typing.
    watched.wait_for_url("**/steps/child")
    watched.wait_for_load_state()
    text_field = next(f for f in bundle.fields if f.type == "text" and not f.prefill)
    watched.fill(f"#f_{text_field.key}", "在安全策略下自动保存")
    watched.wait_for_function(
        "() => document.getElementById('autosave-status').textContent === "
        "document.getElementById('autosave-status').dataset.saved"
    )
    checked += watched.refused()
    # The error summary's script (focus on load) runs under the policy too.
    watched.click("button[value=continue]")  # the step's other answers are still missing
    # The summary is in the page before its deferred script has focused it: wait for the focus itself.
    watched.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")
    checked += watched.refused()

    assert checked == []
    with new_session(app.extensions["engine"]) as db:
        draft = db.exec(select(Application)).one()
        assert draft.form_data[text_field.key] == "在安全策略下自动保存"
