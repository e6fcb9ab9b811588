"""Phone-width screenshots of the key pages, for review: `make screenshots` (python -m tools.screenshots).

Seeds a throwaway SQLite database, serves the app on a free local port, signs in as the demo citizen and a
department clerk in Chromium (390×844) and saves one PNG per page in docs/screenshots/, named after the
page. A page it cannot reach stops the command with the page's name: a review must not miss a picture.
"""

import argparse
import io
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import func
from sqlmodel import col, select

from app import create_app
from seeding.demo import CITIZEN, SPOUSE
from services.db import create_schema, make_engine, new_session
from services.models import Role, Task, TaskStatus, User
from services.preferences import set_elder_mode
from tools.seeded_site import seed_site, serving, sign_in

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
CHROMIUM = "/usr/bin/chromium"  # Debian's (.ci/install-chromium): Playwright cannot download its own here
NEWBORN = "BUNDLE-NEWBORN"
STEP_TIMEOUT_MS = 10_000  # how long a click or a wait may take before the page counts as unreachable
HELD = (TaskStatus.CLAIMED, TaskStatus.SUSPENDED, TaskStatus.APPROVED)  # what a clerk's inbox lists
MAX_STEPS = 10  # a bundle with more steps than this is a step that never lets the citizen on

# What the demo citizen answers in the newborn bundle where nothing prefilled the field. Not the mother: she is
# his wife, whom the marriage records name, and the picture is there to show her coming from those records.
NEWBORN_ANSWERS = {
    "child_name": "王小禾",
    "child_gender": "female",
    "child_birth_date": (date.today() - timedelta(days=12)).isoformat(),
    "birth_place": "杭州市妇产科医院",
    "father_name": CITIZEN.full_name,
    "father_id_number": CITIZEN.id_number,
    "applicant_mobile": CITIZEN.mobile,
    "applicant_address": CITIZEN.address,
    "household_number": "330106012345",
    "hukou_address": CITIZEN.address,
}


@dataclass(frozen=True)
class Site:
    base: str
    engine: object
    clerk: str  # a department clerk with tasks in hand


