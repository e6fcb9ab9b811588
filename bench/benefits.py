"""The set-based eligibility sweep of the shipped policies over a big city, next to one plain scan.

    .venv/bin/python -m bench.benefits                       # 1,000,000 residents, 100,000 firms, SQLite
    .venv/bin/python -m bench.benefits --residents 100000 --firms 10000 --postgres postgresql+psycopg://postgres@127.0.0.1:5434/postgres

Builds a database of residents and firms with the data the policies read (registers, wallets,
contributions by month, employment, filings, grants, listings; shares as in seeding/benefits.py),
then times, in the same run:
- the sweep: every policy judged for everyone (services/benefits/query.py: one query per policy),
  every eligible subject fetched;
- the baseline: one plain scan of each table the policies read, summing the columns they read;
- the incremental sweep: 1,000 changes of facts are written (new certificates, contributions,
  employment ends) and every policy is judged again for the subjects they touched only; its answers
  are checked against a full sweep's, then the changes are rolled back; next to it, its fixed cost (one
  subject) and the time of reading those subjects' rows once by index, judging nothing (read_once).
The figures are sweep / scan (target at most 3) and incremental / sweep (target at most 1%). Each
time is the median of three runs after a warm-up. The load average before and after says whether the
machine was quiet (other sessions share it).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

from bench import cities
from services.benefits import sweep_policies
from services.benefits.facts import month_start, months_window
from services.catalog import default_catalog
from services.db import create_schema, make_engine
from services.identity import id_number_check_char
from services.models import (
    BenefitGrant,
    BlacklistEntry,
    Certificate,
    CompanyFiling,
    CompanyRecord,
    Contribution,
    Employment,
    ResidentRecord,
    User,
)

AS_OF = date(2026, 11, 22)
DATABASE = "bench_benefits"  # dropped and made anew on the --postgres server
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 20_000
DISTRICTS = ("shangcheng", "gongshu", "xihu", "binjiang", "xiaoshan", "yuhang", "linping", "qiantang")
INDUSTRIES = ("C39", "C34", "F52", "H62", "I65", "I64", "L72", "M73", "E47")
SIZES = (("micro", 1, 10), ("micro", 1, 10), ("small", 10, 100), ("medium", 100, 300))
# The plain scan: what the policies read of each table, summed so that every row is read.
SCANS = {
    "user_account": "count(*), sum(length(id_number)), sum(length(role))",
    "resident_record": "count(*), sum(length(district)), sum(length(household_number))",
    "company_record": "count(*), sum(headcount), sum(length(size)), sum(length(industry_code))",
    "certificate": "count(*), sum(owner_id), sum(length(cert_type)), sum(length(CAST(data AS TEXT)))",
    "contribution": "count(*), sum(subject_id), sum(amount_fen), sum(length(kind)), sum(length(paid_as))",
    "employment": "count(*), sum(employer_id), sum(employee_id), sum(length(end_reason))",
    "company_filing": "count(*), sum(company_id), sum(amount_fen), sum(year)",
    "benefit_grant": "count(*), sum(subject_id), sum(length(policy))",
    "blacklist_entry": "count(*), sum(subject_id)",
}


class Clock:
    """Wall-clock seconds; with --cpu the CPU seconds of the work instead, whatever else the machine runs: this
    process's (SQLite works in it) and, on PostgreSQL, those of the server process serving the connection, read
    from /proc (the server must run on this machine), with parallel workers off so that it does all the work."""

    cpu = False

    def now(self, connection: Connection) -> float:
        if not self.cpu:
            return time.perf_counter()
        spent = time.process_time()
        if connection.dialect.name == "postgresql":
            if "server_pid" not in connection.info:
                connection.info["server_pid"] = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            # The first field: nanoseconds on a CPU, user and system (finer than /proc/<pid>/stat's ticks).
            with open(f"/proc/{connection.info['server_pid']}/schedstat") as stat:
                spent += int(stat.read().split()[0]) / 1e9
        return spent


CLOCK = Clock()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def months() -> list[date]:
    return [month_start(AS_OF, back) for back in range(12, 0, -1)]


class CityWriter:
    """Writes the city in chunks; every draw from one seeded random.Random."""

    def __init__(self, engine: Engine, residents: int, firms: int, seed: int = 1):
        self.engine, self.residents, self.firms = engine, residents, firms
        self.rng = random.Random(seed)
        self.pending: dict = {}
        self.rows: dict[str, int] = {}
        self.serial = 0

    def add(self, model, row: dict) -> None:
        table = model.__table__
        batch = self.pending.setdefault(table, [])
        batch.append(row)
        if len(batch) >= CHUNK:
            self.flush(User.__table__)  # every other row points at an account
            self.flush(table)

    def flush(self, table=None) -> None:
        for each in [table] if table is not None else list(self.pending):
            batch = self.pending.get(each)
            if batch:
                with self.engine.begin() as connection:
                    connection.execute(insert(each), batch)
                self.rows[each.name] = self.rows.get(each.name, 0) + len(batch)
                self.pending[each] = []

    def user(self, user_id: int, role: str, id_number: str | None) -> None:
        self.add(
            User,
            {
                "id": user_id,
                "key": f"k{user_id}",
                "role": role,
                "login_name": f"b{user_id}",
                "password_hash": "-",
                "full_name": f"居民{user_id}",
                "id_number": id_number,
                "is_active": True,
                "created_at": CREATED,
                "elder_mode": False,
            },
        )

    def certificate(self, owner: int, cert_type: str, data: dict) -> None:
        self.serial += 1
        self.add(
            Certificate,
            {
                "key": f"c{self.serial}",
                "owner_id": owner,
                "cert_type": cert_type,
                "number": f"B-{self.serial}",
                "data": data,
                "issued_by": "PSB",
                "issued_on": AS_OF,
            },
        )

    def write(self) -> dict[str, int]:
        rng, window = self.rng, months()
        first_firm = self.residents + 1
        for firm in range(first_firm, first_firm + self.firms):
            self.user(firm, "company", None)
            size, low, high = rng.choice(SIZES)
            headcount = rng.randrange(low, high)
            self.add(
                CompanyRecord,
                {
                    "user_id": firm,
                    "founded_on": AS_OF - timedelta(days=rng.randint(30, 8000)),
                    "headcount": headcount,
                    "size": size,
                    "industry_code": rng.choice(INDUSTRIES),
                    "district": rng.choice(DISTRICTS),
                },
            )
            for month in window[rng.choice((0, 0, 0, 6)) :]:
                for kind, amount in (("pension", headcount * 120_000), ("unemployment", headcount * 8_000)):
                    self.add(
                        Contribution,
                        {"subject_id": firm, "month": month, "kind": kind, "paid_as": "employer", "amount_fen": amount},
                    )
            revenue = headcount * rng.randint(20_000_000, 150_000_000)
            filings = [("revenue", revenue)]
            if rng.random() < 0.2:
                filings.append(("rd_expense", revenue // rng.randint(8, 40)))
            if rng.random() < 0.1:
                filings += [("export_revenue", revenue // 3), ("credit_insurance_premium", revenue // 300)]
            for kind, amount in filings:
                self.add(
                    CompanyFiling, {"company_id": firm, "year": AS_OF.year - 1, "kind": kind, "amount_fen": amount}
                )
            if rng.random() < 0.03:
                self.add(
                    BlacklistEntry, {"subject_id": firm, "listed_on": AS_OF - timedelta(days=90), "authority": "AMR"}
                )
        self.flush()
        for person in range(1, self.residents + 1):
            self.resident(person, window, first_firm)
        self.flush()
        return self.rows

    def resident(self, person: int, window: list[date], first_firm: int) -> None:
        rng = self.rng
        born = date(1925, 1, 1) + timedelta(days=rng.randint(0, 81 * 365))
        first17 = f"330106{born:%Y%m%d}{person % 1000:03d}"
        self.user(person, "citizen", first17 + id_number_check_char(first17))
        self.add(
            ResidentRecord,
            {"user_id": person, "district": rng.choice(DISTRICTS), "household_number": f"H{person // 3}"},
        )
        age = AS_OF.year - born.year
        if rng.random() < 0.8:
            self.certificate(person, "hukou_booklet", {"household_number": f"H{person // 3}"})
        if 22 <= age < 45 and rng.random() < 0.4:
            graduated = AS_OF - timedelta(days=rng.randint(100, 365 * 20))
            degree = rng.choice(("bachelor", "bachelor", "master", "doctor"))
            self.certificate(person, "degree_certificate", {"degree": degree, "graduation_date": graduated.isoformat()})
            if rng.random() < 0.05:
                category = rng.choice(("class_e", "class_d", "class_c"))
                self.certificate(
                    person, "talent_certificate", {"talent_category": category, "valid_until": "2030-01-01"}
                )
        if 24 <= age <= 40 and rng.random() < 0.1:
            child = AS_OF - timedelta(days=rng.randint(10, 365 * 4))
            self.certificate(person, "birth_medical_certificate", {"child_birth_date": child.isoformat()})
        working = 18 <= age < 60
        roll = rng.random()
        if working and roll < 0.05:
            for month in window[rng.randint(0, 8) :]:
                self.add(
                    Contribution,
                    {
                        "subject_id": person,
                        "month": month,
                        "kind": "pension",
                        "paid_as": "flexible",
                        "amount_fen": 89_200,
                    },
                )
            if rng.random() < 0.6:
                self.certificate(person, "unemployment_registration", {"hard_to_employ": "yes"})
        elif working and roll < 0.45:
            employer = rng.randrange(first_firm, first_firm + self.firms)
            first_job = age <= 25 and rng.random() < 0.3
            started = AS_OF - timedelta(days=rng.randint(20, 300) if first_job else rng.randint(400, 5000))
            laid_off = rng.random() < 0.02
            self.add(
                Employment,
                {
                    "employer_id": employer,
                    "employee_id": person,
                    "started_on": started,
                    "ended_on": AS_OF - timedelta(days=60) if laid_off else None,
                    "end_reason": "layoff" if laid_off else None,
                    "first_job": first_job,
                },
            )
            for month in window:
                if month >= started:
                    self.add(
                        Contribution,
                        {
                            "subject_id": person,
                            "month": month,
                            "kind": "pension",
                            "paid_as": "employee",
                            "amount_fen": 80_000,
                        },
                    )
        if rng.random() < 0.02:
            self.add(
                BenefitGrant,
                {"policy": "graduate_living_allowance", "subject_id": person, "granted_on": AS_OF, "amount_fen": 0},
            )
        if rng.random() < 0.01:
            self.add(
                BlacklistEntry, {"subject_id": person, "listed_on": AS_OF - timedelta(days=30), "authority": "TAX"}
            )


def sweep(connection: Connection, policies, among=None) -> tuple[float, dict[str, dict[int, int]], dict[str, float]]:
    """All policies judged (for `among` only, if given): the time, what each found, the time per audience.
    The incremental sweep judges all policies in one call, as the app's does (services/offers/sweep.py)."""
    found: dict[str, dict[int, int]] = {}
    per_audience = {}
    session = Session(bind=connection)
    started = CLOCK.now(connection)
    if among is not None:
        found = sweep_policies(session=session, policies=policies, today=AS_OF, among=among)
        return CLOCK.now(connection) - started, found, per_audience
    for audience in ("citizens", "companies"):
        begun = CLOCK.now(connection)
        judged = [policy for policy in policies if policy.audience == audience]
        found |= sweep_policies(session=session, policies=judged, today=AS_OF, among=among)
        per_audience[audience] = CLOCK.now(connection) - begun
    return CLOCK.now(connection) - started, found, per_audience


