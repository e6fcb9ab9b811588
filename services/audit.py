"""Hash-chained audit events, one chain per case: every change leaves one, and editing any breaks its chain.

A case's chain is extended only by the transaction holding that case's lock, and its tip lives
on the case's own row, so writers on different cases share no row. The events one call causes
(an approval that delivers, then completes the case) are placed in the order they were caused:
the cause takes its place in the chain before its effects run, and the chain is hashed once
they are done (`caused_events`). Each stored event is also queued for the transparency log's
sealer, which makes the events of all chains leaves of one Merkle tree.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Row, bindparam, insert, inspect, update
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from services import clock
from services.db import unwritten_changes
from services.models import GENESIS, Application, AuditChain, AuditEvent, AuditUnsealed, Task, User

__all__ = [
    "GENESIS",
    "PlacedEvent",
    "caused_events",
    "digest_fields",
    "digest_text",
    "event_digest",
    "event_holds",
    "history",
    "hold_locked_tip",
    "hold_moved_tip",
    "record_event",
]


def _utc(moment: datetime) -> datetime:
    # Databases hand times back in UTC, with or without the zone; the hash must not care.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(slots=True)
class PlacedEvent:
    """An event placed in its chain by this transaction: the columns it is stored with, its id once stored.

    Not an `AuditEvent`: it is inserted by one Core statement with the others, never through the
    session, and a plain object costs a tenth of a model's construction on the write path.
    """

    chain: str
    position: int
    at: datetime
    actor_id: int | None
    actor_role: str
    application_id: int | None
    task_id: int | None
    event: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""
    id: int | None = None


def digest_fields(event: AuditEvent | PlacedEvent | Row) -> dict[str, Any]:
    """What an event's hash covers, by the names the hash knows them by (its moment as UTC ISO text).

    The event as an object, or as a row of its table (verification reads rows: they cost half as much).
    """
    return {
        "chain": event.chain,
        "position": event.position,
        "at": _utc(event.at).isoformat(),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "application_id": event.application_id,
        "task_id": event.task_id,
        "event": event.event,
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "payload": event.payload,
    }


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest_text(fields: dict[str, Any], prev_hash: Any) -> str:
    """The text an event's hash is taken of: its fields and the previous event's hash, as canonical JSON.

    The seed's fast path renders it once per template event and fills in what each clone changes.
    """
    return canonical_json({**fields, "prev": prev_hash})


def event_digest(event: AuditEvent | PlacedEvent | Row, prev_hash: str) -> str:
    return hashlib.sha256(digest_text(digest_fields(event), prev_hash).encode("utf-8")).hexdigest()


_ITS_OWN: Any = object()  # event_holds reads the payload off the event


def event_holds(event: AuditEvent | Row, prev_hash: str, payload: Any = _ITS_OWN) -> bool:
    """Whether the event's stored hash is the digest of what it holds, after `prev_hash`.

    `audit verify` asks this of every event in the city, so it encodes with orjson first, several
    times faster: a text that hashes to the stored hash can only be the text that was hashed, so a
    match settles it. Where orjson writes a value otherwise than the canonical form (a float in
    exponent form, say), the canonical encoder decides. `payload`, when given, is the event's payload
    as the caller decoded it.
    """
    fields = digest_fields(event)
    fields["prev"] = prev_hash
    if payload is not _ITS_OWN:
        fields["payload"] = payload
    try:
        if hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest() == event.hash:
            return True
    except TypeError:  # a value orjson does not take: the canonical encoder does
        pass
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest() == event.hash


@dataclass
class _Tip:
    """Where a chain stands in this transaction: its case row, or its own `AuditChain` row."""

    holder: Any  # a case's row (any kind), or an AuditChain
    length: int  # positions handed out so far, hashed or not
    hash: str  # the hash of the last event hashed


@dataclass
class _Placed:
    entry: PlacedEvent  # its position is given when it is stored, after its chain's tip is known
    payload: dict[str, Any]  # the cause's effects may still add to it until the chain is hashed
    case: Any  # its case's row, any kind; None for a chain of no case


@dataclass
class _Pending:
    """The audit events of one transaction that are placed but not yet hashed and stored."""

    transaction: SessionTransaction
    tips: dict[str, _Tip] = field(default_factory=dict)
    placed: list[_Placed] = field(default_factory=list)
    causes_open: int = 0
    # Every event of one transaction bears the same moment: a timeline groups them as one click.
    moment: datetime | None = None


def _pending(session: Session) -> _Pending:
    transaction = session.get_transaction()
    if transaction is None:
        transaction = session.begin()
    pending = session.info.get("audit_pending")
    if pending is None or pending.transaction is not transaction:
        # A new transaction: what an earlier one placed was stored or rolled back with it.
        pending = session.info["audit_pending"] = _Pending(transaction)
    return pending


def _tip(session: Session, pending: _Pending, chain: str, case: Any) -> _Tip:
    tip = pending.tips.get(chain)
    if tip is None:
        tip = _claim_case_chain(session, case) if case is not None else _claim_own_chain(session, chain)
        pending.tips[chain] = tip
    return tip


# Each claim locks before it reads (an UPDATE takes the row lock on PostgreSQL, the write lock on
# SQLite), so two transactions never extend the same tip. A writer that took the case's lock
# already (every clerk's change does) waits for nothing here.


# The chain's statements are built once, on the tables (Core), with their values bound at each
# execution: building a statement costs more CPU than running it.


@cache
def _claim_statement(table):
    return (
        update(table)
        .where(table.c.id == bindparam("case_id"))
        .values(audit_length=table.c.audit_length)
        .returning(table.c.audit_length, table.c.audit_tip)
    )


@cache
def _move_tip_statement(table, changed: frozenset[str]):
    """Move a case's tip, writing the `changed` columns of its row too."""
    return (
        update(table)
        .where(table.c.id == bindparam("case_id"))
        .values(
            {
                **{name: bindparam(f"new_{name}") for name in sorted(changed)},
                "audit_length": bindparam("length"),
                "audit_tip": bindparam("tip"),
            }
        )
    )


