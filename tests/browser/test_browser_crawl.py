"""Every page every role can reach, on a seeded city in Chromium: no serious axe violation, no Nu HTML error.

Each role signs in and follows the same-origin links of its pages (GET only: every change is a POST form, so
following links changes nothing). Pages are deduplicated by route and state (a case of each status, one
service of each kind, one page per list filter), which keeps the crawl bounded. Every route of the URL map
that answers with a page must be reached by some role, so a page nobody links to is named, not skipped.
The HTML the server sent is checked by the Nu HTML checker (tools/vnu, `make html-checker`) in one run.
"""

import json
import os
import shutil
import subprocess
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlmodel import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app import create_app
from services.db import new_session
from services.models import Application, EnterpriseRequest, Task
from tests.browser import test_browser
from tests.conftest import SERVER_URL
from tools.seeded_site import NEWCOMER, Visitor, seed_site, serving, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        bool(SERVER_URL),
        reason="the crawl reads the same pages on either database; it runs once, in the SQLite run",
    ),
]

browser_type_launch_args = test_browser.browser_type_launch_args

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# GET routes that answer with something other than a page: never opened, never missed.
NOT_PAGES = {
    "static": "the app's own files",
    "bootstrap.static": "Bootstrap-Flask's files",
    "files.download": "an uploaded file, sent as a download",
    "firm.request_file": "a file of an enterprise request, sent as a download",
    "disputes.evidence": "a dispute's evidence file, sent as a download",
    "wallet.pdf": "a certificate as a PDF",
    "transparency.receipt": "a case's receipt, as JSON",
    "transparency.heads": "the log's signed heads, as JSON",
    "transparency.verifier": "a Python script",
    "cockpit.api_trend": "the cockpit's JSON, which its charts fetch",
    "cockpit.api_departments": "the cockpit's JSON, which its charts fetch",
    "cockpit.api_mix": "the cockpit's JSON, which its charts fetch",
    "cockpit.api_live": "the cockpit's JSON, which its live counters fetch",
}
# A phone first; on a desktop the top bar's links show (on a phone they fold into the menu).
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
# The public guide differs between the anonymous, each kind of applicant and staff, not between staff roles:
# its pages are checked once for all staff (each staff role's frame is checked on its own pages).
SHARED_BY_STAFF = "guide."
# Enough for every route and state of a role (the busiest, the city supervisor, has about 30).
PAGES_PER_ROLE = 80


@dataclass
class Visit:
    role: str
    url: str
    endpoint: str
    html: Path  # what the server sent, for the Nu checker


