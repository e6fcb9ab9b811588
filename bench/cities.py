"""The seeded cities the benchmarks read, built once and kept in instance/bench/ between runs.

SQLite: the seed (`seeding.seed_city`; above a few hundred cases its fast path clones
them with batched inserts) writes instance/bench/city-<n>.sqlite. PostgreSQL: the same rows
are copied from that file into the database bench_city_<n> with COPY, so both databases hold
identical cities. Both are ANALYZEd afterwards, as an operator would after a bulk load.
A city is rebuilt when its marker file does not match the applications and seed asked for, or
with --rebuild; a kept city at an older schema revision is migrated in place (Alembic, then
ANALYZE), as a production database would be.
"""

import json
import shutil
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from services.catalog import default_catalog
from services.db import alembic_config, create_schema, make_engine, new_session, realign_id_sequences
from services.metrics import refresh_rollup

FOLDER = Path(__file__).resolve().parent.parent / "instance" / "bench"
AS_OF = date(2026, 11, 22)  # the seeded year ends the day before
SEED = 1


@dataclass(frozen=True)
class City:
    applications: int
    sqlite_url: str
    postgres_url: str | None
    upload_folder: Path
    built_seconds: dict  # what building took in this run, per database; empty when reused


@dataclass(frozen=True)
class Marker:
    applications: int
    seed: int
    as_of: str
    revision: str


def head_revision() -> str:
    engine = make_engine("sqlite://")
    revision = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    engine.dispose()
    return revision


_shown: dict[str, int] = {}


def _progress(phase: str, done: int, total: int) -> None:
    """One line per tenth of each phase (the log of a run in the background stays readable)."""
    tenth = 10 * done // max(total, 1)
    if _shown.get(phase) != tenth:
        _shown[phase] = tenth
        print(f"    seeding: {phase} {done:,}/{total:,}", file=sys.stderr, flush=True)


def _marker_path(applications: int, kind: str) -> Path:
    return FOLDER / f"city-{applications}.{kind}.json"


def _kept(applications: int, kind: str, marker: Marker) -> str:
    """ "current", "older schema" (the same city at an earlier revision: migrate it) or "missing"."""
    path = _marker_path(applications, kind)
    if not path.exists():
        return "missing"
    kept = json.loads(path.read_text())
    if kept == asdict(marker):
        return "current"
    return "older schema" if {**kept, "revision": marker.revision} == asdict(marker) else "missing"


def upgrade(url: str, applications: int, kind: str, marker: Marker) -> float:
    """Bring a kept city to the schema's head as an operator would: the migrations, the metrics rollup, ANALYZE."""
    started = time.perf_counter()
    engine = make_engine(url)
    create_schema(engine)
    with new_session(engine) as session:  # what migration 0003 asks for after upgrading
        refresh_rollup(session=session, full=True)
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    engine.dispose()
    _marker_path(applications, kind).write_text(json.dumps(asdict(marker)))
    return time.perf_counter() - started


def build_sqlite(applications: int, marker: Marker) -> float:
    """Seed the city into a fresh SQLite file; returns the seconds it took."""
    from seeding import SeedOptions, seed_city

    path = FOLDER / f"city-{applications}.sqlite"
    uploads = FOLDER / f"uploads-{applications}"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(uploads, ignore_errors=True)
    started = time.perf_counter()
    _shown.clear()
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    seed_city(
        engine=engine,
        catalog=default_catalog(),
        upload_folder=uploads,
        options=SeedOptions(applications=applications, seed=SEED, as_of=AS_OF),
        progress=_progress,
    )
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    _marker_path(applications, "sqlite").write_text(json.dumps(asdict(marker)))
    return time.perf_counter() - started


def copy_to_postgres(sqlite_path: Path, server_url: str, database: str) -> None:
    """Every table of the SQLite city into a fresh PostgreSQL database at the same schema revision."""
    url = make_url(_fresh_database(server_url, database))
    engine = make_engine(url.render_as_string(hide_password=False))
    create_schema(engine)
    source = sqlite3.connect(sqlite_path)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as target:
        # The rows arrive whole and consistent: no foreign-key triggers while they do. SQLite keeps UTC.
        target.execute("SET session_replication_role = replica")
        target.execute("SET TIME ZONE 'UTC'")
        for table in SQLModel.metadata.sorted_tables:
            columns = ", ".join(f'"{column.name}"' for column in table.columns)
            target.execute(f'TRUNCATE "{table.name}" CASCADE')
            with target.cursor().copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in source.execute(f'SELECT {columns} FROM "{table.name}"'):
                    copy.write_row(row)
        target.commit()
    source.close()
    with engine.begin() as connection:
        realign_id_sequences(connection)
    engine.dispose()
    with psycopg.connect(conninfo, autocommit=True) as target:
        target.execute("VACUUM ANALYZE")


def city(applications: int, postgres_server: str | None, rebuild: bool = False) -> City:
    FOLDER.mkdir(parents=True, exist_ok=True)
    marker = Marker(applications, SEED, AS_OF.isoformat(), head_revision())
    built = {}
    sqlite_path = FOLDER / f"city-{applications}.sqlite"
    sqlite_url = f"sqlite:///{sqlite_path}"
    kept = _kept(applications, "sqlite", marker)
    if rebuild or kept == "missing":
        print(f"  building the SQLite city of {applications:,} applications", file=sys.stderr)
        built["sqlite"] = build_sqlite(applications, marker)
    elif kept == "older schema":
        print(f"  migrating the SQLite city of {applications:,} applications", file=sys.stderr)
        built["sqlite migrated"] = upgrade(sqlite_url, applications, "sqlite", marker)
    postgres_url = None
    if postgres_server:
        database = f"bench_city_{applications}"
        postgres_url = make_url(postgres_server).set(database=database).render_as_string(hide_password=False)
        kept = _kept(applications, "postgres", marker)
        if "sqlite" not in built and not rebuild and kept == "older schema":
            print(f"  migrating the PostgreSQL city ({database})", file=sys.stderr)
            built["postgres migrated"] = upgrade(postgres_url, applications, "postgres", marker)
        elif "sqlite" in built or rebuild or kept != "current":
            print(f"  copying it into PostgreSQL ({database})", file=sys.stderr)
            started = time.perf_counter()
            copy_to_postgres(sqlite_path, postgres_server, database)
            built["postgres"] = time.perf_counter() - started
            _marker_path(applications, "postgres").write_text(json.dumps(asdict(marker)))
    return City(applications, sqlite_url, postgres_url, FOLDER / f"uploads-{applications}", built)


def copy_database(server: str, template: str, name: str) -> str:
    """A fresh PostgreSQL database `name` copied from a built city's `template`; its URL."""
    return _fresh_database(server, name, template)


def fresh_database(server: str, name: str) -> str:
    """An empty PostgreSQL database `name`, dropped first if it was there; its URL."""
    return _fresh_database(server, name)


def _fresh_database(server: str, name: str, template: str | None = None) -> str:
    """Database `name` dropped if it was there and created anew (empty, or as a copy of `template`); its URL."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        copied = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)
