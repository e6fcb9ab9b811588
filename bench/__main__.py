"""Every benchmark in one command: prints the table and writes bench/RESULTS.md.

    .venv/bin/python -m bench            # 1,000 vs 1,000,000 applications (builds the big cities once: long)
    .venv/bin/python -m bench --quick    # 1,000 vs 100,000, shorter load runs: a check in minutes

Figures, each next to a baseline measured in the same run:
- clerk queue, clerk archive and citizen list pages at the big city / at the small one, on SQLite
  and PostgreSQL;
- the supervisor's metrics page at the big city (ceiling 0.5 s), next to the small one;
- citizen submit and clerk approve throughput under gunicorn (2 workers, wrk on 127.0.0.1) / the
  throughput of a hello-world route on the same gunicorn, on PostgreSQL and SQLite;
- the peak resident memory of a gunicorn worker / what it held after booting;
- approvals per second with 2 and 4 processes / with one, and the share of an approval spent
  waiting for a lock another case's transaction holds (bench/contention.py);
- two app servers on one PostgreSQL under wrk together: nothing lost, nothing doubled (bench/writes.py).

PostgreSQL is the server in --postgres (default: $TEST_DATABASE_URL or the test server on
127.0.0.1:5434); when it cannot be reached, the PostgreSQL figures are left out and said so.
"""

import argparse
import os
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import cities, load, machine, pages, writes
from bench.report import Figure, Report

DEFAULT_POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5434/postgres")
WHY = {
    "page": "Each list reads one index range in its own order (migration 0002) and makes the same few statements "
    "whatever the rows (tests/http/test_queries.py), so what grows with the table is the depth of the B-trees "
    "and how much of them is still in the page cache. Where the rows shown differ (the small city's "
    "busiest queue holds less than a page, see the labels), rendering the extra rows counts too; the "
    "clerk archive shows a full page at both sizes. On this shared machine the medians also carry noise "
    "from other work (see the load average).",
    "metrics": "The dashboard sums a rollup of counts per China submission day (services/metrics/rollup.py) and "
    "counts live only the open tasks now past their deadline; before each view it recounts the days "
    "whose cases changed since the last refresh (cron runs `flask --app app metrics refresh` every "
    "minute). What grows with the table is the cost of recounting a changed day (a few thousand "
    "rows) and the live overdue count over the open tasks' index.",
}


def reachable(url: str) -> bool:
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception as error:  # any failure to connect means: no PostgreSQL figures this run
        print(
            f"PostgreSQL at {make_url(url).render_as_string()} cannot be reached ({error.__class__.__name__}); "
            "its figures are left out",
            file=sys.stderr,
        )
        return False


def page_figures(label: str, small: dict, big: dict, small_n: int, big_n: int) -> list[Figure]:
    figures = []
    for page in ("clerk queue", "clerk archive", "citizen list"):
        s, b = small[page], big[page]
        figures.append(
            Figure(
                f"{page} page, {label}",
                f"{small_n:,} apps ({s.rows} rows)",
                s.median * 1000,
                f"{big_n:,} apps ({b.rows} rows)",
                b.median * 1000,
                "ms",
                "ratio<=",
                1.5,
                WHY["page"],
            )
        )
    s, b = small["metrics page"], big["metrics page"]
    figures.append(
        Figure(
            f"metrics page, {label}",
            f"{small_n:,} apps",
            s.median,
            f"{big_n:,} apps",
            b.median,
            "s",
            "value<=",
            0.5,
            WHY["metrics"],
        )
    )
    return figures


