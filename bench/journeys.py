"""Journeys per second in-process, and what `--target` and `--browser` cost next to it.

    .venv/bin/python -m bench.journeys [--journeys a,b,c] [--skip-browser]

The same journey files run in the same process run three ways: in-process (Flask test
client, a fresh SQLite file each), over HTTP against gunicorn (two workers, test mode),
and in Chromium against that same gunicorn. Each mode first replays one journey untimed,
so template compilation and browser start-up are not counted. Also prints the whole
library in-process and what reading the shared virtual clock costs a request.
"""

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from journeys.clock import ClockStore
from journeys.in_process import InProcess
from journeys.loader import journey_files, load_journey
from journeys.runner import run_journey
from journeys.targets import BrowserTarget, GunicornServer, HttpTarget
from services.catalog import default_catalog

LIBRARY = Path(__file__).resolve().parent.parent / "seed_data" / "journeys"
SAME_JOURNEYS = (
    "double_submit",
    "instant_item_same_day",
    "refused_at_front_desk",
    "visit_beyond_promise",
    "withdrawal",
    "spring_festival_deadline",
)


def timed(journeys, target, catalog) -> float:
    run_journey(journeys[0], target, catalog)  # warm-up, not counted
    started = time.perf_counter()
    for journey in journeys:
        result = run_journey(journey, target, catalog)
        if not result.passed:
            raise SystemExit(f"{journey.path} failed in {target.mode}")
    return time.perf_counter() - started


def clock_read_microseconds(folder: Path, reads: int = 20_000) -> tuple[float, float]:
    """(unchanged file, file moved before every read): what a worker pays at the start of a request."""
    store = ClockStore(folder / "clock")
    store.write(datetime(2026, 2, 13, 1, tzinfo=UTC))
    started = time.perf_counter()
    for _ in range(reads):
        store.read()
    unchanged = (time.perf_counter() - started) / reads * 1e6
    writer = ClockStore(folder / "clock")
    moments = [datetime(2026, 2, 13, 1, tzinfo=UTC) + timedelta(minutes=n) for n in range(2000)]
    spent = []
    for moment in moments:
        writer.write(moment)
        started = time.perf_counter()
        store.read()
        spent.append(time.perf_counter() - started)
    return unchanged, statistics.mean(spent) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--journeys", default=",".join(SAME_JOURNEYS), help="File names without .yaml, comma-separated."
    )
    parser.add_argument("--skip-browser", action="store_true")
    options = parser.parse_args()
    catalog = default_catalog()
    journeys = [load_journey(LIBRARY / f"{name}.yaml", catalog) for name in options.journeys.split(",")]
    library = [load_journey(path, catalog) for path in journey_files([LIBRARY])]
    folder = Path(tempfile.mkdtemp(prefix="bench-journeys-"))
    rows = []

    in_process = InProcess(folder / "in-process")
    try:
        rows.append(("in-process", timed(journeys, in_process, catalog)))
        run_journey(library[0], in_process, catalog)
        started = time.perf_counter()
        for journey in library:
            run_journey(journey, in_process, catalog)
        whole = time.perf_counter() - started
    finally:
        in_process.close()

    server = GunicornServer(folder / "gunicorn", workers=2)
    try:
        rows.append(("--target (gunicorn, 2 workers)", timed(journeys, HttpTarget(server.url), catalog)))
        if not options.skip_browser:
            browser = BrowserTarget(server.url)
            try:
                rows.append(("--browser (Chromium, same gunicorn)", timed(journeys, browser, catalog)))
            finally:
                browser.close()
    finally:
        server.close()

    base = rows[0][1] / len(journeys)
    print(f"{len(journeys)} journeys, the same files in every mode: {', '.join(options.journeys.split(','))}")
    for mode, seconds in rows:
        each = seconds / len(journeys)
        print(
            f"  {mode:<38} {seconds:7.2f} s  {len(journeys) / seconds:6.2f} journeys/s  "
            f"{each:6.2f} s each  {each / base:5.1f}× in-process"
        )
    print(f"whole library in-process: {len(library)} journeys in {whole:.1f} s, {len(library) / whole:.2f} journeys/s")
    unchanged, moved = clock_read_microseconds(folder)
    print(f"virtual clock per request: {unchanged:.1f} µs when unchanged (one stat), {moved:.1f} µs after a move")


if __name__ == "__main__":
    main()
