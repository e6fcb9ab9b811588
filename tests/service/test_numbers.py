"""Numbers from blocks: unique across engines, threads and processes; 1, 2, 3… for a fresh database; no shared row held.

Each engine stands for a process (a gunicorn worker, another app server): it keeps its own
blocks. Waits are bounded: a claimer that hangs fails the test instead of the suite.
"""

import multiprocessing
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlmodel import select

from services.db import make_engine, new_session
from services.models import Application, Counter
from services.workflow.numbers import BLOCK, claim_one_at_a_time, forget_number_blocks, next_number
from tests.sample import submitted

NAME = "number-20261102"
WAIT_SECONDS = 120


def _take(engine, name: str = NAME, block: int = BLOCK) -> int:
    """One number in a transaction of its own, as a submit takes it."""
    with new_session(engine) as session:
        value = next_number(session, name, block=block)
        session.commit()
    return value


def _counter(engine, name: str = NAME) -> int:
    with new_session(engine) as session:
        return session.exec(select(Counter.value).where(Counter.name == name)).one()


def test_numbers_of_a_fresh_database_start_at_one_in_one_process(engine):
    assert [_take(engine) for _ in range(BLOCK + 3)] == list(range(1, BLOCK + 4))
    assert _counter(engine) == 2 * BLOCK  # the second block is claimed, its values held in memory


def test_numbers_of_two_processes_never_collide(database_url):
    first, second = make_engine(database_url), make_engine(database_url)
    try:
        taken = {first: [], second: []}
        for turn in range(3 * BLOCK):
            engine = first if turn % 3 else second
            taken[engine].append(_take(engine))
    finally:
        first.dispose()
        second.dispose()
    values = taken[first] + taken[second]
    assert len(set(values)) == len(values)
    assert all(earlier < later for own in taken.values() for earlier, later in zip(own, own[1:], strict=False))
    assert max(values) <= _counter_at(database_url)


def _counter_at(url: str) -> int:
    engine = make_engine(url)
    try:
        return _counter(engine)
    finally:
        engine.dispose()


def test_numbers_stay_unique_under_concurrent_claimers(database_url):
    """Four "processes" of two threads each, crossing block boundaries many times (small blocks)."""
    engines = [make_engine(database_url) for _ in range(4)]

    def worker(engine) -> list[int]:
        return [_take(engine, block=3) for _ in range(20)]

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(worker, engine) for engine in engines for _ in range(2)]
            values = [value for future in futures for value in future.result(timeout=WAIT_SECONDS)]
    finally:
        for engine in engines:
            engine.dispose()
    assert len(values) == 160 and len(set(values)) == 160


def test_numbers_taken_by_a_rolled_back_transaction_are_not_handed_out_twice(database_url):
    first, second = make_engine(database_url), make_engine(database_url)
    try:
        with new_session(first) as session:
            lost = next_number(session, NAME)
            session.rollback()
        later = [_take(second), _take(first), _take(second), _take(first)]
    finally:
        first.dispose()
        second.dispose()
    assert lost == 1  # never stored: SQLite may hand it out again, since its claim rolled back too
    assert len(set(later)) == len(later)


def test_numbers_start_again_after_the_database_is_rebuilt_under_the_same_engine(engine):
    assert _take(engine) == 1
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM counter"))
    forget_number_blocks(engine)
    assert _take(engine) == 1


def _take_in_child(engine, queue) -> None:
    engine.dispose(close=False)  # the parent's connections stay the parent's
    queue.put(_take(engine))


def test_numbers_of_a_forked_worker_are_its_own(engine):
    """gunicorn preloads the app and forks: a worker must not hand out its parent's block."""
    assert _take(engine) == 1
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_take_in_child, args=(engine, queue))
    child.start()
    in_child = queue.get(timeout=WAIT_SECONDS)
    child.join(WAIT_SECONDS)
    assert child.exitcode == 0
    assert in_child == BLOCK + 1 and _take(engine) == 2


def test_numbers_two_cases_never_wait_on_each_other_through_a_counter(database_url, catalog, store):
    """Two transactions on different cases, both open, each taking public and certificate numbers."""
    setup = make_engine(database_url)
    if setup.dialect.name != "postgresql":
        setup.dispose()
        pytest.skip("SQLite has one writer for the whole file: transactions queue on the file, not on a row")
    with new_session(setup) as session:
        ids = [submitted(session, catalog, store, "330100-TRANSPORT-003")[1].id for _ in range(2)]
    # A wait on any lock fails at once instead of queueing.
    engines = [make_engine(database_url, connect_args={"options": "-c lock_timeout=1000"}) for _ in range(2)]
    sessions = [new_session(engine) for engine in engines]
    try:
        public, certificates = [], []
        for _ in range(3):  # block=1: every number is a claim, the busiest a counter can be
            for session, case in zip(sessions, ids, strict=True):
                session.execute(update(Application).where(Application.id == case).values(version=Application.version))
                public.append(next_number(session, NAME, block=1))
                certificates.append(next_number(session, "certificate-TRANSPORT-2026", block=1))
        # Both transactions are still open: no counter row is locked by either.
        with setup.connect() as outsider:
            locked = outsider.execute(text("SELECT name FROM counter FOR UPDATE NOWAIT")).scalars().all()
            assert set(locked) >= {NAME, "certificate-TRANSPORT-2026"}
            outsider.rollback()
        for session in sessions:
            session.commit()
    finally:
        for session in sessions:
            session.close()
        for engine in [setup, *engines]:
            engine.dispose()
    assert sorted(public) == sorted(certificates) == list(range(1, 7))


def test_numbers_of_a_database_emptied_under_running_processes_start_again(database_url):
    """Test mode: /_test/reset deletes every row while each gunicorn worker keeps its engine."""
    first, second = make_engine(database_url), make_engine(database_url)
    for engine in (first, second):
        claim_one_at_a_time(engine)
    try:
        assert [_take(first), _take(second), _take(first)] == [1, 2, 3]
        with first.begin() as connection:
            connection.execute(text("DELETE FROM counter"))
        assert [_take(second), _take(first)] == [1, 2]
    finally:
        first.dispose()
        second.dispose()


def test_numbers_start_again_when_a_fresh_copy_is_put_under_a_disposed_engine(tmp_path, migrated_template):
    """The journeys keep one engine and copy an empty database over the last one's, disposing it first."""
    if not isinstance(migrated_template, Path):
        pytest.skip("a file copied under the engine is a SQLite matter")
    database = tmp_path / "journey.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        for _ in range(2):
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(migrated_template, database)
            assert [_take(engine), _take(engine)] == [1, 2]
    finally:
        engine.dispose()
