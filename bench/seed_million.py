"""A million applications through the seed's fast path, next to the storage ceiling.

    .venv/bin/python -m bench.seed_million [--applications 1000000] [--own-rows] [--verify]

Seeds a temporary SQLite file (the demo accounts and a few hundred cases through the
services, the rest cloned by batched inserts), then inserts the same number of bare rows
into tables with the same column counts, with the same driver (apsw: seeding/driver.py)
and the same batches: the fastest this storage could take rows that many. Prints both, as
rows/s and as a ratio.
Bare rows are small; with --own-rows it also stores the seed's own rows once more, read
back from the seeded file into a fresh schema with the same batches and the same index
handling as the fast path (seeding/writer.py): what rows of these sizes cost to
store, before any of them is made.
"""

import argparse
import math
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import apsw
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import SQLModel

from bench.machine import describe
from bench.transparency import read_events, timed
from seeding import SeedOptions, seed_city
from seeding.bulk import BATCH_APPLICATIONS
from seeding.driver import ApswRows
from seeding.rows import ORDER
from seeding.writer import bulk_loading, seeding_apsw
from services.audit_check import verify_audit, verify_chains
from services.catalog import default_catalog
from services.db import create_schema, make_engine, new_session
from services.transparency.sealer import seal_log
from services.transparency.signing import HeadSigner

AS_OF = date(2026, 11, 22)
TARGET_SECONDS = 120


