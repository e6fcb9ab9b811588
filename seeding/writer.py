"""Where the fast path's rows go: batches, one transaction each, in a process of their own for big loads.

Making a clone's values (Faker people, keys, moved moments) and storing rows (rendering
them from those values, the audit chain, the database's own work) each keep a CPU busy,
so from SEPARATE_PROCESS_FROM clones on a second process with its own connection (apsw on
a SQLite file: driver.py) does the storing and the two overlap; only each clone's varying
values cross the pipe. On SQLite, the named indexes of the loaded tables are dropped first
and made again at the end from their own CREATE statements (the schema ends exactly as the
migrations left it): building an index once over sorted keys is cheaper than growing it a
row at a time.
"""

import multiprocessing
import traceback
from collections import Counter
from contextlib import contextmanager, suppress

from sqlalchemy.engine import Connection, make_url

from seeding.driver import AlchemyRows, ApswRows, is_sqlite_file
from seeding.render import Renderer, Shape
from seeding.rows import MODELS, ORDER, TableWriter
from services.db import make_engine

# Durability traded for speed while seeding a SQLite file; the page cache is 200 MB (negative: KiB).
SEEDING_PRAGMAS = {"synchronous": "OFF", "cache_size": -200_000}
SEPARATE_PROCESS_FROM = 20_000  # clones; below that, starting a process costs more than it saves
Clones = list[tuple[int, list]] | tuple  # per clone: its shape's number and its varying values (render.py)


@contextmanager
def seeding_pragmas(connection: Connection):
    """Trade durability for speed while seeding a SQLite file, and put the settings back after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    saved = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in SEEDING_PRAGMAS}
    for name, value in SEEDING_PRAGMAS.items():
        connection.exec_driver_sql(f"PRAGMA {name}={value}")
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        for name, value in saved.items():
            connection.exec_driver_sql(f"PRAGMA {name}={int(value)}")
        connection.commit()


def seeding_apsw(path: str) -> ApswRows:
    """An apsw connection to a SQLite file with the settings of seeding_pragmas (they end with it)."""
    db = ApswRows(path)
    for name, value in SEEDING_PRAGMAS.items():
        db.execute(f"PRAGMA {name}={value}")
    return db


@contextmanager
def bulk_loading(db):
    """On SQLite: no foreign key lookups and no named indexes on the loaded tables until the load is over.

    `db` is a driver.AlchemyRows or driver.ApswRows.
    """
    if db.dialect.name != "sqlite":
        yield
        return
    db.commit()
    db.execute("PRAGMA foreign_keys=OFF")
    tables = [MODELS[name].__table__.name for name in ORDER]
    indexes = db.query(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(tables))}) ORDER BY rowid",
        tuple(tables),
    )
    db.begin()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    db.commit()
    try:
        yield
    finally:
        db.rollback()
        db.begin()
        for _, sql in indexes:
            db.execute(sql)
        db.commit()
        db.execute("PRAGMA foreign_keys=ON")


class Sink:
    """Stores batches through `db`, each in one transaction: rows, and clones rendered with their chains."""

    def __init__(self, db, shapes: list[Shape]):
        self.db = db
        self.writers = {name: TableWriter(name, db.dialect) for name in ORDER}
        self.renderer = Renderer(db, shapes)
        self.written: Counter[str] = Counter()

    def write(self, rows: dict[str, list[tuple]], clones: Clones = ()) -> None:
        rows = {name: list(rows.get(name, ())) for name in ORDER}
        for shape, varying in clones:
            self.renderer.render(shape, varying, rows)
        self.db.begin()
        for name in ORDER:
            if rows[name]:
                self.db.executemany(self.writers[name].sql, rows[name])
                self.written[name] += len(rows[name])
        self.db.commit()

    def close(self) -> dict[str, int]:
        return dict(self.written)


class ProcessSink:
    """A Sink in another process, fed through a pipe; `close` waits for it and names its failure if it failed."""

    def __init__(self, url: str, shapes: list[Shape]):
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of this one's connections
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(url, shapes, theirs), name="seed-writer", daemon=True)
        self.process.start()
        theirs.close()

    def write(self, rows: dict[str, list[tuple]], clones: Clones = ()) -> None:
        try:
            self.pipe.send((rows, clones))
        except OSError:  # it stopped reading: it failed
            self._failed()

    def close(self) -> dict[str, int]:
        try:
            self.pipe.send(None)
            outcome, detail = self.pipe.recv()
        except (OSError, EOFError):
            self._failed()
        self.process.join()
        if outcome != "done":
            raise RuntimeError(f"the seed's writer process failed:\n{detail}")
        return detail

    def _failed(self):
        try:
            _, detail = self.pipe.recv()
        except (OSError, EOFError):
            detail = f"it exited with code {self.process.exitcode}"
        self.process.join()
        raise RuntimeError(f"the seed's writer process failed:\n{detail}")

    def abort(self) -> None:
        """Stop it without waiting for the rows still in the pipe (this side failed)."""
        self.pipe.close()
        self.process.join(timeout=60)


def _serve(url: str, shapes: list[Shape], pipe) -> None:
    try:
        with _storage(url) as db, bulk_loading(db):
            sink = Sink(db, shapes)
            while (message := pipe.recv()) is not None:
                sink.write(*message)
        outcome = ("done", sink.close())
    except BaseException:
        outcome = ("failed", traceback.format_exc())
    with suppress(OSError):  # the other side went first
        pipe.send(outcome)


@contextmanager
def _storage(url: str):
    """The writer process's own connection: apsw on a SQLite file (its settings die with it), else SQLAlchemy's."""
    if is_sqlite_file(url):
        db = seeding_apsw(make_url(url).database)
        try:
            yield db
        finally:
            db.close()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            yield AlchemyRows(connection)
    finally:
        engine.dispose()


@contextmanager
def open_sink(connection: Connection, clones: int, shapes: list[Shape]):
    """A sink for `clones` clones: in a process of its own when that many and the database is not in memory.

    Close it inside the block to learn the rows it wrote; leaving the block by an error stops it.
    """
    url = connection.engine.url.render_as_string(hide_password=False)
    in_memory = connection.dialect.name == "sqlite" and not is_sqlite_file(url)
    connection.commit()
    if clones < SEPARATE_PROCESS_FROM or in_memory:
        db = AlchemyRows(connection)
        with bulk_loading(db):
            yield Sink(db, shapes)
        return
    sink = ProcessSink(url, shapes)
    try:
        yield sink
    except BaseException:
        sink.abort()
        raise
