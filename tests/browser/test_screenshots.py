"""`make screenshots`: phone-width PNGs of the listed pages, and a page it cannot reach named, not skipped."""

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

# The command as `make screenshots` runs it, with one page that works and one whose way in is gone.
SCRIPT = """
import sys
from tools import screenshots

screenshots.STEP_TIMEOUT_MS = 2_000
screenshots.PAGES = {{
    "home": screenshots.home,
    "gone": lambda page, site: page.click("#a-button-nobody-drew"),
}}
sys.exit(screenshots.main(["--out", {out!r}]))
"""


def test_screenshots_are_phone_width_and_an_unreachable_page_fails_by_name(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(out=str(tmp_path))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "cannot reach the page 'gone'" in result.stderr
    with Image.open(tmp_path / "home.png") as home:
        assert home.size == (390, 844)
    assert not (tmp_path / "gone.png").exists()
