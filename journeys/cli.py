"""`flask --app app journeys run|check|export|schema`: scripted journeys, replayed three ways.

    flask --app app journeys run seed_data/journeys                    in-process, fresh database each
    flask --app app journeys run seed_data/journeys -n 2               the same, in two worker processes
    flask --app app journeys run seed_data/journeys --target URL       over HTTP, a server with APP_ENV=test
    flask --app app journeys run seed_data/journeys --browser          Chromium, against a local test server
    flask --app app journeys run PATHS --junit out.xml --html out.html
    flask --app app journeys export ZJ-20260213-000001 --out case.yaml

In-process and local-browser runs never touch the configured database: they start a
test-mode app of their own on temporary files.
"""

import shutil
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path

import click
from flask.cli import AppGroup
from werkzeug.serving import WSGIRequestHandler, make_server

from journeys.export import export_journey
from journeys.in_process import InProcess, isolated_app
from journeys.loader import JourneyInvalid, journey_files, load_journey
from journeys.reports import console_line, failure_text, write_html, write_junit
from journeys.runner import run_journeys
from journeys.schema import SCHEMA_FILE, schema_text
from journeys.targets import BrowserTarget, HttpTarget
from journeys.workers import run_journeys_in_workers
from services import clock
from web.extensions import catalog, db_session

journeys_cli = AppGroup("journeys", help="Scripted journeys: check, replay, export.")


class QuietHandler(WSGIRequestHandler):
    """Keeps the journey's own report readable: no line per request."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class LiveServer:
    """A test-mode app served on 127.0.0.1 in a thread, for the browser when no --target is given."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root or tempfile.mkdtemp(prefix="journeys-live-"))
        self.previous_clock = clock.current_clock()
        self.app = isolated_app(self.root)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.app.extensions["engine"].dispose()
        clock.use_clock(self.previous_clock)
        shutil.rmtree(self.root, ignore_errors=True)


def load_all(paths, cat) -> list:
    """Every journey, or exit 2 listing every problem of every file (nothing runs)."""
    journeys, problems = [], []
    files = journey_files(paths)
    if not files:
        raise click.UsageError("no journey files (.yaml) in the given paths")
    for path in files:
        try:
            journeys.append(load_journey(path, cat))
        except JourneyInvalid as invalid:
            problems.append(str(invalid))
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(2)
    return journeys


@journeys_cli.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--target", metavar="URL", help="A running server started with APP_ENV=test (its data is wiped).")
@click.option("--browser", is_flag=True, help="Drive Chromium (/usr/bin/chromium) through the real pages.")
@click.option("--headed", is_flag=True, help="With --browser: show the window.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write a JUnit XML report.")
@click.option(
    "--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), help="Write a self-contained HTML report."
)
@click.option("-k", "keyword", help="Only journeys whose file name or name contains this text.")
@click.option(
    "-n",
    "workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="In-process only: replay in this many worker processes (results and reports in file order).",
)
def run_command(paths, target, browser, headed, junit, html_file, keyword, workers):
    """Replay journeys; exit 1 when any step fails, 2 when a file is invalid."""
    if workers > 1 and (target or browser):
        raise click.UsageError("-n applies to in-process runs: a server's data is one world, shared by its journeys")
    cat = catalog()
    journeys = load_all(paths, cat)
    if keyword:
        journeys = [j for j in journeys if keyword.lower() in (j.file_name + " " + j.name).lower()]
    if workers > 1:
        click.echo(f"{len(journeys)} journeys, {InProcess.mode}, {workers} workers")
        results = run_journeys_in_workers(journeys, cat, workers, on_result=lambda r: click.echo(console_line(r)))
    else:
        results = _run_here(journeys, cat, target, browser, headed)
    report_results(results, junit, html_file)


def _run_here(journeys, cat, target, browser, headed) -> list:
    """In this process: in-process, over HTTP, or in the browser."""
    with ExitStack() as stack:
        if browser:
            url = target
            if url is None:
                live = LiveServer()
                stack.callback(live.close)
                url = live.url
            runner_target = BrowserTarget(url, headless=not headed)
        elif target:
            runner_target = HttpTarget(target)
        else:
            runner_target = InProcess()
        stack.callback(runner_target.close)
        click.echo(f"{len(journeys)} journeys, {runner_target.mode}")
        return run_journeys(journeys, runner_target, cat, on_result=lambda r: click.echo(console_line(r)))


def report_results(results, junit, html_file) -> None:
    """The failures in detail, the report files, the summary; exit 1 when any journey failed."""
    failed = [result for result in results if not result.passed]
    for result in failed:
        click.echo(failure_text(result), err=True)
    if junit:
        write_junit(results, junit)
        click.echo(f"wrote {junit}")
    if html_file:
        write_html(results, html_file)
        click.echo(f"wrote {html_file}")
    seconds = sum(result.duration for result in results)
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed in {seconds:.1f} s")
    if failed:
        sys.exit(1)


@journeys_cli.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def check_command(paths):
    """Validate journey files without running them."""
    journeys = load_all(paths, catalog())
    click.echo(f"{len(journeys)} journeys ok")


@journeys_cli.command("export")
@click.argument("number")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    show_default=True,
    help="File to write; - prints it.",
)
@click.option("--with-answers", is_flag=True, help="Copy the form's answers (personal data) instead of auto.")
def export_command(number, out, with_answers):
    """Write the journey that replays one application's history from its audit events."""
    text = export_journey(session=db_session(), catalog=catalog(), number=number, with_answers=with_answers)
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")


@journeys_cli.command("schema")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=SCHEMA_FILE, show_default=True)
def schema_command(out):
    """Write the JSON Schema of journey files (editors read it for completion)."""
    out.write_text(schema_text(), encoding="utf-8")
    click.echo(f"wrote {out}")
