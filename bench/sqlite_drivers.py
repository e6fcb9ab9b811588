"""The seed's driver choice: the same audit rows bound by the standard library's sqlite3 and by apsw.

    .venv/bin/python -m bench.sqlite_drivers [--rows 500000] [--rounds 3]

Rows shaped like the audit log's (ids, 64-character hashes, timestamps, Chinese reasons,
JSON payloads, a few NULLs) go into an in-memory table of the same column count, in one
transaction, through each driver's executemany; the best of a few rounds of each, and
their ratio. sqlite3 is the baseline: it is what the rest of the app uses.
"""

import argparse
import hashlib
import json
import random
import sqlite3
import sys
import time

import apsw

COLUMNS = 14
SQL = f"INSERT INTO event VALUES ({', '.join('?' * COLUMNS)})"
TABLE = f"CREATE TABLE event (id INTEGER PRIMARY KEY, {', '.join(f'c{n}' for n in range(1, COLUMNS))})"


def audit_like_rows(how_many: int) -> list[tuple]:
    rng = random.Random(1)
    reasons = ["材料齐全，予以受理", "申请人补正材料后重新提交", None, None]
    rows, prev = [], "0" * 64
    for n in range(1, how_many + 1):
        digest = hashlib.sha256(f"{n}".encode()).hexdigest()
        payload = json.dumps({"number": f"ZJ-20260{rng.randrange(1, 10)}15-{n:06d}", "channel": "online"})
        rows.append(
            (
                n,
                n,
                prev,
                digest,
                f"2026-0{rng.randrange(1, 10)}-15 0{rng.randrange(10)}:12:33.{n % 999999:06d}",
                rng.randrange(1, 300) if rng.random() < 0.8 else None,
                rng.choice(("citizen", "clerk", "system")),
                rng.randrange(1, 100_000),
                rng.randrange(1, 200_000) if rng.random() < 0.6 else None,
                rng.choice(("submit", "accept", "approve", "deliver")),
                "submitted",
                "accepted",
                rng.choice(reasons),
                payload,
            )
        )
        prev = digest
    return rows


def best_seconds(insert, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        insert()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rows = audit_like_rows(args.rows)

    standard = sqlite3.connect(":memory:", isolation_level=None)
    other = apsw.Connection(":memory:")

    def load(connection) -> None:
        """The same calls on either driver: both connections take execute and executemany."""
        connection.execute("DELETE FROM event")
        connection.execute("BEGIN")
        connection.executemany(SQL, rows)
        connection.execute("COMMIT")

    for connection in (standard, other):
        connection.execute(TABLE)
    baseline = best_seconds(lambda: load(standard), args.rounds)
    measured = best_seconds(lambda: load(other), args.rounds)
    for connection in (standard, other):
        assert next(iter(connection.execute("SELECT count(*) FROM event")))[0] == args.rows
    print(
        f"sqlite3 {sqlite3.sqlite_version}: {baseline / args.rows * 1e6:.2f} µs a row ({args.rows:,} rows, "
        f"best of {args.rounds})"
    )
    print(f"apsw {apsw.apsw_version()}: {measured / args.rows * 1e6:.2f} µs a row")
    print(f"ratio: apsw takes {measured / baseline:.2f} of sqlite3's time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
