"""Seed data: a believable city whose every case the workflow could really have produced.

`seed_city` registers the demo accounts (seeding.demo), a population of citizens,
families, companies and staff, then plays a year of cases through the real services on a
frozen clock (the slow path, `scripts`), with the SLA sweep every working morning. Beyond
`SeedOptions.through_services` cases it clones the rest from those with batched inserts
(the fast path, `bulk`). The same seed, options and starting database give the same rows:
every random choice comes from one `random.Random(seed)` and a Faker seeded from it, keys
and file names come from seeded factories, and the clock stands still between steps.
"""

import base64
import hashlib
import random
import time as wallclock
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import count

from sqlalchemy import func, insert, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, select

from seeding.benefits import seed_benefit_data
from seeding.bulk import clone_cases
from seeding.demo import CITIZEN, COMPANY, DEMO_PASSWORD, SPOUSE, DemoLogin, seed_demo
from seeding.disputes import seed_disputes
from seeding.offers import seed_offers
from seeding.people import People, Resident, certificate_rows, checked, staff_roster, staff_row, user_row
from seeding.plan import Planner
from seeding.pools import Person, Pools
from seeding.requests import plan_requests, request_script
from seeding.scripts import Routine, application_script, sweep_script
from seeding.settings import load_settings
from seeding.timeline import Simulation, Timeline, china_moment
from seeding.values import Holder
from seeding.world import World, settle_outbox
from seeding.writer import seeding_pragmas
from services import clock
from services.catalog import Catalog
from services.db import create_schema, new_session, realign_id_sequences
from services.identity import id_number_birth_date, id_number_gender
from services.metrics import refresh_rollup
from services.models import Application, Attachment, Certificate, DisputeEvidence, RequestAttachment, User
from services.models.keys import keys_from
from services.uploads import FileStore
from services.workdays import load_calendar
from services.workflow.numbers import forget_number_blocks