def home(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/")


def apply(page: Page, site: Site) -> None:
    """The newborn bundle's task list, as 在线申请 opens it."""
    as_citizen(page, site)
    start_newborn(page, site)


def apply_step(page: Page, site: Site) -> None:
    """The newborn bundle's first step, from its task list."""
    as_citizen(page, site)
    start_newborn(page, site)
    with page.expect_navigation():
        page.click(".task-list .task a >> nth=0")
    assert "/steps/" in page.url, f"the task list's first task leads to {page.url}"


def check_answers(page: Page, site: Site) -> None:
    """The newborn bundle answered step by step; the other parent and her certificates come from the records."""
    as_citizen(page, site)
    start_newborn(page, site)
    answer_newborn(page)
    assert SPOUSE.full_name in page.inner_text("main"), "the other parent did not come from the marriage records"
    # A certificate of someone else's is shared without a link to one's own wallet: the spouse's.
    assert page.locator("#sharing li:not(:has(a))").count(), "none of the spouse's certificates is shared"


def confirmation(page: Page, site: Site) -> None:
    """What the citizen sees after submitting from check answers."""
    as_citizen(page, site)
    start_newborn(page, site)
    answer_newborn(page)
    page.click("#submit-form button[value=submit]")
    page.wait_for_url("**/submitted")


def elder_mode(page: Page, site: Site) -> None:
    """The services home in 长辈版, switched on with the 我的 page's button."""
    as_citizen(page, site)
    page.goto(f"{site.base}/account")
    page.click("main form[action$='/elder-mode'] button[value=on]")
    page.wait_for_load_state()
    page.goto(f"{site.base}/")
    assert "elder" in (page.get_attribute("html", "class") or ""), "长辈版 did not switch on"


def applications(page: Page, site: Site) -> None:
    as_citizen(page, site)
    page.goto(f"{site.base}/applications")


def wallet_card(page: Page, site: Site) -> None:
    """A certificate's card with its 亮证 code."""
    as_citizen(page, site)
    page.goto(f"{site.base}/wallet")
    page.click("main .certificate a >> nth=0")
    page.wait_for_url(f"{site.base}/wallet/*")
    # In the middle of the screen: scrolled only "into view" its lower edge would sit under the tab bar.
    page.locator("svg.qr-code").evaluate("code => code.scrollIntoView({block: 'center'})")


def clerk_task(page: Page, site: Site) -> None:
    sign_in(page, site.base, site.engine, site.clerk)
    page.goto(f"{site.base}/clerk/inbox")
    page.click("main a[href^='/clerk/tasks/'] >> nth=0")
    page.wait_for_url(f"{site.base}/clerk/tasks/*")


def as_citizen(page: Page, site: Site) -> None:
    """Signed in as the demo citizen, in the standard view whatever an earlier page switched on."""
    with new_session(site.engine) as session:
        set_elder_mode(
            session=session, user=session.exec(select(User).where(User.id_number == CITIZEN.id_number)).one(), on=False
        )
    sign_in(page, site.base, site.engine, CITIZEN.id_number)


def start_newborn(page: Page, site: Site) -> None:
    """在线申请 on the bundle's page, starting a new application where an earlier one left a draft."""
    page.goto(f"{site.base}/services/{NEWBORN}")
    page.click("main form[action^='/apply/'] button[type=submit]")
    page.wait_for_load_state()
    if not page.url.endswith("/edit"):
        page.click("main button[name=start][value=new]")
    page.wait_for_url("**/edit")


def answer_newborn(page: Page) -> None:
    """From the task list through every step to check answers, filling what no record prefilled."""
    with page.expect_navigation():
        page.click(".task-list .task a >> nth=0")
    for _ in range(MAX_STEPS):
        if "/steps/" not in page.url:
            break
        here = page.url
        for key, value in NEWBORN_ANSWERS.items():
            field = page.locator(f"#f_{key}")
            if not field.count() or field.input_value() or field.get_attribute("readonly") is not None:
                continue  # not on this step, or prefilled from the profile, the wallet or the family's records
            if field.evaluate("element => element.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        with page.expect_navigation():
            page.click("button[value=continue]")
        if page.url == here:
            problems = page.locator("#error-summary").inner_text() if page.locator("#error-summary").count() else ""
            raise AssertionError(f"the step {here} did not take its answers: {problems}")
    assert page.url.endswith("/check"), f"the steps end at {page.url}, not at check answers"


# Page name (the PNG's) → how a person gets there, in a browser of its own.
PAGES: dict[str, Callable[[Page, Site], None]] = {
    "home": home,
    # Before the newborn pages: the list shows the seeded cases, not the drafts those leave behind.
    "applications": applications,
    "apply": apply,
    "apply-step": apply_step,
    "check-answers": check_answers,
    "confirmation": confirmation,
    "wallet-card": wallet_card,
    "elder-mode": elder_mode,
    "clerk-task": clerk_task,
}


def _clerk_holding_a_task(engine) -> str | None:
    """A clerk whose inbox (the tasks they hold) lists something to open; the crawl's clerk may hold none."""
    with new_session(engine) as session:
        return session.exec(
            select(User.login_name)
            .join(Task, Task.assignee_id == User.id)
            .where(User.role == Role.CLERK, col(Task.status).in_(HELD))
            .group_by(User.id, User.login_name)
            .order_by(func.count().desc(), User.id)
        ).first()


class Unreachable(Exception):
    pass


def shoot(browser, site: Site, name: str, reach: Callable[[Page, Site], None], out: Path) -> int:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        reach(page, site)
        page.wait_for_load_state("networkidle")
        png = page.screenshot()
    except (PlaywrightError, AssertionError) as error:
        raise Unreachable(f"cannot reach the page '{name}': {error}") from error
    finally:
        context.close()
    # 256 colours are plenty for text and flat colours, and a few times smaller than full colour.
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    (out / f"{name}.png").write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs (default: docs/screenshots)")
    parser.add_argument("pages", nargs="*", help=f"only these pages (default: all of {', '.join(PAGES)})")
    args = parser.parse_args(argv)
    unknown = [name for name in args.pages if name not in PAGES]
    if unknown:
        parser.error(f"no page named {', '.join(unknown)}; the pages are {', '.join(PAGES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'site.db'}"
        engine = make_engine(database_url)
        create_schema(engine)
        engine.dispose()
        app = create_app(
            {"SECRET_KEY": "screenshots", "DATABASE_URL": database_url, "UPLOAD_FOLDER": str(Path(folder) / "up")}
        )
        engine = app.extensions["engine"]
        visitors = seed_site(engine=engine, catalog=app.extensions["catalog"], upload_folder=Path(folder) / "up")
        clerk = _clerk_holding_a_task(engine) or next(v.login for v in visitors if v.role == "department clerk")
        with serving(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            site = Site(base, engine, clerk)
            try:
                for name in args.pages or PAGES:
                    size = shoot(browser, site, name, PAGES[name], args.out)
                    print(f"{args.out / name}.png  {size // 1024} KB")
            except Unreachable as error:
                print(error, file=sys.stderr)
                return 1
            finally:
                browser.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
