"""Faults under load: kill -9 a gunicorn worker and restart PostgreSQL mid-run; nothing answered is lost.

    .venv/bin/python -m bench.faults               # 60 s of load, writes bench/FAULTS.md
    .venv/bin/python -m bench.faults --seconds 20  # a shorter check

One command, on 127.0.0.1 only, and everything it starts it stops again:
1. a PostgreSQL 15 of its own (bench/pg_server.py: port 5440, data under /tmp/atmostonce-pg-faults, fsync on),
   migrated and seeded with a small city (seeding);
2. complete drafts prepared beforehand for a few citizens (one through the services, the rest copies of it);
3. gunicorn as deployed (deploy/gunicorn.conf.py, 2 sync workers, APP_ENV=production, a random 64-hex key);
4. for --seconds: wrk GETs read pages as a signed-in company; each citizen signs in (again every
   --relogin-every submits) and submits its drafts one by one, noting every 302 to the case's page and
   the public number that page shows; the front desk accepts each application so submitted (acceptance
   creates the tasks), noting every 302 back to its queue; a probe GETs a signed-in page every 0.1 s;
5. at a third of the run one worker gets SIGKILL (gunicorn forks a new one), at two thirds PostgreSQL
   stops immediately (as in a crash: no checkpoint) and starts again;
6. afterwards: each submit's 302 is in the database as submitted, under the number shown, with its audit
   event and the applicant's receipt, and each acceptance's 302 with its event and tasks
   (bench.invariants.missing_submits, missing_acceptances); no application or task is half written
   (bench.invariants.half_written); `flask --app app audit verify` passes.
"""

import argparse
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import machine
from bench.browser import Browser
from bench.deployed import WORKERS, audit_verify, start_gunicorn
from bench.fault_city import prepare_applicants, seeded_database
from bench.fault_clients import DeskLog, ProbeLog, SubmitterLog, front_desk, probe, start_thread, submitter
from bench.faults_report import FaultRun, server_answers, write_report
from bench.invariants import half_written, missing_acceptances, missing_submits
from bench.load import _children, _free_port
from bench.pg_server import PostgresServer
from seeding.demo import COMPANY, DEMO_PASSWORD
from services.catalog import default_catalog
from services.db import make_engine

READ_SCRIPT = Path(__file__).resolve().parent / "get_each.lua"


def read_paths() -> list[str]:
    catalog = default_catalog()
    item = sorted(catalog.items)[0]
    department = sorted(catalog.departments)[0]
    return ["/", "/search?q=%E5%A9%9A%E5%A7%BB", f"/services/{item}", f"/departments/{department}", "/applications"]


def kill_a_worker(server: subprocess.Popen) -> tuple[int, float | None]:
    """SIGKILL one worker; returns its pid and the seconds until gunicorn had forked its replacement."""
    workers = _children(server.pid)
    victim = workers[0]
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    while time.monotonic() - killed_at < 30:
        now = _children(server.pid)
        if victim not in now and len(now) == WORKERS:
            return victim, time.monotonic() - killed_at
        time.sleep(0.05)
    return victim, None


