"""The transparency log at scale: sealing and `verify_log`, each against reading the events, in one run.

    .venv/bin/python -m bench.transparency [--events 280000] [--database-url URL]

Fills a fresh database (a temporary SQLite file, or the empty PostgreSQL database URL names) with
`--events` audit events in chains of 14 (what a seeded case averages), hashed as services/audit.py
hashes them and all queued for the sealer, then times, on the same data:
1. reading every event as the chain check reads them (whole rows, in id order, 20,000 a batch): the baseline;
2. `verify_chains` (the case chains, the integrator's half of `audit verify`);
3. `seal_log` over the whole backlog, in one transaction;
4. `verify_log` (the tree, its tiles and its heads);
5. `audit verify` as the command runs it: both halves at once, the log's in a second process.
Each figure is printed with its ratio to the baseline. Every step is one ordered pass over the
events (or leaves), so its time grows linearly with their number: the figures are extrapolated to
14,000,000 events, a million cases, as that. The load average before and after says whether the
machine was quiet.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from services.audit import event_digest
from services.audit_check import BATCH, verify_audit, verify_chains
from services.db import create_schema, make_engine, new_session
from services.models import GENESIS, AuditChain, AuditEvent, AuditUnsealed
from services.transparency.sealer import seal_log
from services.transparency.signing import HeadSigner
from services.transparency.verify import verify_log

CASE_EVENTS = 14
MILLION_CASES_EVENTS = 14_000_000
INSERT_BATCH = 10_000
EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]


def fill(engine: Engine, count: int) -> None:
    """`count` events in chains of CASE_EVENTS, each hashed onto the one before, all waiting to be sealed."""
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    rows, chains, prev = [], [], GENESIS
    with engine.begin() as connection:
        for number in range(count):
            chain, position = f"bench:{number // CASE_EVENTS}", number % CASE_EVENTS + 1
            if position == 1:
                prev = GENESIS
            event = SimpleNamespace(
                chain=chain,
                position=position,
                at=start + timedelta(seconds=number),
                actor_id=None,
                actor_role="system",
                application_id=None,
                task_id=None,
                event="attach",
                from_status=None,
                to_status=None,
                reason=None,
                payload={"i": number},
            )
            digest = event_digest(event, prev)  # type: ignore[arg-type]  # the same fields as a row
            rows.append({**vars(event), "id": number + 1, "prev_hash": prev, "hash": digest})
            prev = digest
            if position == CASE_EVENTS or number == count - 1:
                chains.append({"name": chain, "length": position, "tip": digest})
            if len(rows) == INSERT_BATCH or number == count - 1:
                connection.execute(insert(AuditEvent), rows)
                connection.execute(insert(AuditUnsealed), [{"event_id": row["id"]} for row in rows])
                connection.execute(insert(AuditChain), chains)
                rows, chains = [], []


def read_events(engine: Engine, batch: int = BATCH) -> int:
    """Every audit event read as `audit verify` reads them, and nothing done with them: its floor."""
    seen, last_id = 0, 0
    with new_session(engine) as session:
        while True:
            rows = session.execute(select(EVENTS).where(EVENTS.c.id > last_id).order_by(EVENTS.c.id).limit(batch)).all()
            if not rows:
                return seen
            seen += sum(1 for row in rows if row.hash)
            last_id = rows[-1].id


def timed(step):
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=280_000)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a temporary SQLite file)")
    options = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'log.db'}"
        engine = make_engine(url)
        create_schema(engine)
        print(f"{engine.dialect.name}: {options.events:,} events in chains of {CASE_EVENTS}", file=sys.stderr)
        fill(engine, options.events)
        signer = HeadSigner(Ed25519PrivateKey.generate())
        read_time, seen = timed(lambda: read_events(engine))
        assert seen == options.events
        chains_time, chains = timed(lambda: verify_chains(session=new_session(engine)))
        assert chains.ok, chains.problem
        seal_time, sealed = timed(lambda: seal_log(session=new_session(engine), signer=signer))
        assert sealed.sealed == options.events
        log_time, log = timed(
            lambda: verify_log(session=new_session(engine), public_keys={signer.key_id: signer.public_key})
        )
        assert log.ok, log.problem
        keys = {signer.key_id: signer.public_key}
        audit_time, (chains, log) = timed(lambda: verify_audit(url=url, public_keys=keys))
        assert chains.ok and log.ok, (chains.problem, log.problem)
        engine.dispose()
    load_after = os.getloadavg()
    scale = MILLION_CASES_EVENTS / options.events
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f}"
    )
    print(f"{'step':<34}{'seconds':>9}{'× reading':>11}{'at 14M events (s)':>20}")
    for name, seconds in (
        ("read the events (baseline)", read_time),
        ("verify_chains", chains_time),
        ("seal_log (whole backlog)", seal_time),
        ("verify_log", log_time),
        ("chains + log, one after the other", chains_time + log_time),
        ("audit verify (both at once)", audit_time),
    ):
        print(f"{name:<34}{seconds:>9.2f}{seconds / read_time:>11.2f}{seconds * scale:>20.0f}")
    print(f"sealed under one head: size {sealed.head.size}, root {sealed.head.root}")


if __name__ == "__main__":
    main()