@pytest.fixture
def site(tmp_path, database_url):
    app = create_app(
        {"SECRET_KEY": "browser-crawl", "DATABASE_URL": database_url, "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    )
    visitors = seed_site(
        engine=app.extensions["engine"], catalog=app.extensions["catalog"], upload_folder=tmp_path / "uploads"
    )
    with serving(app) as base:
        yield app, base, visitors
    app.extensions["engine"].dispose()


def page_routes(app) -> set[str]:
    return {
        rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
    }


class Crawler:
    def __init__(self, app, base: str, folder: Path):
        self.app = app
        self.base = base
        self.folder = folder
        self.urls = app.url_map.bind("127.0.0.1")
        self.visits: list[Visit] = []
        self.states: set[tuple] = set()  # (role or "staff", endpoint, state…) checked already
        self.problems: list[str] = []
        self.axe = Axe()

    def route(self, url: str) -> tuple[str, dict] | None:
        """The endpoint and arguments of a same-origin URL, or None for another site or no route."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base:
            return None
        try:
            return self.urls.match(parts.path, method="GET")
        except RequestRedirect:
            return None
        except HTTPException:
            self.problems.append(f"a link to {url} matches no page")
            return None

    def state(self, endpoint: str, arguments: dict, query: str) -> tuple:
        """What makes two pages of one route worth checking both: a case's or task's status, a kind of service,
        which list filters are set."""
        filters = tuple(sorted(name for name, _ in parse_qsl(query)))
        key = arguments.get("key")
        with new_session(self.app.extensions["engine"]) as session:
            if endpoint in ("citizen.detail", "applying.edit", "applying.step", "applying.check", "desk.review"):
                return (
                    endpoint,
                    session.exec(select(Application.status).where(Application.key == key)).first(),
                    arguments.get("name"),  # a step of the application form
                    filters,
                )
            if endpoint in ("clerk.task", "handling.task"):
                return (endpoint, session.exec(select(Task.status).where(Task.key == key)).first(), filters)
            if endpoint in ("firm.detail", "office.request_page"):
                request = select(EnterpriseRequest.status).where(EnterpriseRequest.key == key)
                return (endpoint, session.exec(request).first(), filters)
        if endpoint == "cockpit.case":  # the supervisor's view of a case: one of each kind
            return (endpoint, arguments["kind"], filters)
        if endpoint == "cockpit.cases":  # the cases behind a figure: each kind's count and rate lists, once
            asked = dict(parse_qsl(query))
            measure = asked.get("measure")
            return (endpoint, asked.get("kind"), measure if measure in ("submitted", "overdue") else "a rate", filters)
        if endpoint == "guide.service":
            return (endpoint, arguments["code"] in self.app.extensions["catalog"].bundles, filters)
        return (endpoint, filters)

    def scope(self, visitor: Visitor, state: tuple) -> tuple:
        """Who a page's state is checked for: this role, or all staff for the public guide."""
        shared = visitor.staff and state[0].startswith(SHARED_BY_STAFF)
        return ("staff" if shared else visitor.role, *state)

    def crawl(self, page, visitor: Visitor) -> None:
        # A search with results: the search box alone leads to an empty one.
        queue = deque([page.url, f"{self.base}/", f"{self.base}/search?q=%E5%87%BA%E7%94%9F"])
        seen: set[tuple] = set()  # the states this role has opened
        while queue:
            url = urldefrag(queue.popleft()).url
            found = self.route(url)
            if found is None or found[0] in NOT_PAGES:
                continue
            state = self.scope(visitor, self.state(*found, urlsplit(url).query))
            if state in seen:
                continue
            if len(seen) == PAGES_PER_ROLE:
                self.problems.append(f"{visitor.role}: stopped at {PAGES_PER_ROLE} pages, {url} not opened")
                return
            seen.add(state)
            response = page.goto(url)
            landed = self.route(page.url)
            if response is None or landed is None or response.status >= 400:
                status = response.status if response else "nothing"
                self.problems.append(f"{visitor.role}: {url} answered {status} (at {page.url})")
                continue
            if page.url != url:  # redirected: to a page of its own state, perhaps one opened already
                state = self.scope(visitor, self.state(*landed, urlsplit(page.url).query))
                if state in seen:
                    continue
                seen.add(state)
            # A guide page another staff role had checked is opened for its links alone.
            if state not in self.states:
                self.states.add(state)
                self.check(page, visitor, response.text(), landed[0])
            queue.extend(page.locator("a[href]").evaluate_all("links => links.map(a => a.href)"))
            if landed[0] == "citizen.detail":
                # The confirmation is where a submit's POST lands; no link leads there, so open it for each case.
                queue.append(url_for_confirmation(page.url))
            # A search box or a list's filter is a GET form: where it leads with the values it shows.
            queue.extend(
                page.locator("form[method=get], form:not([method])").evaluate_all(
                    "forms => forms.map(f => f.action + '?' + new URLSearchParams(new FormData(f)))"
                )
            )

    def check_not_found(self, page, visitor: Visitor) -> None:
        """The error page, in this role's frame: what a mistyped or stale link shows."""
        response = page.goto(f"{self.base}/no-such-page")
        if response is None or response.status != 404:
            status = response.status if response else "nothing"
            self.problems.append(f"{visitor.role}: {self.base}/no-such-page answered {status}, not 404")
            return
        self.check(page, visitor, response.text(), "not found")

    def check(self, page, visitor: Visitor, html: str, endpoint: str) -> None:
        saved = self.folder / f"{len(self.visits):03d}.html"
        saved.write_text(html, encoding="utf-8")
        self.visits.append(Visit(visitor.role, page.url, endpoint, saved))
        # axe-core goes into the page once (Axe.run would send its 570 kB at each width), then runs at each width.
        page.evaluate(self.axe.axe_script)
        for width, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            for violation in page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]:
                if violation["impact"] not in ("serious", "critical"):
                    continue
                targets = [" ".join(node["target"]) for node in violation["nodes"]]
                if targets:
                    self.problems.append(
                        f"{visitor.role}: {page.url} ({width}): axe {violation['id']} ({violation['impact']}): "
                        f"{violation['help']} — {', '.join(targets[:3])}"
                    )

    def nu_errors(self) -> list[str]:
        """The Nu HTML checker over every saved page at once (one JVM start)."""
        by_file = {visit.html.as_uri(): visit for visit in self.visits}
        result = subprocess.run(
            [
                "java",
                "-Dnu.validator.servlet.allow-forbidden-hosts=true",
                "-jar",
                str(VNU_JAR),
                "--errors-only",
                "--format",
                "json",
                *(str(visit.html) for visit in self.visits),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            messages = json.loads(result.stderr)["messages"]
        except (ValueError, KeyError):
            pytest.fail(
                f"the Nu HTML checker gave no report (exit status {result.returncode}): {result.stderr[-2000:]}"
            )
        errors = []
        for message in messages:
            visit = by_file.get(message.get("url", "").replace("file:/", "file:///", 1))
            where = f"{visit.role}: {visit.url}" if visit else message.get("url", "?")
            errors.append(f"{where}: Nu line {message.get('lastLine')}: {message['message']}")
        return errors


def url_for_confirmation(case_url: str) -> str:
    return f"{urldefrag(case_url).url.split('?')[0]}/submitted"


def require_html_checker() -> None:
    """Java is on every machine this project runs on and in CI: only a developer's machine without it skips."""
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing: the Nu HTML checker needs it (Java 17 or later)")
        pytest.skip("java is not installed: the Nu HTML checker cannot run")
    if not VNU_JAR.exists():
        pytest.fail(f"the Nu HTML checker is not installed at {VNU_JAR}: run `make html-checker`")


def test_every_page_of_every_role_passes_axe_and_the_html_checker(site, browser, tmp_path):
    require_html_checker()
    app, base, visitors = site
    crawler = Crawler(app, base, tmp_path)

    def checked_as(visitor):
        # The HTML as the server sends it (as for every page), not the browser's rendering of it.
        return lambda page: crawler.check(
            page, visitor, page.context.request.get(page.url).text(), "account.second_factor"
        )

    for visitor in visitors:
        context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["phone"])
        page = context.new_page()
        if visitor.login:
            sign_in(page, base, app.extensions["engine"], visitor.login, on_code_page=checked_as(visitor))
        else:
            page.goto(f"{base}/")
        crawler.crawl(page, visitor)
        if visitor.login != NEWCOMER:  # half signed in: every address leads back to the enrolment page
            crawler.check_not_found(page, visitor)
        context.close()

    reached = {visit.endpoint for visit in crawler.visits}
    never_reached = sorted(page_routes(app) - reached)
    if never_reached:
        crawler.problems.append(f"no role reached these pages by following links: {', '.join(never_reached)}")
    problems = crawler.problems + crawler.nu_errors()
    print(f"crawled {len(crawler.visits)} pages of {len(reached)} routes as {len(visitors)} roles")
    assert problems == [], "\n".join(problems)
