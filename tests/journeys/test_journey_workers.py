"""`journeys run -n 2`: what one process says, in the same order, from two; a failure in a worker fails the run."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from journeys.cli import journeys_cli

LIBRARY = Path(__file__).resolve().parents[2] / "seed_data" / "journeys"
PASSING = ["double_submit", "instant_item_same_day", "refused_at_front_desk", "withdrawal"]
# A library journey with its last expectation wrong: it fails at its last step, after real work in the worker.
WRONG = "  - expect: {status: completed}\n"

# Only what the clock decides differs between two runs: durations, and the minute the report was made.
TIMINGS = [
    (re.compile(r'time="[0-9.]+"'), 'time=""'),
    (re.compile(r"\b[0-9]+(\.[0-9]+)? (s|ms)\b"), "… s"),
    (re.compile(r"made [0-9-]+ [0-9:]+"), "made …"),
]


def timeless(text: str) -> str:
    for pattern, same in TIMINGS:
        text = pattern.sub(same, text)
    return text


@pytest.fixture
def cli(app):
    app.cli.add_command(journeys_cli)
    return app.test_cli_runner()


@pytest.fixture
def library(tmp_path) -> list[Path]:
    """Four passing journeys and, between them, one that fails: file order is not finishing order."""
    folder = tmp_path / "library"
    folder.mkdir()
    for name in PASSING:
        (folder / f"{name}.yaml").write_text((LIBRARY / f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    broken = (LIBRARY / "withdrawal.yaml").read_text(encoding="utf-8").rstrip("\n") + "\n" + WRONG
    (folder / "failing_withdrawal.yaml").write_text(broken, encoding="utf-8")
    return sorted(folder.glob("*.yaml"))


def run(cli, folder: Path, out: Path, workers: int):
    out.mkdir()
    junit, html = out / "junit.xml", out / "report.html"
    result = cli.invoke(
        args=["journeys", "run", str(folder), "-n", str(workers), "--junit", str(junit), "--html", str(html)]
    )
    output = result.output.replace(str(out), "OUT")  # each run writes its reports to a folder of its own
    return result.exit_code, output, junit.read_text(encoding="utf-8"), html.read_text(encoding="utf-8")


def test_two_workers_report_what_one_process_reports_in_file_order(cli, library, tmp_path):
    folder = library[0].parent
    one_exit, one, one_junit, one_html = run(cli, folder, tmp_path / "one", 1)
    two_exit, two, two_junit, two_html = run(cli, folder, tmp_path / "two", 2)
    assert "5 journeys, in-process, 2 workers" in two
    marks = [line.split(":")[0] for line in two.splitlines() if line[:1] in "✓✗"]
    assert marks == [f"{'✗' if path.stem.startswith('failing') else '✓'} {path.name}" for path in library]
    lines = [line for line in timeless(two).splitlines() if not line.startswith("5 journeys")]
    assert lines == [line for line in timeless(one).splitlines() if not line.startswith("5 journeys")]
    assert timeless(two_junit) == timeless(one_junit)
    assert timeless(two_html) == timeless(one_html)
    # The journey that failed in a worker fails the run, and says where, as in one process.
    assert (one_exit, two_exit) == (1, 1)
    failing = folder / "failing_withdrawal.yaml"
    last_line = len(failing.read_text(encoding="utf-8").splitlines())
    assert f"FAILED {failing}:{last_line}" in two and "status: expected 'completed', got 'withdrawn'" in two
    assert "4 passed, 1 failed" in two
    suite = ET.fromstring(two_junit).find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("5", "1")


def test_workers_apply_to_in_process_runs_only(cli):
    result = cli.invoke(args=["journeys", "run", str(LIBRARY), "-n", "2", "--target", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "-n applies to in-process runs" in result.output