DEMO_LOGINS = (CITIZEN.id_number, SPOUSE.id_number, COMPANY.credit_code)
# Cases played through the services take ~0.1 s each on a 2-core machine; clones about 0.3 ms (bench.seed_million).
SLOW_CASES = (80, 300)
# From this many cases on, one of each rare outcome is staged (the others are left to chance).
SHOWCASE_FROM = 30
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SeedOptions:
    applications: int = 300  # besides the demo accounts' own dozen
    citizens: int | None = None
    companies: int | None = None
    seed: int = 1
    locale: str = "zh_CN"
    as_of: date | None = None  # the seeded year ends the day before; default today in China
    # How many go through the services; the rest are cloned from them. Default: a tenth, from 80 to 300.
    slow_cases: int | None = None

    @property
    def through_services(self) -> int:
        if self.slow_cases is not None:
            return min(self.applications, self.slow_cases)
        return min(self.applications, max(SLOW_CASES[0], min(SLOW_CASES[1], self.applications // 10)))


@dataclass
class SeedReport:
    logins: list[DemoLogin]
    slow_cases: int
    bulk_cases: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    bulk_seconds: float = 0.0
    bulk_rows: dict[str, int] = field(default_factory=dict)  # rows the fast path wrote, per table
    rollup_seconds: float = 0.0  # counting every day of the metrics rollup again, at the end
    disputes: int = 0  # played through the services, one for each state a dispute ends or waits in
    offers: dict[str, int] = field(default_factory=dict)  # benefit offers per status, played through the services


def applications_beyond_demo(session: Session) -> int:
    """Applications of anyone but the demo accounts: a database holding them is not the seed's to write."""
    return session.exec(
        select(func.count())
        .select_from(Application)
        .join(User, User.id == Application.applicant_id)
        .where(User.login_name.not_in(DEMO_LOGINS))
    ).one()


def reset_database(engine: Engine, store: FileStore) -> int:
    """Drop and recreate every table, and remove the uploaded files the dropped rows pointed at."""
    with new_session(engine) as session:
        try:
            names = set(session.exec(select(Attachment.storage_name).where(Attachment.storage_name.is_not(None))))
            names |= set(session.exec(select(DisputeEvidence.storage_name)))
        except DBAPIError:  # no attachment table yet: nothing was uploaded
            session.rollback()
            names = set()
        try:
            names |= set(session.exec(select(RequestAttachment.storage_name)))
        except DBAPIError:  # a schema from before the enterprise requests
            session.rollback()
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:  # the migrations' bookkeeping goes too, so they build everything again
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    create_schema(engine)
    forget_number_blocks(engine)  # the counters started again from nothing
    for name in sorted(names):
        store.delete(name)
    return len(names)


def seeded_password_hash(password: str, rng: random.Random) -> str:
    """Werkzeug's scrypt format with a salt from the seed, so seeded rows repeat and still log in."""
    salt = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(16))
    n, r, p = 2**15, 8, 1
    digest = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p).hex()
    return f"scrypt:{n}:{r}:{p}${salt}${digest}"


def _holder_from_user(user: User, wallet: list[Certificate], spouse: User | None, person: Person) -> Holder:
    facts = {}
    for certificate in wallet:
        facts.update({k: v for k, v in certificate.data.items() if k in ("household_number", "hukou_address")})
    spouse_person = None
    if spouse is not None:
        spouse_person = Person(
            spouse.full_name,
            id_number_gender(spouse.id_number),
            id_number_birth_date(spouse.id_number),
            spouse.id_number,
        )
    kind = "company" if user.credit_code else "citizen"
    return Holder(
        kind=kind,
        name=user.full_name,
        mobile=user.mobile,
        address=user.address or "",
        person=person,
        credit_code=user.credit_code,
        spouse=spouse_person,
        facts=facts,
        user_id=user.id,
        flags=frozenset({"hukou"}),
    )


def _demo_holders(session: Session, pools: Pools) -> tuple[Holder, Holder]:
    users = {u.login_name: u for u in session.exec(select(User).where(User.login_name.in_(DEMO_LOGINS)))}
    citizen, spouse, company = users[CITIZEN.id_number], users[SPOUSE.id_number], users[COMPANY.credit_code]
    wallet = list(session.exec(select(Certificate).where(Certificate.owner_id == citizen.id)))
    me = Person(
        citizen.full_name,
        id_number_gender(citizen.id_number),
        id_number_birth_date(citizen.id_number),
        citizen.id_number,
    )
    pools.taken([citizen.id_number, spouse.id_number])
    return (_holder_from_user(citizen, wallet, spouse, me), _holder_from_user(company, [], None, me))


def _ids_after(session: Session, model) -> Iterator[int]:
    return count((session.exec(select(func.max(model.id))).one() or 0) + 1)


def _write_population(
    session: Session,
    people: People,
    pools: Pools,
    settings,
    catalog,
    timeline: Timeline,
    citizens: int,
    companies: int,
    password_hash: str,
) -> tuple[list[Holder], list[Holder]]:
    on = timeline.as_of
    residents = [checked(r) for r in people.citizens(citizens, on)]
    firms = [checked(r) for r in people.companies(companies, on)]
    user_ids, certificate_ids = _ids_after(session, User), _ids_after(session, Certificate)
    users, certificates = [], []

    def registered(rng=pools.rng) -> datetime:
        return timeline.start - timedelta(days=rng.randint(1, 1500), minutes=rng.randint(0, 1440))

    resident: Resident
    for resident in residents + firms:
        resident.holder.user_id = next(user_ids)
        users.append(user_row(resident, resident.holder.user_id, password_hash, registered()))
        certificates += certificate_rows(resident, resident.holder.user_id, certificate_ids)
    for member in staff_roster(pools, settings, catalog, on):
        users.append(staff_row(member, next(user_ids), password_hash, registered()))
    for start in range(0, len(users), 5000):
        session.execute(insert(User.__table__), users[start : start + 5000])
    for start in range(0, len(certificates), 5000):
        session.execute(insert(Certificate.__table__), certificates[start : start + 5000])
    realign_id_sequences(session.connection())
    session.commit()
    return [r.holder for r in residents], [r.holder for r in firms]


def _daily(progress: Progress, frozen, timeline: Timeline) -> Callable[[], None]:
    """Tell `progress` each time the simulated year reaches another day."""
    days = (timeline.end - timeline.start).days
    shown = [-1]

    def step() -> None:
        day = (frozen.now() - timeline.start).days
        if day != shown[0]:
            shown[0] = day
            progress("days", day, days)

    return step


def seed_city(
    *, engine: Engine, catalog: Catalog, upload_folder, options: SeedOptions, progress: Progress | None = None
) -> SeedReport:
    settings = load_settings(catalog)
    as_of = options.as_of or clock.china_today()
    root = random.Random(options.seed)
    key_source, name_source, password_source = (random.Random(root.getrandbits(64)) for _ in range(3))
    pools = Pools(
        locale=options.locale, seed=root.getrandbits(32), rng=random.Random(root.getrandbits(64)), settings=settings
    )
    store = FileStore(upload_folder, new_name=lambda: name_source.randbytes(16).hex())
    slow = options.through_services
    bulk = options.applications - slow
    people_settings = settings.people
    citizens = (
        options.citizens
        if options.citizens is not None
        else max(
            people_settings["min_citizens"],
            int(
                slow * people_settings["citizens_per_application"]
                + bulk * people_settings["citizens_per_cloned_application"]
            ),
        )
    )
    companies = (
        options.companies
        if options.companies is not None
        else max(people_settings["min_companies"], int(citizens * people_settings["companies_per_citizen"]))
    )
    slow_citizens = min(
        citizens, max(people_settings["min_citizens"], int(slow * people_settings["citizens_per_application"]))
    )
    slow_companies = min(
        companies, max(people_settings["min_companies"], int(slow_citizens * people_settings["companies_per_citizen"]))
    )
    report = SeedReport(logins=[], slow_cases=0, bulk_cases=bulk)
    started = wallclock.perf_counter()
    previous_clock = clock.current_clock()

    def new_key() -> str:
        return base64.urlsafe_b64encode(key_source.randbytes(12)).decode()

    with engine.connect() as connection, seeding_pragmas(connection), keys_from(new_key):
        session = Session(bind=connection, expire_on_commit=False)
        try:
            timeline = Timeline(load_calendar(session=session), settings, as_of)
            frozen = clock.FrozenClock(timeline.start + timedelta(hours=9))
            clock.use_clock(frozen)
            first_new_user = (session.exec(select(func.max(User.id))).one() or 0) + 1
            report.logins = seed_demo(session=session, catalog=catalog)
            password_hash = seeded_password_hash(DEMO_PASSWORD, password_source)
            demo_citizen, demo_company = _demo_holders(session, pools)
            people = People(pools, settings, catalog)
            residents, firms = _write_population(
                session, people, pools, settings, catalog, timeline, slow_citizens, slow_companies, password_hash
            )
            simulation = Simulation(frozen, timeline.end)
            world = World(
                session=session,
                catalog=catalog,
                settings=settings,
                pools=pools,
                timeline=timeline,
                simulation=simulation,
                store=store,
            )
            world.load_staff()
            planner = Planner(catalog=catalog, settings=settings, pools=pools, timeline=timeline, rng=root)
            # The demo's own submitted case is taken on when it was made at the start of the year (by seed_demo
            # above); one made by `flask demo` today stays waiting at the front desk.
            adopted = [
                (a.key, a.service_code, a.id)
                for a in session.exec(
                    select(Application).where(
                        Application.applicant_id == demo_citizen.user_id,
                        Application.status == "submitted",
                        Application.submitted_at <= frozen.now(),
                    )
                )
            ]
            planner.demo_cases(demo_citizen, demo_company, adopted)
            showcased = planner.showcase_cases(residents) if slow >= SHOWCASE_FROM else 0
            planner.random_cases(slow - showcased, residents, firms)
            for case in planner.cases:
                simulation.start(application_script(world, case), case.start, case)
            requests = plan_requests(
                w=world,
                demo_company=demo_company,
                firms=firms,
                slow_cases=slow,
                rng=random.Random(root.getrandbits(64)),
            )
            for request in requests:
                simulation.start(request_script(world, request), request.start, request)
            first_sweep = china_moment(timeline.calendar.next_working_day(timeline.first_day), time(7, 0))
            simulation.start(sweep_script(world), first_sweep, Routine())
            simulation.run(on_step=_daily(progress, frozen, timeline) if progress else None)
            report.disputes = seed_disputes(
                session=session,
                catalog=catalog,
                user_ids=[holder.user_id for holder in residents + firms if holder.user_id is not None],
                store=store,
                seed=options.seed,
            )
            settle_outbox(session)
            report.slow_cases = len(planner.cases)
            if bulk:
                bulk_started = wallclock.perf_counter()
                report.bulk_rows = clone_cases(
                    session=session,
                    catalog=catalog,
                    settings=settings,
                    cases=planner.cases,
                    how_many=bulk,
                    timeline=timeline,
                    pools=pools,
                    people=people,
                    citizens=citizens - slow_citizens,
                    companies=companies - slow_companies,
                    holders=residents + firms,
                    password_hash=password_hash,
                    rng=random.Random(root.getrandbits(64)),
                    store=store,
                    progress=progress,
                )
                report.bulk_seconds = wallclock.perf_counter() - bulk_started
            # The fast path wrote ids of its own: PostgreSQL's sequences catch up before the benefit rows take theirs.
            realign_id_sequences(session.connection())
            seed_benefit_data(
                session=session,
                rng=random.Random(root.getrandbits(64)),
                as_of=timeline.as_of,
                new_parents=[demo_citizen.user_id] if demo_citizen.user_id is not None else [],
            )
            session.execute(update(User).where(User.id >= first_new_user).values(password_hash=password_hash))
            realign_id_sequences(session.connection())
            session.commit()
            report.offers = seed_offers(
                session=session,
                catalog=catalog,
                frozen=frozen,
                subject_ids=[holder.user_id for holder in residents + firms if holder.user_id is not None],
                demo_ids=[holder.user_id for holder in (demo_citizen, demo_company) if holder.user_id is not None],
                last_day=timeline.as_of - timedelta(days=1),
                seed=options.seed,
            )
            settle_outbox(session)
            session.commit()
            # Rows written in bulk carry their simulated times, older than any refresh: count every day once,
            # on the frozen clock, so the refresh's own stamp repeats with the seed.
            rollup_started = wallclock.perf_counter()
            refresh_rollup(session=session, full=True)
            report.rollup_seconds = wallclock.perf_counter() - rollup_started
            report.rows = {
                table.name: session.execute(text(f"SELECT count(*) FROM {table.name}")).scalar()
                for table in SQLModel.metadata.sorted_tables
            }
        finally:
            clock.use_clock(previous_clock)
            session.close()
    report.seconds = wallclock.perf_counter() - started
    return report