def run_wrk(port: int, seconds: int, folder: Path, cookie: str) -> subprocess.Popen:
    paths = folder / "read-paths.txt"
    paths.write_text("\n".join(read_paths()) + "\n")
    return subprocess.Popen(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            "4",
            "-d",
            f"{seconds}s",
            "-s",
            str(READ_SCRIPT),
            f"http://127.0.0.1:{port}",
            "--",
            str(paths),
            cookie,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def drive(args, server: PostgresServer, gunicorn: subprocess.Popen, port: int, applicants, folder: Path) -> dict:
    """The load for --seconds, with a worker killed at a third and PostgreSQL restarted at two thirds;
    what happened, by FaultRun's field names."""
    reader = Browser(port)
    reader.sign_in(COMPANY.credit_code, DEMO_PASSWORD)
    prober = Browser(port)
    prober.cookies = dict(reader.cookies)
    started, started_wall = time.monotonic(), time.time()
    stop_at = started + args.seconds
    logs = [SubmitterLog(applicant.login) for applicant in applicants]
    probe_log, desk_log, submitted = ProbeLog(), DeskLog(), queue.Queue()
    threads = [
        start_thread(probe, prober, "/applications", started, stop_at, probe_log),
        start_thread(front_desk, port, "frontdesk", DEMO_PASSWORD, submitted, started, stop_at, desk_log),
    ]
    wrk = run_wrk(port, args.seconds, folder, reader.cookie_header())
    try:
        threads += [
            start_thread(
                submitter,
                port,
                applicant.login,
                DEMO_PASSWORD,
                applicant.drafts,
                started,
                stop_at,
                args.relogin_every,
                log,
                submitted,
            )
            for applicant, log in zip(applicants, logs, strict=True)
        ]
        time.sleep(max(0.0, started + args.seconds / 3 - time.monotonic()))
        kill_at = time.monotonic() - started
        print(f"{kill_at:.1f} s: kill -9 a gunicorn worker", file=sys.stderr)
        victim, replaced_after = kill_a_worker(gunicorn)
        time.sleep(max(0.0, started + 2 * args.seconds / 3 - time.monotonic()))
        restart_at = time.monotonic() - started
        print(f"{restart_at:.1f} s: restart PostgreSQL ({args.stop_mode})", file=sys.stderr)
        restart_seconds = server.restart(args.stop_mode)
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
        wrk_output = wrk.communicate(timeout=60)[0]
    finally:
        if wrk.poll() is None:
            wrk.terminate()
            wrk.wait(timeout=30)
    return dict(
        logs=logs,
        desk=desk_log,
        probe=probe_log,
        wrk_output=wrk_output,
        kill_at=kill_at,
        victim=victim,
        replaced_after=replaced_after,
        restart_at=restart_at,
        restart_seconds=restart_seconds,
        started_wall=started_wall,
    )


def check(database_url: str, logs: list[SubmitterLog], desk: DeskLog) -> dict:
    """What the database holds of what was answered, by FaultRun's field names."""
    shown = {o.key: o.number for log in logs for o in log.outcomes if o.redirected}
    unanswered = [o.key for log in logs for o in log.outcomes if not o.redirected]
    engine = make_engine(database_url)
    with engine.connect() as connection:
        missing = missing_submits(connection, shown)
        missing |= missing_acceptances(connection, [o.key for o in desk.outcomes if o.redirected])
        broken = half_written(connection)
        landed_anyway = len(unanswered) - len(missing_submits(connection, dict.fromkeys(unanswered)))
    engine.dispose()
    return dict(missing=missing, broken=broken, landed_anyway=landed_anyway)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the load (default 60)")
    parser.add_argument("--applications", type=int, default=200, help="cases in the seeded city (default 200)")
    parser.add_argument("--citizens", type=int, default=3, help="citizens submitting at once (default 3)")
    parser.add_argument(
        "--relogin-every", type=int, default=25, help="a citizen signs in again after this many submits (0: once only)"
    )
    parser.add_argument("--port", type=int, default=5440, help="the run's own PostgreSQL port (default 5440)")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("/tmp/atmostonce-pg-faults"),
        help="where its data goes; removed afterwards unless --keep",
    )
    parser.add_argument(
        "--stop-mode",
        choices=("immediate", "fast"),
        default="immediate",
        help="how PostgreSQL is stopped for its restart (default immediate: as in a crash)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL data and the logs afterwards")
    parser.add_argument("--no-report", action="store_true", help="print the figures, leave bench/FAULTS.md alone")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    server = PostgresServer(args.root, args.port)
    folder = Path(tempfile.mkdtemp(prefix="atmostonce-faults-"))
    gunicorn = None
    try:
        print(f"PostgreSQL of its own on 127.0.0.1:{args.port} ({args.root})", file=sys.stderr)
        server.start()
        print(f"seeding {args.applications} applications", file=sys.stderr)
        database_url = seeded_database(server, args.applications, folder / "uploads")
        described = machine.describe(database_url)
        # More drafts than a citizen gets through: a submit takes 20 ms of CPU at the least, and they share 2 CPUs.
        applicants = prepare_applicants(database_url, args.citizens, drafts=20 * args.seconds)
        print(
            f"{len(applicants)} citizens with {len(applicants[0].drafts)} drafts each; starting gunicorn",
            file=sys.stderr,
        )
        port = _free_port()
        gunicorn = start_gunicorn(folder, database_url, port)
        driven = drive(args, server, gunicorn, port, applicants, folder)
        load_after = os.getloadavg()
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=60)
        print("checking the database", file=sys.stderr)
        chain_ok, chain_said = audit_verify(database_url, folder)
        answers = server_answers(folder / "access.log", driven.pop("started_wall"))
        run = FaultRun(
            seconds=args.seconds,
            applications=args.applications,
            stop_mode=args.stop_mode,
            machine=described.lines(),
            load_before=load_before,
            load_after=load_after,
            **driven,
            **check(database_url, driven["logs"], driven["desk"]),
            chain_ok=chain_ok,
            chain_said=chain_said,
            argv=list(argv) if argv is not None else sys.argv[1:],
            server_answers=answers,
        )
        print(run.summary())
        if not args.no_report:
            print(f"wrote {write_report(run)}")
        return 0 if run.passed else 1
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        if args.keep:
            print(f"kept: {args.root} (PostgreSQL stopped) and {folder}", file=sys.stderr)
            server.stop()
        else:
            server.remove()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
