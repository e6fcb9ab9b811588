"""CPU per write, in-process: a citizen's submit and a clerk's approval against hello world and the floor.

    .venv/bin/python -m bench.write_cpu --postgres postgresql+psycopg://postgres@127.0.0.1:5434/postgres

The working metric of the write path on a shared machine: time.process_time counts this
process's CPU only, so the database server's CPU stays out of it, and the quickest of many
batches stays as clear of other work as any (see _cost); the Python function calls a request
makes (cProfile's count) do not depend on other work at all. Each route is posted through the
test client like wrk posts it (the sign-in's cookie, the real form and its CSRF token), on
copies of the 1,000-application city (bench/cities.py) on PostgreSQL and SQLite; the first
requests of each route warm the caches and are not counted. The floor routes are
bench/routes.py's: a signed-in, CSRF-protected write of the fewest statements a submit (7) and
an approval (9) can be.
`--profile` prints where a submit's and an approval's CPU goes (cProfile timed by process_time).
"""

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlmodel import select

from app import create_app
from bench import cities, load
from bench.routes import APPROVE_FLOOR, SUBMIT_FLOOR, add_bench_routes
from services.db import new_session
from services.models import Application, Task

WARM = 20  # requests of each route before the count starts
BATCH = 10  # requests timed together
CALLS = 20  # requests whose Python function calls are counted


def _signed_in(app, login: str) -> tuple[str, str]:
    """The session cookie (as a Cookie header) and CSRF token of a sign-in through the real pages."""
    client = load.signed_in_client(app, login)
    page = client.get("/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return f"session={client.get_cookie('session').value}", token


@dataclass(frozen=True)
class Cost:
    cpu_ms: float  # CPU milliseconds a request, the quickest batch's
    calls: float  # Python function calls a request (cProfile's count: the same whatever else runs)


def _cost(send, paths: list[str], expected: int, profile: cProfile.Profile | None = None) -> Cost:
    """What a request to each of `paths` costs, after the first WARM (each answered `expected`).

    CPU is timed in batches, the quickest batch kept (as timeit does): other work on the machine
    only ever adds to a batch's CPU time (caches and cores shared), so the least is the closest to
    the request's own cost. The last CALLS requests are counted under cProfile instead.
    """
    for path in paths[:WARM]:
        _check(send(path), expected, path)
    timed, counted = paths[WARM:-CALLS], paths[-CALLS:]
    if profile:
        profile.enable()
    batches = []
    for start in range(0, len(timed) - BATCH + 1, BATCH):
        began = time.process_time()
        for path in timed[start : start + BATCH]:
            _check(send(path), expected, path)
        batches.append((time.process_time() - began) / BATCH)
    if profile:
        profile.disable()
    counter = cProfile.Profile()
    counter.enable()
    for path in counted:
        _check(send(path), expected, path)
    counter.disable()
    return Cost(min(batches) * 1000, pstats.Stats(counter).total_calls / CALLS)


def _check(response, expected: int, path: str) -> None:
    if response.status_code != expected:
        raise RuntimeError(f"{path} answered {response.status_code}, not {expected}")


def measure(database_url: str, upload_folder: Path, requests: int, profile: bool) -> dict[str, Cost]:
    config = {"DATABASE_URL": database_url, "SECRET_KEY": os.urandom(16).hex(), "UPLOAD_FOLDER": str(upload_folder)}
    app = add_bench_routes(create_app(config))
    count = requests + WARM + CALLS
    with new_session(app.extensions["engine"]) as session:
        rows = load.prepare_rows(session, app.extensions["catalog"], count, count)
        drafts = list(session.exec(select(Application.key).where(Application.id.in_(rows.draft_ids))))
        task_keys = list(session.exec(select(Task.key).where(Task.id.in_(rows.task_ids))))
    citizen_cookie, citizen_token = _signed_in(app, rows.citizen.login_name)
    clerk_cookie, clerk_token = _signed_in(app, rows.clerk.login_name)
    # The check-answers page's button, as bench/load.py posts it: the steps saved the answers before.
    submit_form = urlencode({"csrf_token": citizen_token, "action": "submit"})
    approve_form = urlencode({"csrf_token": clerk_token, "note": ""})
    # Like wrk, every request carries the cookie of the sign-in, not what the last answer set
    # (the flashed messages of the posts before it would pile up in it).
    client = app.test_client(use_cookies=False)
    form = "application/x-www-form-urlencoded"

    def hello(path):
        return client.get(path, headers={"Cookie": citizen_cookie})

    def citizen_post(path):
        return client.post(path, data=submit_form, content_type=form, headers={"Cookie": citizen_cookie})

    def clerk_post(path):
        return client.post(path, data=approve_form, content_type=form, headers={"Cookie": clerk_cookie})

    # Timed by CPU, not the wall clock: waiting for the database is not what is being cut.
    profiles = {kind: cProfile.Profile(time.process_time) for kind in ("submit", "approve")} if profile else {}
    figures = {
        "hello world": _cost(hello, ["/bench/hello"] * count, 200),
        f"floor, {SUBMIT_FLOOR} statements (citizen)": _cost(
            citizen_post, [f"/bench/floor/{SUBMIT_FLOOR}"] * count, 302
        ),
        f"floor, {APPROVE_FLOOR} statements (clerk)": _cost(clerk_post, [f"/bench/floor/{APPROVE_FLOOR}"] * count, 302),
        "submit": _cost(citizen_post, [f"/applications/{key}/check" for key in drafts], 302, profiles.get("submit")),
        "approve": _cost(
            clerk_post, [f"/clerk/tasks/{key}/approve" for key in task_keys], 302, profiles.get("approve")
        ),
    }
    app.extensions["engine"].dispose()
    for name, profiled in profiles.items():
        print(f"\n{name}: the {requests} counted requests under cProfile, by own time", file=sys.stderr)
        stats = pstats.Stats(profiled, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(r"/(services|web)/", 40)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server URL (any database)")
    parser.add_argument("--requests", type=int, default=300, help="requests of each route counted")
    parser.add_argument(
        "--databases", default="PostgreSQL,SQLite", help="which of PostgreSQL, SQLite (comma-separated)"
    )
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the submits and approvals")
    args = parser.parse_args(argv)
    before = os.getloadavg()
    city = cities.city(1000, args.postgres)
    scratch = Path(tempfile.mkdtemp(prefix="bench-write-cpu-"))
    sqlite_copy = scratch / "cpu.sqlite"
    shutil.copyfile(city.sqlite_url.removeprefix("sqlite:///"), sqlite_copy)
    databases = {
        "PostgreSQL": lambda: cities.copy_database(args.postgres, "bench_city_1000", "bench_write_cpu"),
        "SQLite": lambda: f"sqlite:///{sqlite_copy}",
    }
    print("CPU ms (time.process_time) and Python function calls per request, in-process through the test client")
    for label in args.databases.split(","):
        figures = measure(databases[label](), city.upload_folder, args.requests, args.profile)
        hello = figures["hello world"]
        for name, cost in figures.items():
            print(
                f"{label:10}  {name:34} {cost.cpu_ms:6.2f} ms ({cost.cpu_ms / hello.cpu_ms:5.1f}x hello world)  "
                f"{cost.calls:8,.0f} calls ({cost.calls / hello.calls:5.1f}x)"
            )
    shutil.rmtree(scratch, ignore_errors=True)
    after = os.getloadavg()
    print(
        "load average (1/5/15 min) before: {:.1f} / {:.1f} / {:.1f}, after: {:.1f} / {:.1f} / {:.1f}".format(
            *before, *after
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
