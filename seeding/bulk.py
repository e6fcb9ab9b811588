"""The fast path: clones of the slow path's cases, written with batched inserts, chained like the engine's.

Each clone copies one template case row for row (application, materials, tasks, notices,
visits, extensions, rating, rectifications, certificates issued, audit events) with new
ids, keys and public numbers, another applicant who fits the service, other people's
names and ID numbers redrawn, colleagues of the same department as staff, and every time
moved by working days (templates.py). So its statuses, event names and payloads are the
engine's own. Each clone's events are hash-chained in order as a chain of its own, each
hash taken of the text services.audit.digest_text gives (blueprint.py renders it once per
template event) and queued for the transparency log's sealer; the counters are brought up
to date, and each batch is one transaction
(writer.py, in a second process for big loads).
Not cloned: notifications (the inbox of a cloned case's applicant is empty).
"""

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from seeding.cloner import Cloner, Ids
from seeding.people import People, certificate_rows, checked, user_row
from seeding.plan import eligible
from seeding.pools import Pools
from seeding.rows import TableWriter
from seeding.templates import WorkdayIndex, choose_move, extract_templates, move_moment
from seeding.timeline import Timeline
from seeding.values import Holder
from seeding.writer import Sink, open_sink
from services.catalog import Catalog
from services.models import Certificate, Counter

BATCH_APPLICATIONS = 2000  # applications per transaction (each brings ~20 rows)
PEOPLE_BATCH = 10_000


class Applicants:
    """Who clones may be filed by: the slow path's population plus the bulk one, with their wallets."""

    def __init__(self):
        self.holders: list[Holder] = []
        self.wallets: dict[int, dict[str, tuple[int, str]]] = {}
        self.by_service: dict[str, list[Holder]] = {}

    def add(self, holder: Holder, wallet: dict[str, tuple[int, str]]) -> None:
        self.holders.append(holder)
        self.wallets[holder.user_id] = wallet

    def index(self, codes, catalog: Catalog, settings, on: date) -> None:
        """Who each of these services could be for, by age and circumstances on `on`.

        Services meant for the same people share one list (most are for anyone of a kind).
        """
        lists = {}
        for code in codes:
            service = catalog.service(code)
            audience = settings.audiences.get(code)
            meant_for = (frozenset(service.applicant_types), audience)
            if meant_for not in lists:
                lists[meant_for] = [
                    h for h in self.holders if h.kind in service.applicant_types and eligible(h, audience, on)
                ]
            self.by_service[code] = lists[meant_for]

    def pick(self, service_code: str, audience, on: date, rng: random.Random) -> Holder | None:
        candidates = self.by_service.get(service_code)
        if not candidates:
            return None
        for _ in range(8):
            holder = rng.choice(candidates)
            if eligible(holder, audience, on):
                return holder
        return holder


def _write_people(
    sink: Sink,
    dialect,
    people: People,
    how_many: int,
    kind: str,
    on: date,
    password_hash: str,
    registered: Callable[[], datetime],
    applicants: Applicants,
    ids: dict[str, Ids],
) -> None:
    users, certificates = TableWriter("user_account", dialect), TableWriter("certificate", dialect)
    left = how_many
    while left > 0:
        chunk = min(left, PEOPLE_BATCH)
        left -= chunk
        made = people.citizens(chunk, on) if kind == "citizen" else people.companies(chunk, on)
        user_rows, certificate_list = [], []
        for resident in made:
            checked(resident)
            resident.holder.user_id = next(ids["user_account"])
            user_rows.append(users.encode(user_row(resident, resident.holder.user_id, password_hash, registered())))
            rows = certificate_rows(resident, resident.holder.user_id, ids["certificate"])
            certificate_list += [certificates.encode(row) for row in rows]
            applicants.add(resident.holder, {row["cert_type"]: (row["id"], row["number"]) for row in rows})
        sink.write({"user_account": user_rows, "certificate": certificate_list})