def load_figures(label: str, result: load.LoadFigures) -> tuple[list[Figure], list[str]]:
    figures, note = writes.load_figures(label, result)
    figures.append(
        Figure(
            f"worker memory, {label}", "after boot", result.idle_rss_mib, "peak under load", result.peak_rss_mib, "MiB"
        )
    )
    return figures, [note]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 vs 100,000 applications, short runs")
    parser.add_argument("--small", type=int, default=1000, help="applications in the baseline city")
    parser.add_argument("--big", type=int, default=None, help="applications in the big city (default 1,000,000)")
    parser.add_argument("--seconds", type=int, default=None, help="length of each wrk run (default 15; quick 5)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL server URL (any database)")
    parser.add_argument("--rebuild", action="store_true", help="seed the cities again even if kept ones match")
    parser.add_argument("--skip-load", action="store_true", help="leave out gunicorn, wrk and the contention runs")
    args = parser.parse_args(argv)
    big_n = args.big or (100_000 if args.quick else 1_000_000)
    seconds = args.seconds or (5 if args.quick else 15)
    repeat, metrics_repeat = (10, 3) if args.quick else (30, 5)
    command = "python -m bench" + (" --quick" if args.quick else "")
    postgres = args.postgres if reachable(args.postgres) else None

    described = machine.describe(postgres)
    load_before = os.getloadavg()
    print(f"cities: {args.small:,} and {big_n:,} applications", file=sys.stderr)
    small = cities.city(args.small, postgres, args.rebuild)
    big = cities.city(big_n, postgres, args.rebuild)
    figures, notes = [], []
    databases = [("SQLite", small.sqlite_url, big.sqlite_url)]
    if postgres:
        databases.append(("PostgreSQL", small.postgres_url, big.postgres_url))
    for label, small_url, big_url in databases:
        print(f"pages on {label}", file=sys.stderr)
        small_pages, big_pages = pages.measure_pair(
            (small_url, small.upload_folder), (big_url, big.upload_folder), repeat, metrics_repeat
        )
        figures += page_figures(label, small_pages, big_pages, args.small, big_n)

    if not args.skip_load and shutil.which("wrk") is None:
        notes.append("wrk is not installed (Debian: apt-get install wrk): the gunicorn runs were left out")
    elif not args.skip_load:
        count = 300 * seconds  # more drafts and tasks than any run here gets through
        runs = []
        if postgres:
            runs.append(
                ("PostgreSQL", lambda: cities.copy_database(postgres, f"bench_city_{args.small}", "bench_load"))
            )
        scratch = Path(tempfile.mkdtemp(prefix="bench-"))

        def sqlite_copy() -> str:
            target = scratch / "load.sqlite"
            shutil.copyfile(small.sqlite_url.removeprefix("sqlite:///"), target)
            return f"sqlite:///{target}"

        runs.append(("SQLite", sqlite_copy))
        for label, database in runs:
            print(f"gunicorn + wrk on {label}", file=sys.stderr)
            result = load.measure(database(), small.upload_folder, seconds, connections=8, count=count)
            more_figures, more_notes = load_figures(label, result)
            figures += more_figures
            notes += more_notes
        shutil.rmtree(scratch, ignore_errors=True)
        if postgres:
            print("writers on different cases, PostgreSQL", file=sys.stderr)
            waits, note = writes.contention_figures(
                cities.copy_database(postgres, f"bench_city_{args.small}", "bench_contention"),
                approvals=80 if args.quick else 240,
            )
            figures += waits
            notes.append(note)
            print("two app servers, PostgreSQL", file=sys.stderr)
            both = writes.two_servers(
                cities.copy_database(postgres, f"bench_city_{args.small}", "bench_two"),
                small.upload_folder,
                seconds,
                count,
            )
            more_figures, note = writes.two_server_figures(both)
            figures += more_figures
            notes.append(note)

    load_after = os.getloadavg()
    report = Report(
        command=command,
        date=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        machine=described.lines(),
        conditions=[
            f"- cities: {args.small:,} and {big_n:,} applications seeded by `seeding` (seed {cities.SEED}, "
            f"year ending {cities.AS_OF}); PostgreSQL holds the same rows, copied from the SQLite file; "
            "both ANALYZEd after loading",
            "- page times: median of "
            f"{repeat} warm requests through the Flask app in-process ({metrics_repeat} for the metrics page), "
            "alternating between the two cities so both see the same machine load",
            f"- load: gunicorn with deploy/gunicorn.conf.py, {load.WORKERS} sync workers, wrk -t{load.WORKERS} -c8 "
            f"-d{seconds}s on 127.0.0.1, each POST on its own prepared draft or claimed task",
            f"- load average (1/5/15 min) before: {_load(load_before)}, after: {_load(load_after)} — "
            "other work on this machine during the run shows here",
            "- the test PostgreSQL server runs with fsync=off (.ci/start-postgres): commits cost less than on a "
            "production server",
            *(
                [
                    f"- built this run: {small.applications:,}: {_built(small.built_seconds)}; "
                    f"{big.applications:,}: {_built(big.built_seconds)}"
                ]
                if small.built_seconds or big.built_seconds
                else ["- cities reused from instance/bench/ (built by an earlier run with the same seed and schema)"]
            ),
        ],
        figures=figures,
        notes=notes,
    )
    print(report.table())
    print(f"\nwrote {report.write()}")
    return 0


def _load(average: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.1f}" for value in average)


def _built(seconds: dict) -> str:
    return ", ".join(f"{name} in {value:.0f} s" for name, value in seconds.items()) or "reused"


if __name__ == "__main__":
    sys.exit(main())
