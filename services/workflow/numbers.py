"""Public, certificate and ID serial numbers handed out from blocks, so no user's transaction holds a shared counter.

A process claims a block of values for a counter name (the counter row moves by the block's
size in one statement) and hands them out from memory. On PostgreSQL the claim commits at once
on a connection of its own: the user's transaction never touches the counter row, and writers
on different cases never queue on it. SQLite has one writer for the whole file, which the user's
transaction already holds, so a second connection would wait on it for ever: there the claim
runs inside the user's transaction, and its block stays with that session until the commit (a
rollback takes the claim back, and the block with it, so no value is handed out twice).

Values are unique across processes and servers, increasing within a process, and a fresh
database hands out 1, 2, 3… to a single process. Values a process claimed and never used are
lost when it stops, and a value taken by a transaction that rolled back is not handed out
again: numbers have gaps, never duplicates.
"""

import os
import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.models import Counter

BLOCK = 50  # a claim per 50 submits (or certificates) of a process: rare enough to cost nothing

_PENDING = "number_blocks_pending"  # Session.info key: SQLite blocks claimed by the open transaction


@dataclass
class _Block:
    next: int
    last: int

    def take(self) -> int | None:
        if self.next > self.last:
            return None
        value = self.next
        self.next += 1
        return value


# Per engine (each is one database: tests and journeys give each database its own engine), per counter name.
_blocks: "weakref.WeakKeyDictionary[Engine, dict[str, _Block]]" = weakref.WeakKeyDictionary()
_claimers: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()
_one_at_a_time: "weakref.WeakSet[Engine]" = weakref.WeakSet()
_lock = threading.Lock()


def next_number(session: Session, name: str, block: int = BLOCK) -> int:
    """The next value of a named counter, from this process's block (claiming one when it is used up)."""
    engine = _engine_of(session)
    if engine in _one_at_a_time:
        block = 1
    pending: dict[str, _Block] = session.info.get(_PENDING, {})
    value = pending[name].take() if name in pending else None
    if value is not None:
        return value
    with _lock:
        held = _blocks.setdefault(engine, {}).get(name)
        value = held.take() if held else None
    if value is not None:
        return value
    if engine.dialect.name == "sqlite":
        claimed = _claim(session.connection(), name, block)
        session.info.setdefault(_PENDING, {})[name] = claimed
    else:
        with _claimer(engine).begin() as connection:
            claimed = _claim(connection, name, block)
        with _lock:
            _blocks.setdefault(engine, {})[name] = claimed
    value = claimed.take()
    assert value is not None  # a fresh block holds at least one value
    return value


def claim_one_at_a_time(engine: Engine) -> None:
    """Claim every value alone on this database: its rows may be deleted under running processes.

    Test mode's reset empties the database for the next journey while every gunicorn worker
    keeps its engine: a block another worker still held would hand out values the emptied
    counter gives again. One value per claim keeps numbers unique there, and 1, 2, 3….
    """
    _one_at_a_time.add(engine)


def forget_number_blocks(engine: Engine) -> None:
    """Drop the blocks held for a database that was emptied and rebuilt under the same engine."""
    with _lock:
        _blocks.pop(engine, None)


def _claimer(engine: Engine) -> Engine:
    """An engine outside `engine`'s pool: every pooled connection may be held by a request waiting for this claim."""
    with _lock:
        claimer = _claimers.get(engine)
        if claimer is None:
            claimer = _claimers[engine] = create_engine(engine.url, poolclass=NullPool)  # a connection per claim
    return claimer


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _claim(connection: Connection, name: str, size: int) -> _Block:
    """Move the counter by `size` in one statement (creating it on first use) and return the values it passed."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = Counter.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its stubs do not say so
    statement = (
        insert(table)
        .values(name=name, value=size)
        .on_conflict_do_update(index_elements=[table.c.name], set_={"value": table.c.value + size})
        .returning(table.c.value)
    )
    last = connection.execute(statement).scalar_one()
    return _Block(next=last - size + 1, last=last)


@event.listens_for(Session, "after_commit")
def _keep_committed_blocks(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        engine = _engine_of(session)
        with _lock:
            _blocks.setdefault(engine, {}).update(pending)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back_blocks(session: Session, _previous_transaction) -> None:
    # The claim went back with the transaction (a savepoint's too): its block may be claimed again.
    session.info.pop(_PENDING, None)


@event.listens_for(Engine, "engine_disposed")
def _forget_blocks_of_disposed(engine: Engine) -> None:
    # Whoever disposes an engine may put another database under it (the journeys copy a fresh
    # file over the last one's): forgetting costs a gap at most, keeping could hand values out twice.
    forget_number_blocks(engine)


def _forget_all_blocks() -> None:
    # A forked worker (gunicorn preloads the app) must not hand out the parent's values too.
    _blocks.clear()


os.register_at_fork(after_in_child=_forget_all_blocks)