def change_facts(
    connection: Connection, residents: int, firms: int, count: int = 1000, seed: int = 2
) -> tuple[set[int], list[int]]:
    """`count` changes of the facts the policies read, as a day's registers bring them: a birth or degree
    certificate, a month's contribution, an employment ended by a lay-off. The subjects whose facts changed,
    and the employment spells ended."""
    rng = random.Random(seed)
    window = months()
    open_spells = connection.execute(
        text("SELECT id, employer_id, employee_id FROM employment WHERE ended_on IS NULL ORDER BY id")
    ).all()
    changed: set[int] = set()
    certificates, contributions, ended = [], [], []
    for _ in range(count):
        person, firm = rng.randint(1, residents), residents + rng.randint(1, firms)
        roll = rng.random()
        if roll < 0.2:
            born = AS_OF - timedelta(days=rng.randint(0, 30))
            certificates.append((person, "birth_medical_certificate", {"child_birth_date": born.isoformat()}))
            changed.add(person)
        elif roll < 0.3:
            graduated = (AS_OF - timedelta(days=rng.randint(0, 90))).isoformat()
            certificates.append((person, "degree_certificate", {"degree": "master", "graduation_date": graduated}))
            changed.add(person)
        elif roll < 0.5:
            contributions.append((person, "pension", "flexible", 89_200))
            changed.add(person)
        elif roll < 0.7:
            contributions.append((firm, "unemployment", "employer", 80_000))
            changed.add(firm)
        else:
            spell, employer, employee = open_spells.pop(rng.randrange(len(open_spells)))
            ended.append({"spell": spell, "ended_on": AS_OF - timedelta(days=rng.randint(1, 20))})
            changed |= {employer, employee}
    connection.execute(
        insert(Certificate.__table__),
        [
            {
                "key": f"chg{n}",
                "owner_id": owner,
                "cert_type": cert_type,
                "number": f"CHG-{n}",
                "data": data,
                "issued_by": "PSB",
                "issued_on": AS_OF,
            }
            for n, (owner, cert_type, data) in enumerate(certificates)
        ],
    )
    connection.execute(
        insert(Contribution.__table__),
        [
            {"subject_id": subject, "month": window[-1], "kind": kind, "paid_as": paid_as, "amount_fen": amount}
            for subject, kind, paid_as, amount in contributions
        ],
    )
    connection.execute(
        text("UPDATE employment SET ended_on = :ended_on, end_reason = 'layoff' WHERE id = :spell"), ended
    )
    return changed, [spell["spell"] for spell in ended]