def clone_cases(
    *,
    session: Session,
    catalog: Catalog,
    settings,
    cases,
    how_many: int,
    timeline: Timeline,
    pools: Pools,
    people: People,
    citizens: int,
    companies: int,
    holders: list[Holder],
    password_hash: str,
    rng: random.Random,
    store,
    progress=None,
) -> dict[str, int]:
    """Write `how_many` cloned applications and their applicants; returns the rows written per table."""
    connection = session.connection()
    session.commit()
    index = WorkdayIndex(
        timeline.calendar, timeline.first_day - timedelta(days=400), timeline.as_of + timedelta(days=400)
    )
    templates = extract_templates(session, cases, index, timeline)
    if not templates:
        raise ValueError("the slow path made no case to clone; seed more applications through it")
    cloner = Cloner(
        session=session,
        catalog=catalog,
        timeline=timeline,
        index=index,
        pools=pools,
        people=people,
        rng=rng,
        store=store,
    )
    applicants = Applicants()
    wallets: dict[int, dict[str, tuple[int, str]]] = {}
    for user_id, cert_type, cert_id, number in session.execute(
        select(Certificate.owner_id, Certificate.cert_type, Certificate.id, Certificate.number)
        .where(Certificate.owner_id.in_([h.user_id for h in holders]), Certificate.application_id.is_(None))
        .order_by(Certificate.id)
    ):
        wallets.setdefault(user_id, {})[cert_type] = (cert_id, number)
    for holder in holders:
        applicants.add(holder, wallets.get(holder.user_id, {}))
    session.commit()

    def registered() -> datetime:
        return timeline.start - timedelta(days=pools.rng.randint(1, 1500), minutes=pools.rng.randint(0, 1440))

    shapes = cloner.compile(templates)
    with open_sink(connection, how_many, shapes) as sink:
        for kind, how_many_people in (("citizen", citizens), ("company", companies)):
            _write_people(
                sink,
                connection.dialect,
                people,
                how_many_people,
                kind,
                timeline.as_of,
                password_hash,
                registered,
                applicants,
                cloner.ids,
            )
        middle = timeline.as_of - timedelta(days=settings.window_days // 2)
        applicants.index(sorted({t.service_code for t in templates}), catalog, settings, middle)
        plans = _plan(templates, how_many, applicants, settings, index, timeline, rng)
        _write_clones(sink, cloner, plans, applicants, progress)
        written = sink.close()
    _finish(connection, cloner)
    return written


def _plan(templates, how_many, applicants, settings, index, timeline, rng) -> list[tuple]:
    plans = []
    for _ in range(how_many):
        template = rng.choice(templates)
        move = choose_move(template, index, timeline, rng)
        start = move_moment(template.moments[template.first], index, move.shift) + move.jitter
        audience = settings.audiences.get(template.service_code)
        holder = applicants.pick(template.service_code, audience, start.date(), rng) or template.holder
        plans.append((start, len(plans), template, move, holder))
    plans.sort(key=lambda plan: (plan[0], plan[1]))
    return plans


def _write_clones(sink: Sink, cloner: Cloner, plans, applicants, progress) -> None:
    rows, clones = {"certificate": []}, []
    for done, (_, _, template, move, holder) in enumerate(plans, start=1):
        clones.append(cloner.clone(template, move, holder, applicants.wallets.get(holder.user_id, {}), rows))
        if done % BATCH_APPLICATIONS == 0 or done == len(plans):
            sink.write(rows, clones)
            rows, clones = {"certificate": []}, []
            if progress:
                progress("applications", done, len(plans))


def _finish(connection, cloner: Cloner) -> None:
    """The counters the clones drew numbers from, as far as they got."""
    if not cloner.touched:
        return
    table = Counter.__table__.name
    placeholder = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {table} (name, value) VALUES ({placeholder}, {placeholder}) "
        f"ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [(name, cloner.counters[name]) for name in sorted(cloner.touched)],
    )
    connection.commit()
