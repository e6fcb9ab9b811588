"""The cockpit's JSON endpoints at two city sizes: the whole request through the Flask app, in-process, warm.

    .venv/bin/python -m bench.cockpit [--big 1000000] [--small 1000] [--repeat 7] [--postgres URL] [--write PATH]

The cities are bench/cities.py's (built once into instance/bench/, then kept). The city-wide supervisor asks
for each endpoint, the requests alternating between the two cities so both see the same load from whatever
else runs on this machine; each figure is the median, next to the same endpoint on the small city, and the
ceiling is 0.5 s at the big one. The clock is frozen on the morning after the seeded year, as in
bench/pages.py, so both cities have the same "today".
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from app import create_app
from bench import cities
from bench.load import signed_in_client
from bench.machine import describe
from services import clock
from services.db import new_session
from services.metrics import refresh_rollup

CHINA = timezone(timedelta(hours=8))
CEILING_SECONDS = 0.5
ENDPOINTS = (
    *(f"/supervisor/api/trend?measure={m}&grain=month" for m in ("submitted", "zero_visit", "on_time", "same_day")),
    "/supervisor/api/trend?measure=compression&grain=week",
    "/supervisor/api/trend?measure=rating&grain=month",
    "/supervisor/api/trend?measure=on_time&grain=day&since=2026-09-01&until=2026-11-21",
    "/supervisor/api/trend?measure=on_time&grain=month&department=PSB",
    "/supervisor/api/departments",
    "/supervisor/api/departments?since=2026-11-01&until=2026-11-21",
    "/supervisor/api/mix",
    "/supervisor/api/mix?department=PSB",
    "/supervisor/api/live",
)


def load() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


class Reader:
    """The city-wide supervisor of one city's database, signed in."""

    def __init__(self, database_url: str, upload_folder: Path):
        self.app = create_app(
            {"DATABASE_URL": database_url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": str(upload_folder)}
        )
        with new_session(self.app.extensions["engine"]) as session:
            refresh_rollup(session=session)  # as the dashboard does before the charts ask
        self.client = signed_in_client(self.app, "supervisor")

    def seconds(self, path: str) -> float:
        started = time.perf_counter()
        response = self.client.get(path)
        took = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return took

    def close(self) -> None:
        self.app.extensions["engine"].dispose()


def measure(small: Reader, big: Reader, repeat: int) -> list[tuple[str, float, float]]:
    """(endpoint, median seconds at the small city, at the big one), the two asked in turn."""
    rows = []
    for path in ENDPOINTS:
        small.seconds(path), big.seconds(path)  # warm: connections, statement caches
        times: tuple[list[float], list[float]] = ([], [])
        for _ in range(repeat):
            times[0].append(small.seconds(path))
            times[1].append(big.seconds(path))
        rows.append((path, statistics.median(times[0]), statistics.median(times[1])))
    return rows


def report(label: str, small_n: int, big_n: int, rows: list[tuple[str, float, float]]) -> list[str]:
    lines = [
        f"{label}: median of the requests, {big_n:,} applications against {small_n:,}",
        "",
        f"| endpoint | {small_n:,} (ms) | {big_n:,} (ms) | ratio | ≤ {CEILING_SECONDS} s |",
        "|---|---:|---:|---:|---|",
    ]
    for path, small, big in rows:
        verdict = "yes" if big <= CEILING_SECONDS else "**no**"
        lines.append(f"| `{path}` | {small * 1000:.1f} | {big * 1000:.1f} | {big / small:.1f} x | {verdict} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--postgres", help="a PostgreSQL server to copy the cities into and measure too")
    parser.add_argument("--write", type=Path, help="write the figures as Markdown to this file")
    args = parser.parse_args(argv)
    started_at, load_before = datetime.now(UTC), load()
    small, big = cities.city(args.small, args.postgres), cities.city(args.big, args.postgres)
    builds = {f"{c.applications:,}": c.built_seconds for c in (small, big) if c.built_seconds}
    if builds:
        print(f"built this run (s): {builds}", file=sys.stderr)
    morning = datetime.combine(cities.AS_OF, datetime.min.time(), CHINA) + timedelta(hours=10)
    previous = clock.current_clock()
    clock.use_clock(clock.FrozenClock(morning.astimezone(UTC)))
    databases = [("SQLite", small.sqlite_url, big.sqlite_url)]
    if args.postgres:
        databases.append(("PostgreSQL", small.postgres_url, big.postgres_url))
    lines: list[str] = []
    missed: list[str] = []
    try:
        for label, small_url, big_url in databases:
            readers = Reader(small_url, small.upload_folder), Reader(big_url, big.upload_folder)
            try:
                rows = measure(*readers, args.repeat)
                lines += report(label, args.small, args.big, rows)
                missed += [f"{label} {path}" for path, _, seconds in rows if seconds > CEILING_SECONDS]
                lines.append("")
            finally:
                for reader in readers:
                    reader.close()
    finally:
        clock.use_clock(previous)
    lines.append(f"load average (1/5/15 min) before: {load_before}, after: {load()}")
    print("\n".join(lines))
    if args.write:
        machine = [line for line in describe(args.postgres).lines() if not line.startswith("- load generator")]
        command = " ".join(["python -m bench.cockpit", *(argv if argv is not None else sys.argv[1:])])
        args.write.write_text(
            "# The cockpit's JSON endpoints at 1,000 and 1,000,000 applications\n\n"
            f"Reproduce: `.venv/bin/python -m bench.cockpit` (this run: `{command}`)\n\n"
            f"Measured {started_at:%Y-%m-%d %H:%M} UTC on:\n\n" + "\n".join(machine) + "\n\n" + "\n".join(lines) + "\n"
        )
    if missed:
        print(f"over {CEILING_SECONDS} s: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