def undo_changes(connection: Connection, last_ids: dict[str, int], spells: list[int]) -> None:
    """Remove the rows change_facts added after `last_ids` (each table's highest id before) and reopen its
    spells (they were open: change_facts ends only open ones)."""
    for table, last in last_ids.items():
        connection.execute(text(f"DELETE FROM {table} WHERE id > :last"), {"last": last})
    connection.execute(
        text("UPDATE employment SET ended_on = NULL, end_reason = NULL WHERE id = :spell"),
        [{"spell": spell} for spell in spells],
    )


# A reference for the incremental sweep: each row of a changed subject that a policy of its audience may read,
# read once by the subject's index, counted and nothing judged. Not a strict floor: the sweep's guards skip
# some of these reads (a firm that is no SME has its months never looked up).
PROBES = {
    "citizen": (
        "SELECT count(*) FROM resident_record r WHERE r.user_id = u.id",
        "SELECT count(*) FROM certificate c WHERE c.owner_id = u.id",
        "SELECT count(*) FROM contribution c WHERE c.subject_id = u.id AND c.month >= :start AND c.month < :end",
        "SELECT count(*) FROM employment e WHERE e.employee_id = u.id",
        "SELECT count(*) FROM benefit_grant g WHERE g.subject_id = u.id",
        "SELECT count(*) FROM blacklist_entry b WHERE b.subject_id = u.id",
    ),
    "company": (
        "SELECT count(*) FROM company_record r WHERE r.user_id = u.id",
        "SELECT count(*) FROM contribution c WHERE c.subject_id = u.id AND c.month >= :start AND c.month < :end",
        "SELECT count(*) FROM employment e WHERE e.employer_id = u.id",
        "SELECT count(*) FROM company_filing f WHERE f.company_id = u.id",
        "SELECT count(*) FROM benefit_grant g WHERE g.subject_id = u.id",
        "SELECT count(*) FROM blacklist_entry b WHERE b.subject_id = u.id",
    ),
}