def progress(phase: str, done: int, total: int) -> None:
    print(f"\r  {phase}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)


def storage(path: Path, *, schema: bool) -> ApswRows:
    """A connection to a new SQLite file through the fast path's driver, with its settings.

    The app's engine opens the file first, so it has the app's settings (WAL) as the seeded file has them,
    and the app's tables if `schema`.
    """
    engine = make_engine(f"sqlite:///{path}")
    if schema:
        create_schema(engine)
    else:
        with engine.connect():
            pass
    engine.dispose()
    return seeding_apsw(str(path))


def bare_insert_seconds(folder: Path, rows: dict[str, int], batches: int) -> float:
    """Insert `rows[table]` rows of zeros into a table with as many columns, in `batches` transactions."""
    db = storage(folder / "bare.db", schema=False)
    columns = {table.name: len(table.columns) for table in SQLModel.metadata.sorted_tables}
    statements = {}
    for name in rows:
        width = columns[name]
        db.execute(f"CREATE TABLE bare_{name} ({', '.join(f'c{i} INTEGER' for i in range(width))})")
        statements[name] = (f"INSERT INTO bare_{name} VALUES ({', '.join('?' * width)})", (0,) * width)
    started = time.perf_counter()
    for batch in range(batches):
        db.begin()
        for name, total in rows.items():
            share = total // batches + (1 if batch < total % batches else 0)
            sql, values = statements[name]
            if share:
                db.executemany(sql, [values] * share)
        db.commit()
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def own_rows_seconds(folder: Path, seeded: Path, batch: int) -> tuple[int, float, float]:
    """Store every row of the loaded tables of `seeded` again, `batch` rows a transaction.

    Returns the rows, the seconds their inserts took and the seconds their indexes took to build
    (reading the rows back is not timed).
    """
    db = storage(folder / "again.db", schema=True)
    source = sqlite3.connect(seeded)
    rows = inserting = 0
    with bulk_loading(db):
        for name in ORDER:
            cursor = source.execute(f"SELECT * FROM {name}")
            sql = f"INSERT INTO {name} VALUES ({', '.join('?' * len(cursor.description))})"
            while chunk := cursor.fetchmany(batch):
                started = time.perf_counter()
                db.begin()
                db.executemany(sql, chunk)
                db.commit()
                inserting += time.perf_counter() - started
                rows += len(chunk)
        started = time.perf_counter()
    indexing = time.perf_counter() - started  # the indexes, made again on the way out
    source.close()
    db.close()
    return rows, inserting, indexing


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument(
        "--own-rows",
        action="store_true",
        help="also store the seeded rows once more: the ceiling for rows of these sizes",
    )
    parser.add_argument(
        "--slow-cases", type=int, help="how many go through the services, the rest cloned (default: the seed's own)"
    )
    parser.add_argument("--verify", action="store_true", help="walk the whole audit chain afterwards (slow)")
    parser.add_argument("--write", type=Path, help="also write the figures, with the machine, to this Markdown file")
    args = parser.parse_args(argv)
    started_at, load_before = datetime.now(UTC), os.getloadavg()
    lines = []

    def say(line: str) -> None:
        print(line)
        lines.append(line)

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        engine = make_engine(f"sqlite:///{folder / 'seed.db'}")
        create_schema(engine)
        report = seed_city(
            engine=engine,
            catalog=default_catalog(),
            upload_folder=folder / "uploads",
            options=SeedOptions(applications=args.applications, slow_cases=args.slow_cases, seed=1, as_of=AS_OF),
            progress=progress,
        )
        print(file=sys.stderr)
        fast_rows = sum(report.bulk_rows.values())
        batches = max(1, math.ceil(report.bulk_cases / BATCH_APPLICATIONS))
        ceiling = bare_insert_seconds(folder, report.bulk_rows, batches)
        slow_seconds = report.seconds - report.bulk_seconds - report.rollup_seconds
        say(
            f"seeded {report.rows['application']:,} applications, {sum(report.rows.values()):,} rows "
            f"in {report.seconds:.1f} s: {report.slow_cases:,} cases through the services in {slow_seconds:.1f} s, "
            f"{report.bulk_cases:,} cloned in {report.bulk_seconds:.1f} s, "
            f"the metrics rollup counted in {report.rollup_seconds:.1f} s"
        )
        say(
            f"fast path:  {fast_rows:,} rows in {report.bulk_seconds:.1f} s = "
            f"{fast_rows / report.bulk_seconds:,.0f} rows/s"
        )
        say(
            f"bare rows:  {fast_rows:,} rows (same column counts, driver and batches) in {ceiling:.1f} s = "
            f"{fast_rows / ceiling:,.0f} rows/s"
        )
        say(f"ratio:      the fast path takes {report.bulk_seconds / ceiling:.1f} x the storage ceiling")
        if args.own_rows:
            rows, inserting, indexing = own_rows_seconds(folder, folder / "seed.db", math.ceil(fast_rows / batches))
            again = inserting + indexing
            say(
                f"own rows:   {rows:,} rows (every row of those tables, read back) stored again in {again:.1f} s "
                f"({inserting:.1f} s inserts = {rows / inserting:,.0f} rows/s, {indexing:.1f} s indexes); "
                f"the fast path takes {report.bulk_seconds / again:.1f} x that"
            )
            floor = again + slow_seconds + report.rollup_seconds
            say(
                f"floor:      storing those rows ({again:.1f} s) + the slow path they are cloned from "
                f"({slow_seconds:.1f} s) + the rollup ({report.rollup_seconds:.1f} s) = {floor:.1f} s before a "
                f"single clone is made; the whole seed took {report.seconds / floor:.2f} x that"
            )
        verdict = "met" if report.seconds <= TARGET_SECONDS else f"missed by {report.seconds - TARGET_SECONDS:.0f} s"
        say(f"target:     {TARGET_SECONDS} s for the whole seed of {args.applications:,}: {verdict}")
        if args.verify:
            reading, events = timed(lambda: read_events(engine))
            with new_session(engine) as session:
                started = time.perf_counter()
                chain = verify_chains(session=session)
                checking = time.perf_counter() - started
            say(
                f"audit chains {'ok' if chain.ok else 'BROKEN: ' + str(chain.problem)}: "
                f"{chain.checked:,} events in {chain.chains:,} chains in {checking:.1f} s; reading those "
                f"{events:,} events alone (same query, driver and batches) takes {reading:.1f} s: "
                f"{checking / reading:.2f} x"
            )
            signer = HeadSigner(Ed25519PrivateKey.generate())
            started = time.perf_counter()
            with new_session(engine) as session:
                sealed = seal_log(session=session, signer=signer)
            sealing = time.perf_counter() - started
            say(f"sealed:     {sealed.sealed:,} events into the transparency log in {sealing:.1f} s")
            url = engine.url.render_as_string(hide_password=False)
            started = time.perf_counter()
            chains, log = verify_audit(url=url, public_keys={signer.key_id: signer.public_key})
            whole = time.perf_counter() - started
            say(
                f"audit verify (chains and log at once): {'ok' if chains.ok and log.ok else 'BROKEN'} in "
                f"{whole:.1f} s = {whole / reading:.2f} x reading the events (target 2 x)"
            )
        engine.dispose()
    if args.write:
        _write(args.write, argv if argv is not None else sys.argv[1:], started_at, load_before, lines)
    return 0


def _write(path: Path, argv: list[str], started_at: datetime, load_before, lines: list[str]) -> None:
    machine = describe(None)
    load_after = os.getloadavg()
    path.write_text(
        "\n".join(
            [
                "# Seeding a million applications",
                "",
                f"Reproduce: `.venv/bin/python -m bench.seed_million {' '.join(argv)}`",
                "",
                f"Measured {started_at:%Y-%m-%d %H:%M} UTC on:",
                "",
                *[line for line in machine.lines() if not line.startswith("- load generator")],
                f"- apsw {apsw.apsw_version()} with its own SQLite {apsw.sqlite_lib_version()} "
                "(the fast path's driver)",
                f"- load average (1/5/15 min) before: {' / '.join(f'{v:.1f}' for v in load_before)}, "
                f"after: {' / '.join(f'{v:.1f}' for v in load_after)} "
                "— other work on this machine during the run shows here",
                "",
                "```",
                *lines,
                "```",
                "",
            ]
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
