"""The write path alone: throughput against hello world, writers on different cases, two app servers.

    .venv/bin/python -m bench.writes --postgres postgresql+psycopg://postgres@127.0.0.1:5434/postgres

Every figure stands next to a baseline measured in the same run, and the load average is
printed before and after (other work on the machine shows there):
- citizen submit and clerk approve req/s under gunicorn / hello-world req/s on the same
  gunicorn, on PostgreSQL and SQLite (bench/load.py);
- approvals/s with 2 and 4 processes / with one, and the share of an approval spent waiting
  for a lock another case's transaction holds (bench/contention.py says how it is sampled);
- two app servers (two gunicorn masters on two ports, one PostgreSQL) under wrk together:
  submits, then approvals, each server on its own half of the prepared rows; afterwards as many
  rows moved as posts were answered, each submitted one whole (its number, its submit event under
  that number, the applicant told), each decided task with its decision's event (none lost), and
  no number, certificate or event twice (none doubled; bench/invariants.py). The prepared rows
  are copies of one case without its earlier events, so the whole-case invariants do not apply.
`python -m bench` runs the same figures with the page benchmarks (the contention figures and
the two servers included).
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import cities, contention, load
from bench.invariants import doubled, missing_submits
from bench.report import Figure, Report
from bench.routes import APPROVE_FLOOR, SUBMIT_FLOOR
from services.catalog import default_catalog
from services.db import make_engine, new_session

WHY_SLOW = (
    "The baseline route does nothing; a write is a transaction of a dozen statements "
    "(tests/http/test_request_statements.py pins them) and the ORM work around them, with wrk, both "
    "gunicorn workers and the database sharing the same two CPUs. See the notes for where the time goes."
)


ROUNDS = 3  # 1, 2, 4, 1, 2, 4…: each count sees the machine's other work alike; the median is kept
CPU_ONLY_REQUESTS = 4000  # of the route with no database, per process count and round


def contention_figures(database_url: str, approvals: int) -> tuple[list[Figure], str]:
    """Approvals/s with 1, 2 and 4 processes and the share of an approval waiting on another case's lock.

    In the same rounds, a route with no database at all in as many processes: whether 4 processes
    below 2 is the machine's doing or the app's.
    """
    counts = (1, 2, 4)
    engine = make_engine(database_url)
    with new_session(engine) as session:
        rows = load.prepare_rows(session, default_catalog(), drafts=0, claimed=ROUNDS * len(counts) * approvals)
    engine.dispose()
    runs: dict[int, list[contention.Share]] = {processes: [] for processes in counts}
    cpu_runs: dict[int, list[contention.Share]] = {processes: [] for processes in counts}
    batches = iter(range(0, len(rows.task_ids), approvals))
    for _ in range(ROUNDS):
        for processes in counts:
            start = next(batches)
            task_ids = rows.task_ids[start : start + approvals]
            runs[processes].append(contention.measure(database_url, rows.clerk.id, task_ids, processes=processes))
            cpu_runs[processes].append(contention.measure_cpu(database_url, CPU_ONLY_REQUESTS, processes))
    shares = [sorted(runs[processes], key=lambda share: share.per_second)[ROUNDS // 2] for processes in counts]
    cpu_only = {
        processes: sorted(cpu_runs[processes], key=lambda share: share.per_second)[ROUNDS // 2] for processes in counts
    }
    alone = shares[0]
    figures = []
    for share, ratio_target in zip(shares[1:], (1.6, None), strict=True):
        figures.append(
            Figure(
                f"approvals/s, {share.processes} processes (PostgreSQL)",
                "1 process",
                alone.per_second,
                f"{share.processes} processes",
                share.per_second,
                "approvals/s",
                "ratio>=" if ratio_target else None,
                ratio_target,
                "More processes than CPUs: the workers, the database and the sampler share 2 CPUs.",
            )
        )
    two, four = shares[1], shares[2]
    figures.append(
        Figure(
            "approvals/s, 4 processes against 2 (PostgreSQL)",
            "2 processes",
            two.per_second,
            "4 processes",
            four.per_second,
            "approvals/s",
            "ratio>=",
            1.0,
            "Four processes on two CPUs: beyond the CPUs, more writers only take turns.",
        )
    )
    figures.append(
        Figure(
            "CPU-only route (no database), 4 processes against 2",
            "2 processes",
            cpu_only[2].per_second,
            "4 processes",
            cpu_only[4].per_second,
            "req/s",
        )
    )
    figures.append(
        Figure(
            "waiting on another case's lock, 4 processes",
            "1 process",
            alone.wait_share,
            "4 processes",
            four.wait_share,
            "of an approval",
            "value<=",
            0.05,
            "Writers on different cases wait for a row they share: see the wait events in the notes.",
        )
    )
    every = "; ".join(
        f"{processes}: {', '.join(f'{share.per_second:.0f}' for share in runs[processes])}" for processes in counts
    )
    said = "; ".join(
        f"{share.processes} process{'es' if share.processes > 1 else ''}: {share.approvals} approvals in "
        f"{share.seconds:.1f} s ({share.per_second:.1f}/s), {share.waiting} of {share.in_transaction} "
        f"in-transaction samples waiting on a lock ({share.wait_share:.1%}), the workers' Python busy "
        f"{share.cpu_share:.2f} CPUs ({share.cpu / share.approvals * 1000:.1f} ms CPU an approval)"
        + (f", on {', '.join(f'{name} ×{n}' for name, n in sorted(share.waits.items()))}" if share.waits else "")
        for share in shares
    )
    said += "; the CPU-only route (hello world through the test client, medians): " + ", ".join(
        f"{processes} process{'es' if processes > 1 else ''} {share.per_second:.0f} req/s "
        f"({share.cpu_share:.2f} CPUs busy)"
        for processes, share in cpu_only.items()
    )
    note = (
        "Writers on different cases: every approval on a case of its own, by separate processes; "
        f"pg_stat_activity sampled every {contention.EVERY * 1000:g} ms for the workers' backends "
        "(inside a transaction: active or idle in transaction; waiting: wait_event_type Lock, which "
        f"here can only be a lock another case's transaction holds). Approvals/s of each round by processes: "
        f"{every}; the median round of each: {said}."
    )
    return figures, note


@dataclass(frozen=True)
class TwoServers:
    submits: list[load.Run]
    approvals: list[load.Run]
    submitted: int
    decided: int
    lost: int
    doubled: dict[str, list]
    broken: dict[str, str]  # a moved row that is not whole, and what is wrong with it


def two_servers(database_url: str, upload_folder: Path, seconds: int, count: int) -> TwoServers:
    """Two gunicorn masters on one database, under wrk at once; then what the database holds."""
    secret = os.urandom(16).hex()  # both servers accept the same session cookie, as behind one proxy
    submit, approve = load.prepare(database_url, secret, upload_folder, count)
    halves = [(_half(submit, n), _half(approve, n)) for n in range(2)]
    runs: dict[str, list[load.Run]] = {"submit": [None, None], "approve": [None, None]}  # type: ignore[list-item]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with (
            load.serving(database_url, secret, upload_folder, folder, "server-a") as (first, _),
            load.serving(database_url, secret, upload_folder, folder, "server-b") as (second, _),
        ):
            for kind in ("submit", "approve"):

                def post(n: int, base: str, kind: str = kind) -> None:
                    posts = halves[n][0] if kind == "submit" else halves[n][1]
                    runs[kind][n] = load.post_each(base, seconds, 8, folder, f"{kind}-{n}", posts)

                together = [threading.Thread(target=post, args=(n, base)) for n, base in enumerate((first, second))]
                for thread in together:
                    thread.start()
                for thread in together:
                    thread.join()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        submitted = _count(connection, "application", "status <> 'draft'", submit.ids)
        decided = _count(connection, "task", "status <> 'claimed'", approve.ids)
        broken = missing_submits(connection, dict.fromkeys(_keys(connection, "application", submit.ids)))
        broken.update(_undecided(connection, approve.ids))
        twice = doubled(connection)
    engine.dispose()
    answered_submits = sum(run.requests - run.errors for run in runs["submit"])
    answered_approvals = sum(run.requests - run.errors for run in runs["approve"])
    lost = max(0, answered_submits - submitted) + max(0, answered_approvals - decided)
    return TwoServers(runs["submit"], runs["approve"], submitted, decided, lost, twice, broken)


def _keys(connection, table: str, ids: list[int]) -> list[str]:
    listed = ", ".join(str(int(i)) for i in ids)
    return list(
        connection.execute(
            text(f"SELECT key FROM {table} WHERE status NOT IN ('draft', 'claimed') AND id IN ({listed})")
        ).scalars()
    )


def _undecided(connection, ids: list[int]) -> dict[str, str]:
    """Tasks moved on without an audit event of their approval."""
    listed = ", ".join(str(int(i)) for i in ids)
    rows = connection.execute(
        text(
            f"SELECT t.key FROM task t WHERE t.status <> 'claimed' AND t.id IN ({listed}) AND NOT EXISTS "
            "(SELECT 1 FROM auditevent e WHERE e.task_id = t.id AND e.event = 'task.approve')"
        )
    )
    return {key: "decided without its approval event" for key in rows.scalars()}


def _half(posts: load.Posts, n: int) -> load.Posts:
    return load.Posts(posts.paths[n::2], posts.body, posts.cookie, posts.ids[n::2])


def _count(connection, table: str, condition: str, ids: list[int]) -> int:
    listed = ", ".join(str(int(i)) for i in ids)
    return connection.execute(text(f"SELECT COUNT(*) FROM {table} WHERE {condition} AND id IN ({listed})")).scalar()


def two_server_figures(result: TwoServers) -> tuple[list[Figure], str]:
    per_second = sum(run.per_second for run in result.submits)
    figures = [
        Figure(
            "two app servers: posts answered but not stored",
            "answered",
            sum(run.requests - run.errors for run in result.submits + result.approvals),
            "lost",
            result.lost + len(result.broken),
            "posts",
            "value<=",
            0,
        ),
        Figure(
            "two app servers: numbers, certificates or events twice",
            "stored",
            result.submitted + result.decided,
            "doubled",
            sum(len(rows) for rows in result.doubled.values()),
            "rows",
            "value<=",
            0,
        ),
    ]
    note = (
        "Two app servers (two gunicorn masters, 2 workers each, one PostgreSQL), wrk on each at once, each on "
        f"its own half of the rows: submits {' + '.join(f'{run.per_second:.1f}' for run in result.submits)} "
        f"= {per_second:.1f} req/s, approvals "
        f"{' + '.join(f'{run.per_second:.1f}' for run in result.approvals)} = "
        f"{sum(run.per_second for run in result.approvals):.1f} req/s (errors: "
        f"{sum(run.errors for run in result.submits + result.approvals)}); the database holds "
        f"{result.submitted:,} submitted applications and {result.decided:,} decided tasks; not whole: "
        f"{result.broken or 'none'}; doubled: {result.doubled or 'none'}."
    )
    return figures, note


def load_figures(label: str, result: load.LoadFigures) -> tuple[list[Figure], str]:
    figures = [
        Figure(
            f"citizen submit, {label}",
            "hello world",
            result.hello.per_second,
            "submit",
            result.submit.per_second,
            "req/s",
            "ratio>=",
            0.25,
            WHY_SLOW,
        ),
        Figure(
            f"clerk approve, {label}",
            "hello world",
            result.hello.per_second,
            "approve",
            result.approve.per_second,
            "req/s",
            "ratio>=",
            0.25,
            WHY_SLOW,
        ),
        Figure(
            f"floor of a submit: signed in, CSRF, form, {SUBMIT_FLOOR} statements, {label}",
            "hello world",
            result.hello.per_second,
            "floor",
            result.submit_floor.per_second,
            "req/s",
        ),
        Figure(
            f"floor of an approval: signed in, CSRF, form, {APPROVE_FLOOR} statements, {label}",
            "hello world",
            result.hello.per_second,
            "floor",
            result.approve_floor.per_second,
            "req/s",
        ),
        Figure(
            f"floor: one row written and committed, {label}",
            "hello world",
            result.hello.per_second,
            "commit",
            result.commit.per_second,
            "req/s",
        ),
    ]
    note = (
        f"{label}: wrk counted {result.submit.requests:,} submits and {result.approve.requests:,} approvals "
        f"answered (errors: {result.submit.errors}, {result.approve.errors}); the database holds "
        f"{result.submitted:,} newly submitted applications and {result.decided:,} newly decided tasks "
        "(requests still in flight when wrk stopped are finished by the server)."
    )
    return figures, note


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server URL (any database)")
    parser.add_argument("--small", type=int, default=1000, help="applications in the city the writes run on")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--approvals", type=int, default=240, help="approvals per process count in the contention run")
    parser.add_argument(
        "--parts", default="load,contention,servers", help="which of load, contention, servers to run (comma-separated)"
    )
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    before = os.getloadavg()
    city = cities.city(args.small, args.postgres)
    template = f"bench_city_{args.small}"
    figures, notes = [], []
    # Rows for 1,500 posts a second: a run that outlasts them answers 404s (counted as errors),
    # and at 300 a second a fast approval ran out before wrk stopped.
    count = 1500 * args.seconds
    scratch = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    sqlite_copy = scratch / "load.sqlite"
    shutil.copyfile(city.sqlite_url.removeprefix("sqlite:///"), sqlite_copy)
    loads = [
        ("PostgreSQL", lambda: cities.copy_database(args.postgres, template, "bench_load")),
        ("SQLite", lambda: f"sqlite:///{sqlite_copy}"),
    ]
    for label, database in loads if "load" in parts else ():
        url = database()
        print(f"gunicorn + wrk on {label}", file=sys.stderr)
        more, note = load_figures(label, load.measure(url, city.upload_folder, args.seconds, 8, count))
        figures += more
        notes.append(note)
    shutil.rmtree(scratch, ignore_errors=True)
    if "contention" in parts:
        print("writers on different cases, PostgreSQL", file=sys.stderr)
        more, note = contention_figures(
            cities.copy_database(args.postgres, template, "bench_contention"), args.approvals
        )
        figures += more
        notes.append(note)
    if "servers" in parts:
        print("two app servers, PostgreSQL", file=sys.stderr)
        more, note = two_server_figures(
            two_servers(
                cities.copy_database(args.postgres, template, "bench_two"), city.upload_folder, args.seconds, count
            )
        )
        figures += more
        notes.append(note)
    after = os.getloadavg()
    report = Report(
        command="python -m bench.writes",
        date=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        machine=[],
        conditions=[
            f"- load average (1/5/15 min) before: {' / '.join(f'{v:.1f}' for v in before)}, "
            f"after: {' / '.join(f'{v:.1f}' for v in after)}"
        ],
        figures=figures,
        notes=notes,
    )
    print(report.table())
    print()
    print(report.conditions[0])
    for line in notes:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