def read_once(connection: Connection, changed: set[int], runs: int = 3) -> float:
    """The time (median) of reading the changed subjects' rows once by index (PROBES), one query an audience."""
    connection.execute(text("CREATE TEMPORARY TABLE probed (subject_id INTEGER PRIMARY KEY)"))
    connection.execute(text("INSERT INTO probed (subject_id) VALUES (:id)"), [{"id": id_} for id_ in changed])
    start, end = months_window(AS_OF)
    queries = [
        text(
            "SELECT count(*), "
            + ", ".join(f"sum(({probe}))" for probe in probes)
            # CROSS JOIN: SQLite then reads the few subjects first, not every account of the role.
            + f" FROM probed p CROSS JOIN user_account u WHERE u.id = p.subject_id AND u.role = '{role}'"
        )
        for role, probes in PROBES.items()
    ]
    times = []
    for _ in range(runs + 1):  # the first warms the caches
        started = CLOCK.now(connection)
        for query in queries:
            connection.execute(query, {"start": start, "end": end}).all()
        times.append(CLOCK.now(connection) - started)
    connection.execute(text("DROP TABLE probed"))
    return statistics.median(times[1:])


def incremental(
    engine: Engine, policies, residents: int, firms: int, runs: int = 9
) -> tuple[float, float, int, float, float]:
    """After 1,000 changes: the incremental sweep's time over the subjects changed (median), a full sweep's
    time, how many subjects changed, the incremental sweep's fixed cost (its time for one of them, median) and
    the time of reading those subjects' rows once (read_once, median). Asserts that both sweeps judge those
    subjects alike.

    The changes are committed, as the registers' writes are, and each incremental sweep is a transaction of
    its own, timed with its commit, as the app's quick sweep runs (services/offers/sweep.py); the changes
    are undone at the end. Within one long transaction PostgreSQL's sweep took a quarter longer, for the
    rows each sweep deleted from its temporary table, which a commit clears (bench/BENEFITS.md). The three
    are measured in turn, round after round, so that a slower spell of the machine (their times here move by
    half from one second to the next) weighs on all three alike."""
    with engine.connect() as connection:
        last_ids = {
            table: connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()
            for table in ("certificate", "contribution")
        }
        changed, spells = change_facts(connection, residents, firms)
        connection.commit()
        try:
            full_seconds, everyone, _ = sweep(connection, policies)
            connection.commit()
            swept_alone(connection, policies, changed)  # warm-up
            times, fixed, reading, found = [], [], [], {}
            one = {min(changed)}
            for _ in range(runs):
                seconds, found = swept_alone(connection, policies, changed)
                times.append(seconds)
                fixed.append(swept_alone(connection, policies, one)[0])
                reading.append(read_once(connection, changed, runs=1))
                connection.commit()
        finally:
            connection.rollback()
            undo_changes(connection, last_ids, spells)
            connection.commit()
        for code, subjects in everyone.items():
            expected = {subject: amount for subject, amount in subjects.items() if subject in changed}
            assert found[code] == expected, f"{code}: the incremental sweep differs from the full sweep"
    return statistics.median(times), full_seconds, len(changed), statistics.median(fixed), statistics.median(reading)


