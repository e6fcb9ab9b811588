"""Checks every case's audit chain and names the event that was edited, deleted, moved or inserted.

One pass reads the events in the order they were stored: within a chain that is the chain's
own order (a case's transactions queue behind its lock, so a later one stores later events),
which makes the pass a plain scan of the table whatever its size. Only a chain that fails is
read again, in position order, to say what happened to it.
"""

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Row, String, type_coerce
from sqlmodel import Session, select

from services.audit import event_digest, event_holds
from services.db import make_engine, new_session
from services.models import GENESIS, AuditChain, AuditEvent
from services.transparency.verify import LogReport, verify_log
from services.workflow.case_types import case_types

EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its stubs do not say so
OWN_CHAINS = AuditChain.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ChainReport:
    checked: int  # events
    chains: int
    problem: str | None = None  # names the chain, the position and what happened there

    @property
    def ok(self) -> bool:
        return self.problem is None


BATCH = 20_000  # events a query: a few MB of rows, few round trips
# The payload as the database keeps it: decoded here with orjson, three times faster than the column type's decoder.
_RAW_ROW = [column for column in EVENTS.c if column.name != "payload"] + [
    type_coerce(EVENTS.c.payload, String).label("payload")
]


def _decoded(stored: Any) -> Any:
    if not isinstance(stored, str):
        return stored  # PostgreSQL's driver decodes JSON itself
    try:
        return orjson.loads(stored)
    except orjson.JSONDecodeError:
        return json.loads(stored)


def _holds_read_slowly(row: Row, prev: str) -> bool:
    """The event decoded as its column type decodes it: orjson reads an integer past 64 bits as a float."""
    return isinstance(row.payload, str) and event_holds(row, prev, payload=json.loads(row.payload))


def verify_chains(*, session: Session, batch: int = BATCH) -> ChainReport:
    """Every chain links up and hashes true, and ends where its case (or chain row) says it ends."""
    tips: dict[str, tuple[int, str]] = {}  # chain -> (last position, last hash) as read so far
    checked = 0
    last_id = 0
    while True:
        # Rows, not ORM objects: the same columns, read at half the cost (a million cases hold 14 million events).
        rows = session.execute(select(*_RAW_ROW).where(EVENTS.c.id > last_id).order_by(EVENTS.c.id).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            position, prev = tips.get(row.chain, (0, GENESIS))
            holds = event_holds(row, prev, payload=_decoded(row.payload)) or _holds_read_slowly(row, prev)
            if row.position != position + 1 or row.prev_hash != prev or not holds:
                return ChainReport(checked, len(tips), diagnose_chain(session=session, chain=row.chain))
            tips[row.chain] = (row.position, row.hash)
            checked += 1
        last_id = rows[-1].id
    chains = len(tips)
    for chain, recorded in _recorded_tips(session):
        if tips.pop(chain, (0, GENESIS)) != recorded:
            return ChainReport(checked, chains, diagnose_chain(session=session, chain=chain, recorded=recorded))
    for chain in tips:
        return ChainReport(checked, chains, f"{chain}: its events belong to no case: the whole chain was inserted")
    return ChainReport(checked, chains)


def _recorded_tips(session: Session):
    """Where each chain should end: its case's row (of every kind), or its own row for a chain of no case."""
    for kind, case_type in case_types().items():
        cases_table = case_type.model.__table__  # type: ignore[attr-defined]  # SQLModel sets it
        last_id = 0
        while True:
            cases = session.execute(
                select(cases_table.c.id, cases_table.c.audit_length, cases_table.c.audit_tip)
                .where(cases_table.c.id > last_id, cases_table.c.audit_length > 0)
                .order_by(cases_table.c.id)
                .limit(20_000)
            ).all()
            if not cases:
                break
            for case in cases:
                yield f"{kind}:{case.id}", (case.audit_length, case.audit_tip)
            last_id = cases[-1].id
    for own in session.execute(select(OWN_CHAINS.c.name, OWN_CHAINS.c.length, OWN_CHAINS.c.tip)):
        yield own.name, (own.length, own.tip)


def diagnose_chain(*, session: Session, chain: str, recorded: tuple[int, str] | None = None) -> str:
    """What happened to a chain that does not hold: which event, and edited, deleted, moved or inserted."""
    events = session.execute(select(EVENTS).where(EVENTS.c.chain == chain).order_by(EVENTS.c.position)).all()
    by_hash = {event.hash: event for event in events}
    prev, expected = GENESIS, 1
    for event in events:
        if event.position != expected:
            return f"{chain}: event #{expected} is missing: it was deleted"
        if event.prev_hash != prev:
            return f"{chain}: {_broken_link(event, by_hash, expected)}"
        if event_digest(event, prev) != event.hash:
            return f"{chain}: event #{expected} was edited: its content does not match its hash"
        prev, expected = event.hash, expected + 1
    length = expected - 1
    if recorded is None:
        return f"{chain}: the chain holds, yet the scan found it broken (was it changed during the check?)"
    recorded_length, recorded_tip = recorded
    if length > recorded_length:
        return f"{chain}: event #{recorded_length + 1} was inserted after the last event its case records"
    if length < recorded_length:
        return f"{chain}: event #{length + 1} was deleted off the end (its case records {recorded_length} events)"
    if prev != recorded_tip:
        return f"{chain}: its last event #{length} was replaced: it is not the one its case records"
    return f"{chain}: the chain holds, yet the scan found it broken (was it changed during the check?)"


def _broken_link(event: Row, by_hash: dict[str, Any], position: int) -> str:
    """An event that does not point at the one before it: say why, from what it does point at."""
    if event.prev_hash == GENESIS:
        return f"event #{position} was the first of the chain: the chain was reordered"
    pointed_at = by_hash.get(event.prev_hash)
    if pointed_at is None:
        if event_digest(event, event.prev_hash) == event.hash:
            return f"event #{position - 1} was edited and its hash rewritten: #{position} no longer points at it"
        return f"the event before #{position} was deleted and the later ones renumbered"
    if pointed_at.position < position - 1:
        inserted = range(pointed_at.position + 1, position)
        names = ", ".join(f"#{number}" for number in inserted)
        return f"event {names} was inserted: #{position} points past it at #{pointed_at.position}"
    return f"event #{position} belongs after #{pointed_at.position}: the chain was reordered"


def verify_audit(*, url: str, public_keys: dict[str, bytes]) -> tuple[ChainReport, LogReport]:
    """The chains and the transparency log, checked at once: the log's half in a second process.

    Each half is one pass over the events; on a machine with two cores the whole check then takes
    about as long as its longer half.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        log = pool.submit(_verify_log_at, url, public_keys)
        engine = make_engine(url)
        try:
            with new_session(engine) as session:
                chains = verify_chains(session=session)
        finally:
            engine.dispose()
        return chains, log.result()


def _verify_log_at(url: str, public_keys: dict[str, bytes]) -> LogReport:
    engine = make_engine(url)
    try:
        with new_session(engine) as session:
            return verify_log(session=session, public_keys=public_keys)
    finally:
        engine.dispose()