def hold_locked_tip(session: Session, case: Any) -> None:
    """The case was just locked and read afresh: on PostgreSQL its tip stands as read, with no claim to run.

    FOR UPDATE hands back the latest committed version of the row it locks, and no one else can
    extend the chain until this transaction ends. Not on SQLite: the driver begins the transaction
    at its first write, so a lock's read runs before it and the tip may move in between; there the
    claim, after the first write, reads it.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    _pending(session).tips.setdefault(case.chain, _Tip(case, case.audit_length, case.audit_tip))


def hold_moved_tip(session: Session, case: Any, length: int, tip: str) -> None:
    """The case's row was just written (a compare-and-set that returned its tip): the tip stands as returned.

    The write holds the row until the transaction ends, on PostgreSQL its row lock, on SQLite the
    database's; what an UPDATE returns is the row as it wrote it, however stale the reads before it.
    Events placed before it (a submit's shares) are stored after it, so they need no claim either.
    """
    _pending(session).tips.setdefault(case.chain, _Tip(case, length, tip))


def _claim_case_chain(session: Session, case: Any) -> _Tip:
    table = type(case).__table__  # type: ignore[attr-defined]  # SQLModel sets it; its stubs do not say so
    length, tip = session.execute(_claim_statement(table), {"case_id": case.id}).one()
    return _Tip(case, length, tip)


def _claim_own_chain(session: Session, chain: str) -> _Tip:
    session.execute(update(AuditChain).where(col(AuditChain.name) == chain).values(length=AuditChain.length))
    row = session.get(AuditChain, chain, populate_existing=True)
    if row is None:
        row = AuditChain(name=chain)
        session.add(row)
    return _Tip(row, row.length, row.tip)


def record_event(
    session: Session,
    *,
    actor: User | None,
    event: str,
    case: Any = None,
    task: Task | None = None,
    chain: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> PlacedEvent:
    """Place one event at the end of its chain inside the caller's transaction.

    The chain is the case's (of any kind), or `chain` for changes that belong to no case. Inside
    `caused_events` the event is hashed and stored when the outermost cause ends (its payload
    may still grow until then); outside, at once. Its position is given when it is stored.
    """
    if case is not None:
        chain = case.chain
    if chain is None:
        raise ValueError("an audit event belongs to a case or names its chain")
    pending = _pending(session)
    if pending.moment is None:
        pending.moment = clock.now()
    entry = PlacedEvent(
        chain=chain,
        position=0,
        at=pending.moment,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        # The column joins an application's events to it; other kinds' events are found by their chain.
        application_id=case.id if isinstance(case, Application) else None,
        task_id=task.id if task else None,
        event=event,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
    pending.placed.append(_Placed(entry, payload if payload is not None else {}, case))
    if not pending.causes_open:
        _store(session, pending)
    return entry


@contextmanager
def caused_events(session: Session) -> Iterator[None]:
    """Events recorded inside are stored together when the outermost block ends, in the order placed.

    A cause records its event first and then runs its effects, which record theirs: the chain
    reads cause, then effect, whatever order the effects finish in.
    """
    pending = _pending(session)
    pending.causes_open += 1
    try:
        yield
    except BaseException:
        if pending.causes_open == 1:
            # The cause failed: nothing it placed is stored, and the chains restart from what is.
            pending.placed.clear()
            pending.tips.clear()
        raise
    finally:
        pending.causes_open -= 1
    if not pending.causes_open and pending.placed:
        _store(session, pending)


_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its stubs do not say so
_STORED = [column.name for column in _EVENTS.columns if column.name != "id"]
# Core, one statement for them all: the ORM would send one INSERT an event and build each twice.
_INSERT_EVENTS = insert(_EVENTS).returning(_EVENTS.c.id, _EVENTS.c.chain, _EVENTS.c.position)
_QUEUE_EVENTS = insert(AuditUnsealed.__table__)  # type: ignore[attr-defined]


def _store(session: Session, pending: _Pending) -> None:
    """Hash the placed events in chain order, insert them in one statement, queue them, move the tips."""
    placed, pending.placed = pending.placed, []
    for item in placed:
        # Claimed only now: a chain whose case this transaction locked or wrote already needs no claim.
        tip = _tip(session, pending, item.entry.chain, item.case)
        tip.length += 1
        item.entry.position = tip.length
        item.entry.payload = dict(item.payload)
        item.entry.prev_hash = tip.hash
        item.entry.hash = tip.hash = event_digest(item.entry, tip.hash)
    rows = [{name: getattr(item.entry, name) for name in _STORED} for item in placed]
    # On the connection, not the session: the session is not flushed first, so what a case's row
    # holds unwritten (a submission's number, a completion's closing time) rides along with its
    # tip's UPDATE below instead of taking an UPDATE of its own. Everything an event points at is
    # stored already (new rows are flushed when added).
    connection = session.connection()
    # Matched back by place, not by order: a database may return a multi-row INSERT's rows in any order.
    inserted = connection.execute(_INSERT_EVENTS, rows)
    ids = {(chain, position): event_id for event_id, chain, position in inserted}
    for item in placed:
        item.entry.id = ids[item.entry.chain, item.entry.position]
    for tip in pending.tips.values():
        if isinstance(tip.holder, AuditChain):
            tip.holder.length, tip.holder.tip = tip.length, tip.hash
            session.add(tip.holder)
            continue
        persistent = inspect(tip.holder).persistent
        changed = unwritten_changes(tip.holder) if persistent else {}
        for name in ("audit_length", "audit_tip"):
            changed.pop(name, None)
        connection.execute(
            _move_tip_statement(type(tip.holder).__table__, frozenset(changed)),  # type: ignore[attr-defined]
            {
                **{f"new_{name}": value for name, value in changed.items()},
                "case_id": tip.holder.id,
                "length": tip.length,
                "tip": tip.hash,
            },
        )
        if persistent:
            for name, value in changed.items():
                set_committed_value(tip.holder, name, value)
            set_committed_value(tip.holder, "audit_length", tip.length)
            set_committed_value(tip.holder, "audit_tip", tip.hash)
    connection.execute(_QUEUE_EVENTS, [{"event_id": item.entry.id} for item in placed])


def history(*, session: Session, case: Any) -> list[AuditEvent]:
    """The case's events (any kind) in the order they happened, causes before their effects."""
    return list(
        session.exec(
            select(AuditEvent).where(col(AuditEvent.chain) == case.chain).order_by(col(AuditEvent.position))
        ).all()
    )