def swept_alone(connection: Connection, policies, among: set[int]) -> tuple[float, dict[str, dict[int, int]]]:
    """An incremental sweep as a transaction of its own: its time with the commit, and what it found."""
    started = CLOCK.now(connection)
    _, found, _ = sweep(connection, policies, among=among)
    connection.commit()
    return CLOCK.now(connection) - started, found


def plain_scan(engine: Engine) -> float:
    with engine.connect() as connection:
        started = CLOCK.now(connection)
        for table, columns in SCANS.items():
            connection.execute(text(f"SELECT {columns} FROM {table}")).all()
        return CLOCK.now(connection) - started


def measure(engine: Engine, policies, runs: int = 3) -> tuple[float, float, dict[str, int]]:
    with engine.connect() as connection:
        sweep(connection, policies)  # warm the page cache for both alike
    plain_scan(engine)
    sweeps, scans, found = [], [], {}
    for _ in range(runs):
        with engine.connect() as connection:
            seconds, judged, per_audience = sweep(connection, policies)
        sweeps.append(seconds)
        found = {code: len(subjects) for code, subjects in judged.items()}
        print(f"  sweep {seconds:.2f} s: " + ", ".join(f"{a} {t:.2f} s" for a, t in per_audience.items()), flush=True)
        scans.append(plain_scan(engine))
    return statistics.median(sweeps), statistics.median(scans), found


