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
from pathlib import Path

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

from app import create_app
from seeding.demo import CITIZEN
from services.db import create_schema, make_engine
from tools.seeded_site import seed_site, serving, sign_in

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
CHROMIUM = "/usr/bin/chromium"  # Debian's (.ci/install-chromium): Playwright cannot download its own here
NEWBORN = "BUNDLE-NEWBORN"
STEP_TIMEOUT_MS = 10_000  # how long a click or a wait may take before the page counts as unreachable


@dataclass(frozen=True)
class Site:
    base: str
    engine: object
    clerk: str  # a department clerk with tasks in hand


def home(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/")


def apply(page: Page, site: Site) -> None:
    """The newborn bundle's form, as 在线申请 opens it."""
    as_citizen(page, site)
    page.goto(f"{site.base}/services/{NEWBORN}")
    page.click("main form[action^='/apply/'] button[type=submit]")
    page.wait_for_url("**/edit")


def applications(page: Page, site: Site) -> None:
    as_citizen(page, site)
    page.goto(f"{site.base}/applications")


def wallet_card(page: Page, site: Site) -> None:
    """A certificate's card with its 亮证 code."""
    as_citizen(page, site)
    page.goto(f"{site.base}/wallet")
    page.click("main .certificate a >> nth=0")
    page.wait_for_url(f"{site.base}/wallet/*")
    page.locator("svg.qr-code").scroll_into_view_if_needed()


def clerk_task(page: Page, site: Site) -> None:
    sign_in(page, site.base, site.engine, site.clerk)
    page.goto(f"{site.base}/clerk/inbox")
    page.click("main a[href^='/clerk/tasks/'] >> nth=0")
    page.wait_for_url(f"{site.base}/clerk/tasks/*")


def as_citizen(page: Page, site: Site) -> None:
    sign_in(page, site.base, site.engine, CITIZEN.id_number)


# Page name (the PNG's) → how a person gets there, in a browser of its own.
PAGES: dict[str, Callable[[Page, Site], None]] = {
    "home": home,
    "apply": apply,
    "wallet-card": wallet_card,
    "applications": applications,
    "clerk-task": clerk_task,
}


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
        clerk = next(v.login for v in visitors if v.role == "department clerk")
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
