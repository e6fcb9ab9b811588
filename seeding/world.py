"""What the case scripts share: the session, the cast of staff, the clock's helpers, and the few
writes no service makes: certificates issued before the seeded year, the outbox's bookkeeping.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from seeding.files import sample_file
from seeding.pools import Pools
from seeding.settings import Settings
from seeding.timeline import Simulation, Timeline
from seeding.values import Holder, Story
from services import clock
from services.catalog import Catalog
from services.db import transactional
from services.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Certificate,
    Notice,
    Notification,
    Role,
    Task,
    User,
)
from services.uploads import FileStore
from services.workflow.numbers import next_number

RUNNING = (ApplicationStatus.ACCEPTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.SUSPENDED)
RATEABLE = (ApplicationStatus.COMPLETED, ApplicationStatus.PARTIALLY_COMPLETED, ApplicationStatus.REJECTED)


@dataclass
class Fate:
    """How one case goes, drawn when it is planned (tasks draw theirs when they start)."""

    abandoned: bool = False
    withdrawn: bool = False
    refused: bool = False
    notices: int = 0  # at the desk before acceptance; a second one is a breach
    notice_unanswered: bool = False
    gives_up: bool = False  # withdraws instead of answering the notice
    left_out: str | None = None  # a non-core material submitted missing
    tolerated: bool = False
    supplement_missed: bool = False
    counter_visits: int = 0
    # Filed at the front desk for the applicant who walked in (the assisted channel), not online.
    assisted: bool = False
    delivery: str = "e_certificate"
    rating: int | None = None
    rectification_answered: bool = False
    # Staged cases (the demo accounts', one of each rare outcome) are calm: their tasks do only what
    # `task_orders` says (item code -> "rejected", "suspended", "late", "overdue", "unclaimed"...), draw
    # nothing else, and are never cloned. The others draw every task event at random.
    task_orders: dict[str, str] = field(default_factory=dict)
    calm: bool = False
    suspension_days: int | None = None


@dataclass
class Case:
    index: int
    service_code: str
    holder: Holder
    start: datetime
    rng: random.Random
    fate: Fate
    story: Story
    adopt_key: str | None = None  # an application made before (by the demo), taken on from its state
    key: str | None = None
    application_id: int | None = None
    cut_at: datetime | None = None  # the first step that would have come after the end
    started: set[str] = field(default_factory=set)  # scripts begun, so none runs twice
    notices: int = 0

    def __str__(self) -> str:
        return f"case {self.index} ({self.service_code})"


class World:
    def __init__(
        self,
        *,
        session: Session,
        catalog: Catalog,
        settings: Settings,
        pools: Pools,
        timeline: Timeline,
        simulation: Simulation,
        store: FileStore,
    ):
        self.session = session
        self.catalog = catalog
        self.settings = settings
        self.pools = pools
        self.timeline = timeline
        self.simulation = simulation
        self.store = store
        self.front_desks: list[User] = []
        self.clerks: dict[str, list[User]] = {}
        self.supervisors: dict[str | None, list[User]] = {}
        self._files = 0
        self._task_ids: dict[str, int] = {}

    def load_staff(self) -> None:
        for user in self.session.exec(select(User).where(User.role.in_(Role.STAFF)).order_by(User.id)):
            if user.role == Role.FRONT_DESK:
                self.front_desks.append(user)
            elif user.role == Role.CLERK:
                self.clerks.setdefault(user.department, []).append(user)
            else:
                self.supervisors.setdefault(user.department, []).append(user)

    # --- who acts -------------------------------------------------------------------

    def front_desk(self, rng: random.Random) -> User:
        return rng.choice(self.front_desks)

    def clerk(self, department: str, rng: random.Random, besides: User | None = None) -> User:
        choices = [c for c in self.clerks[department] if c is not besides] or self.clerks[department]
        return rng.choice(choices)

    def supervisor(self, department: str, rng: random.Random) -> User:
        return rng.choice(self.supervisors.get(department) or self.supervisors[None])

    def user(self, user_id: int) -> User:
        return self.session.get(User, user_id)

    # --- what the scripts look at ---------------------------------------------------------

    def application(self, case: Case) -> Application:
        return self.session.get(Application, case.application_id)

    def task(self, key: str) -> Task:
        """By key once, by id after that: the session then answers from memory unless the row changed."""
        if key not in self._task_ids:
            self._task_ids[key] = self.session.exec(select(Task.id).where(Task.key == key)).one()
        return self.session.get(Task, self._task_ids[key])

    def open_notice(self, case: Case) -> Notice | None:
        return self.session.exec(
            select(Notice).where(Notice.application_id == case.application_id, Notice.answered_at.is_(None))
        ).first()

    # --- when ----------------------------------------------------------------------------

    def online_after(self, rng: random.Random, **delay) -> datetime:
        return self.timeline.online(clock.now() + timedelta(**delay), rng)

    def staff_after(self, rng: random.Random, minutes: float) -> datetime:
        start = self.timeline.staff(clock.now(), rng)
        return max(self.timeline.after_working_minutes(start, minutes), clock.now() + timedelta(minutes=1))

    def working_days_later(self, rng: random.Random, days: int) -> datetime:
        if days <= 0:
            return self.staff_after(rng, rng.uniform(10, 120))
        return self.timeline.working_days_later(clock.now(), days, rng)

    def start(self, script, case: Case, name: str, at: datetime | None = None) -> None:
        if name in case.started:
            return
        case.started.add(name)
        self.simulation.start(script, at or clock.now(), case)

    # --- files ---------------------------------------------------------------------------

    def sample(self, material_key: str, case: Case) -> tuple[str, bytes]:
        self._files += 1
        extension, data = sample_file(material_key, f"case {case.index} file {self._files}", self._files)
        spec = next((m for m in self.catalog.service(case.service_code).materials if m.key == material_key), None)
        title = spec.name.get(self.pools.language) if spec else material_key
        return f"{title}.{extension}", data


# --- actions no service covers yet --------------------------------------------------------


@transactional
def add_prelude_certificates(*, session: Session, catalog: Catalog, owner: User, case: Case) -> None:
    """Certificates an earlier matter issued that this case leans on (a death certificate, a contract filing)."""
    service = catalog.service(case.service_code)
    held = set(session.exec(select(Certificate.cert_type).where(Certificate.owner_id == owner.id)).all())
    for material in service.materials:
        cert_type = catalog.certificate_types.get(material.wallet_cert or "")
        if cert_type is None or cert_type.external or not material.required or cert_type.code in held:
            continue
        issuers = catalog.issuers(cert_type.code)
        department = issuers[0].department if issuers else "PSB"
        issued_on = case.start.date() - timedelta(days=case.rng.randint(1, 10))
        serial = next_number(session, f"certificate-{department}-{issued_on.year}")
        session.add(
            Certificate(
                owner_id=owner.id,
                cert_type=cert_type.code,
                number=f"{department}-{issued_on.year}-{serial:06d}",
                data=case.story.certificate_data(cert_type.data_keys),
                issued_by=department,
                issued_on=issued_on,
            )
        )
        held.add(cert_type.code)


def settle_outbox(session: Session) -> None:
    """The year's messages as the sender and the readers left them.

    Each was sent as it was written (the sender runs every few seconds) and each in-app
    message was read the next time its reader did something in the system.
    """
    from bisect import bisect_left

    session.execute(
        update(Notification)
        .where(Notification.sent_at.is_(None))
        .values(sent_at=Notification.created_at)
        .execution_options(synchronize_session=False)
    )
    actions: dict[int, list[datetime]] = {}
    for actor_id, at in session.execute(
        select(AuditEvent.actor_id, AuditEvent.at).where(AuditEvent.actor_id.is_not(None)).order_by(AuditEvent.id)
    ):
        actions.setdefault(actor_id, []).append(at)
    for moments in actions.values():
        moments.sort()
    reads = []
    for notification_id, user_id, created_at in session.execute(
        select(Notification.id, Notification.user_id, Notification.created_at)
        .where(Notification.channel == "in_app", Notification.read_at.is_(None))
        .order_by(Notification.id)
    ):
        moments = actions.get(user_id, [])
        position = bisect_left(moments, created_at)
        if position < len(moments):
            reads.append({"row": notification_id, "read": moments[position]})
    if reads:
        table = Notification.__table__
        session.execute(update(table).where(table.c.id == bindparam("row")).values(read_at=bindparam("read")), reads)
    session.commit()