def build(url: str, residents: int, firms: int, reuse: bool = False) -> tuple[Engine, dict[str, int], float]:
    engine = make_engine(url)
    create_schema(engine)
    started = time.perf_counter()
    if reuse:
        with engine.connect() as connection:
            rows = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in SCANS}
        if rows["resident_record"] == residents and rows["company_record"] == firms:
            settle(engine)  # a new migration's indexes need their statistics
            return engine, rows, time.perf_counter() - started
        raise SystemExit(f"the kept city is not {residents} residents and {firms} firms: {rows}")
    rows = CityWriter(engine, residents, firms).write()
    settle(engine)
    return engine, rows, time.perf_counter() - started


def settle(engine: Engine) -> None:
    """Statistics for the planners; on PostgreSQL also the visibility map, which its autovacuum would have
    written by the time a freshly loaded city is swept, so that index-only scans need not visit the rows."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def serial(connection, _record) -> None:
    """No parallel workers: with --cpu, the connection's own server process does all the work it measures.
    Committed: a SET in the transaction the driver opens is undone when the pool rolls the connection back on
    its return, and until 2026-12-07 it was, so parallel workers did part of the work uncounted."""
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    connection.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL server's URL: the city is built in its database --database")
    parser.add_argument(
        "--database", default=DATABASE, help=f"with --postgres: the city's database (default {DATABASE})"
    )
    parser.add_argument(
        "--keep",
        metavar="SQLITE_FILE",
        help="build the SQLite city in this file and leave it there; reuse it if it is there already",
    )
    parser.add_argument("--reuse", action="store_true", help="with --postgres: reuse the city in --database")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time in CPU seconds of this process and of its PostgreSQL server processes (parallel workers off)",
    )
    args = parser.parse_args()
    CLOCK.cpu = args.cpu
    before = load()
    print(f"load average (1/5/15 min) before: {before}; CPUs {len(os.sched_getaffinity(0))}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        file = Path(args.keep) if args.keep else Path(folder) / "benefits.db"
        reuse = file.exists()
        url = f"sqlite:///{file}"
        if args.postgres:
            reuse = args.reuse
            url = make_url(args.postgres).set(database=args.database).render_as_string(hide_password=False)
            if not reuse:
                url = cities.fresh_database(args.postgres, args.database)
        engine, rows, built = build(url, args.residents, args.firms, reuse)
        if args.cpu and args.postgres:
            event.listen(engine, "connect", serial)
            engine.dispose()  # the connections made before the listener
        print(f"built in {built:.0f} s on {make_url(url).get_backend_name()}: {rows}", flush=True)
        policies = list(default_catalog().policies.values())
        swept, scanned, found = measure(engine, policies)
        increment, full_again, changed, fixed, reading = incremental(engine, policies, args.residents, args.firms)
        engine.dispose()
    after = load()
    print(f"eligible per policy: {found}")
    unit = "CPU s" if args.cpu else "s"
    print(f"sweep of {len(found)} policies: {swept:.2f} {unit}; plain scan of the same tables: {scanned:.2f} {unit}")
    print(f"ratio sweep / scan: {swept / scanned:.2f} (target <= 3)")
    print(
        f"incremental sweep of {len(found)} policies over the {changed} subjects of 1,000 changes: {increment:.3f}"
        f" {unit}; full sweep {swept:.2f} {unit} (after the changes: {full_again:.2f} {unit});"
        f" ratio {increment / swept:.2%}"
        " (target <= 1%); both found the same for them"
    )
    print(
        f"its fixed cost, the incremental sweep of one subject: {fixed:.3f} {unit}"
        f" ({fixed / swept:.2%} of the full sweep)"
    )
    print(
        f"reading those subjects' rows of every table their policies read, once by index: {reading:.3f} {unit}"
        f" ({reading / swept:.2%} of the full sweep); the incremental sweep is {increment / reading:.2f}x that"
    )
    quiet = max(float(before.split(" / ")[0]), float(after.split(" / ")[0])) < 1.0
    print(f"load average (1/5/15 min) after: {after}: the machine was {'quiet' if quiet else 'busy with other work'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
