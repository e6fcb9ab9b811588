"""Many workers at once, nothing lost and nothing doubled.

Each worker is a thread with its own session and connection, as each request of a web
worker has. On PostgreSQL the tests run at full size (32 clerks over 200 tasks, 20
submits of one draft); SQLite lets one writer in at a time, so there they run smaller.
Every wait is bounded: a worker that hangs fails the test instead of the suite.
"""

import io
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sql_event
from sqlalchemy import func
from sqlmodel import select

from services import clock
from services.applications.drafts import attach_upload, save_draft, start_draft
from services.applications.submission import submit_application
from services.audit_check import verify_chains
from services.casework import desk, tasks
from services.db import make_engine, new_session
from services.errors import Conflict
from services.models import (
    GENESIS,
    Application,
    ApplicationStatus,
    Attachment,
    AuditEvent,
    Certificate,
    Notification,
    Role,
    Task,
    TaskStatus,
    User,
)
from services.notifications import IN_APP, notify, send_outbox
from services.sla import sweep
from services.uploads import FileStore
from services.workflow.engine import fire
from tests.conftest import PDF
from tests.factories import make_certificate, make_citizen, make_staff
from tests.sample import complete_values, submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"  # e-certificate: approving it delivers it and completes the case
WORKER_SECONDS = 120  # a worker still busy after this is stuck (a loaded CI machine needs headroom)
CLAIM_LOST = "another clerk has already claimed this task"


@dataclass(frozen=True)
class Size:
    clerks: int
    tasks: int
    submits: int
    senders: int
    messages: int


FULL = Size(clerks=32, tasks=200, submits=20, senders=4, messages=400)
SMALL = Size(clerks=8, tasks=40, submits=8, senders=2, messages=120)


@pytest.fixture
def size(engine) -> Size:
    return FULL if engine.dialect.name == "postgresql" else SMALL


@pytest.fixture
def pool(engine, size):
    """An engine with a connection for every worker, on the test's database."""
    shared = make_engine(
        engine.url.render_as_string(hide_password=False),
        pool_size=size.clerks + 4,
        max_overflow=0,
        pool_timeout=WORKER_SECONDS,
    )
    yield shared
    shared.dispose()


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "files")


def run_all(workers: list, timeout: float = WORKER_SECONDS * 2) -> list:
    """Start every worker together; re-raise the first error any of them met."""
    with ThreadPoolExecutor(max_workers=len(workers)) as executor:
        futures = [executor.submit(worker) for worker in workers]
        return [future.result(timeout=timeout) for future in futures]


def accepted_cases(session, catalog, store, how_many: int) -> list[str]:
    """`how_many` accepted applications with one ready task each: one through the services, the rest its copies.

    Copying the rows acceptance wrote keeps the set-up to a second; claims and decisions
    on them then go through the real services.
    """
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(
        session=session, actor=make_staff(session, Role.FRONT_DESK), key=application.key, catalog=catalog
    )
    session.expire_all()
    original = session.get(Application, application.id)
    task = session.exec(select(Task).where(Task.application_id == original.id)).one()
    assert task.status == TaskStatus.READY
    keys = [task.key]
    for n in range(1, how_many):
        copy = copy_row(session, original, number=f"{original.number}-{n}")
        keys.append(copy_row(session, task, application_id=copy.id).key)
    session.commit()
    return keys


def copy_row(session, row, **changes):
    """A copy of `row` with a new id and key, and `changes`; flushed so its id is known."""
    values = {
        column.key: getattr(row, column.key)
        for column in type(row).__table__.columns
        if column.key not in ("id", "key")
    }
    if isinstance(row, Application):
        values.update(audit_length=0, audit_tip=GENESIS)  # a copy's chain is its own, and empty
    values.update(changes)
    copy = type(row)(**values)
    session.add(copy)
    session.flush()
    return copy


@dataclass
class Tally:
    won: list[tuple[int, str]] = field(default_factory=list)  # (clerk id, task key)
    lost: list[str] = field(default_factory=list)  # the Conflict messages the losers got
    lock: threading.Lock = field(default_factory=threading.Lock)


def count_events(session, event: str) -> Counter:
    rows = session.exec(select(AuditEvent.task_id).where(AuditEvent.event == event)).all()
    return Counter(rows)


def test_clerks_racing_over_one_queue_decide_every_task_exactly_once(session, pool, catalog, store, size):
    keys = accepted_cases(session, catalog, store, size.tasks)
    clerk_ids = [make_staff(session, Role.CLERK, "TRANSPORT").id for _ in range(size.clerks)]
    tally = Tally()
    start = threading.Barrier(size.clerks, timeout=WORKER_SECONDS)

    def claim_and_approve(clerk_id: int, key: str) -> None:
        with new_session(pool) as own:
            clerk = own.get(User, clerk_id)
            try:
                tasks.claim_task(session=own, actor=clerk, key=key, catalog=catalog)
            except Conflict as lost:
                with tally.lock:
                    tally.lost.append(lost.message)
                return
            tasks.approve_task(session=own, actor=clerk, key=key, catalog=catalog, note="checked")
            with tally.lock:
                tally.won.append((clerk_id, key))

    def top_of_queue(clerk_id: int, depth: int) -> list[str]:
        with new_session(pool) as own:
            page = tasks.department_queue(session=own, actor=own.get(User, clerk_id), limit=depth)
            return [row.task.key for row in page]

    def clerk(clerk_id: int):
        def work() -> None:
            rng = random.Random(clerk_id)
            # Everyone reads the same queue, then claims its first task at the same moment.
            first = top_of_queue(clerk_id, 1)[0]
            start.wait()
            claim_and_approve(clerk_id, first)
            stop = time.monotonic() + WORKER_SECONDS
            while time.monotonic() < stop:
                waiting = top_of_queue(clerk_id, 3)
                if not waiting:
                    return
                claim_and_approve(clerk_id, rng.choice(waiting))
            raise TimeoutError("the queue did not empty in time")

        return work

    run_all([clerk(clerk_id) for clerk_id in clerk_ids])

    session.expire_all()
    decided = session.exec(select(Task).where(Task.key.in_(keys))).all()
    assert sorted(key for _, key in tally.won) == sorted(keys)
    assert {task.status for task in decided} == {TaskStatus.DELIVERED}
    winner = dict((key, clerk_id) for clerk_id, key in tally.won)
    assert all(task.assignee_id == task.decided_by_id == winner[task.key] for task in decided)
    ids = {task.id for task in decided}
    for event in ("task.claim", "task.approve", "task.deliver"):
        per_task = count_events(session, event)
        assert {task_id: per_task[task_id] for task_id in ids} == dict.fromkeys(ids, 1), event
    # The opening round alone has one winner and clerks - 1 losers; each was told plainly.
    assert len(tally.lost) >= size.clerks - 1
    assert set(tally.lost) == {CLAIM_LOST}
    applications = session.exec(select(Application).where(Application.id.in_([t.application_id for t in decided])))
    assert {application.status for application in applications} == {ApplicationStatus.COMPLETED}
    certificates = session.exec(
        select(Certificate.number).where(Certificate.application_id.in_([t.application_id for t in decided]))
    ).all()
    assert len(certificates) == len(set(certificates)) == size.tasks
    chain = verify_chains(session=session)
    assert chain.ok, chain
    assert chain.checked == session.exec(select(func.count()).select_from(AuditEvent)).one()


TALENT_BUNDLE = "BUNDLE-TALENT-APARTMENT"  # HOUSING-001 and HRSS-007 both wait on HRSS-006 only


def cases_with_two_tasks_left(session, catalog, store, how_many: int) -> tuple[dict[str, list[str]], list[int]]:
    """Talent-apartment cases whose last two tasks, of two departments, are claimed and ready to decide.

    One case goes there through the services; the others copy its rows. Returns the keys of the
    last tasks by department, in case order, and the clerks holding them.
    """
    _, application = submitted(session, catalog, store, TALENT_BUNDLE)
    desk.accept_application(
        session=session, actor=make_staff(session, Role.FRONT_DESK), key=application.key, catalog=catalog
    )
    clerks = {code: make_staff(session, Role.CLERK, code) for code in ("HRSS", "PSB", "HOUSING")}
    for item in ("330100-HRSS-006", "330100-PSB-004"):
        task = session.exec(select(Task).where(Task.application_id == application.id, Task.item_code == item)).one()
        tasks.claim_task(session=session, actor=clerks[task.department], key=task.key, catalog=catalog)
        tasks.approve_task(session=session, actor=clerks[task.department], key=task.key, catalog=catalog)
    last = {}
    for item in ("330100-HOUSING-001", "330100-HRSS-007"):
        task = session.exec(select(Task).where(Task.application_id == application.id, Task.item_code == item)).one()
        tasks.claim_task(session=session, actor=clerks[task.department], key=task.key, catalog=catalog)
        last[task.department] = item
    session.expire_all()
    original = session.get(Application, application.id)
    assert original.status == ApplicationStatus.IN_REVIEW
    rows = session.exec(select(Task).where(Task.application_id == original.id)).all()
    keys = {department: [] for department in last}
    for n in range(how_many):
        copy = copy_row(session, original, number=f"{original.number}-{n}") if n else original
        for task in rows:
            twin = copy_row(session, task, application_id=copy.id) if n else task
            if task.item_code in last.values():
                keys[task.department].append(twin.key)
    session.commit()
    return keys, {department: clerks[department].id for department in last}


def test_two_clerks_deciding_a_bundles_last_tasks_at_once_complete_it(session, pool, catalog, store, size):
    keys, clerk_ids = cases_with_two_tasks_left(session, catalog, store, size.submits)
    together = threading.Barrier(2, timeout=WORKER_SECONDS)

    def clerk(department: str):
        def work() -> None:
            for key in keys[department]:
                together.wait()  # both decide their task of the same case at the same moment
                with new_session(pool) as own:
                    tasks.approve_task(
                        session=own, actor=own.get(User, clerk_ids[department]), key=key, catalog=catalog
                    )

        return work

    run_all([clerk(department) for department in keys])

    session.expire_all()
    ids = session.exec(select(Task.application_id).where(Task.key.in_(keys["HRSS"]))).all()
    finished = session.exec(select(Application.status).where(Application.id.in_(ids))).all()
    assert Counter(finished) == {ApplicationStatus.COMPLETED: size.submits}
    completions = session.exec(
        select(AuditEvent.application_id).where(AuditEvent.event == "complete", AuditEvent.application_id.in_(ids))
    ).all()
    assert sorted(completions) == sorted(ids)
    assert verify_chains(session=session).ok


def test_parallel_submits_of_one_draft_make_one_application(session, pool, catalog, store, size):
    service = catalog.service(THREE_DAY_ITEM)
    applicant = make_citizen(session)
    for material in service.materials:
        if material.wallet_cert:
            make_certificate(session, applicant, material.wallet_cert)
    draft = start_draft(session=session, actor=applicant, service_code=THREE_DAY_ITEM, catalog=catalog)
    save_draft(session=session, actor=applicant, key=draft.key, values=complete_values(service), catalog=catalog)
    for material in service.materials:
        if not material.wallet_cert:
            attach_upload(
                session=session,
                actor=applicant,
                key=draft.key,
                material_key=material.key,
                filename="m.pdf",
                data=PDF,
                store=store,
                catalog=catalog,
            )
    start = threading.Barrier(size.submits, timeout=WORKER_SECONDS)

    def submit() -> str:
        with new_session(pool) as own:
            me = own.get(User, applicant.id)
            start.wait()
            return submit_application(session=own, actor=me, key=draft.key, catalog=catalog).number

    numbers = run_all([submit] * size.submits)

    session.expire_all()
    application = session.get(Application, draft.id)
    assert application.status == ApplicationStatus.SUBMITTED
    assert set(numbers) == {application.number}
    assert (
        session.exec(
            select(func.count()).select_from(Application).where(Application.applicant_id == applicant.id)
        ).one()
        == 1
    )
    submits = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.application_id == application.id, AuditEvent.event == "submit")
    ).one()
    assert submits == 1
    materials = session.exec(select(Attachment.material_key).where(Attachment.application_id == application.id)).all()
    assert sorted(materials) == sorted(m.key for m in service.materials)
    assert verify_chains(session=session).ok


class RecordingGateway:
    def __init__(self):
        self.sent: list[int] = []
        self._lock = threading.Lock()

    def send(self, notification, text):
        with self._lock:
            self.sent.append(notification.id)


def test_outbox_senders_at_once_send_each_message_once(session, pool, size):
    people = [make_citizen(session, email=f"p{n}@example.cn") for n in range(10)]
    for n in range(size.messages // (len(people) * 3)):
        for person in people:
            notify(session, user=person, template="message %(n)s", params={"n": n})
    session.commit()
    rows = session.exec(select(Notification)).all()
    gateway = RecordingGateway()
    start = threading.Barrier(size.senders, timeout=WORKER_SECONDS)

    def sender():
        with new_session(pool) as own:
            start.wait()
            return send_outbox(
                session=own, gateway=gateway, render=lambda template, params: template % params, limit=len(rows)
            )

    reports = run_all([sender] * size.senders)

    assert sorted(gateway.sent) == sorted(row.id for row in rows if row.channel != IN_APP)
    assert sum(report.sent for report in reports) == len([row for row in rows if row.channel != IN_APP])
    assert all(report.failed == 0 for report in reports)
    assert session.exec(select(func.count()).select_from(Notification).where(Notification.sent_at.is_(None))).one() == 0


def test_sla_sweeps_at_once_recolour_and_warn_each_task_once(session, pool, catalog, store, size):
    keys = accepted_cases(session, catalog, store, size.tasks)
    make_staff(session, Role.CLERK, "TRANSPORT")  # the one person warned about each unclaimed task
    previous = clock.current_clock()
    # Three weeks on, every deadline has passed: each task turns red once and warns once.
    clock.use_clock(clock.FrozenClock(datetime.now(UTC) + timedelta(days=21)))
    try:
        start = threading.Barrier(size.senders, timeout=WORKER_SECONDS)

        def sweeper():
            with new_session(pool) as own:
                start.wait()
                return sweep(session=own, catalog=catalog, batch=10)

        reports = run_all([sweeper] * size.senders)
    finally:
        clock.use_clock(previous)

    session.expire_all()
    assert sum(report.recoloured for report in reports) == size.tasks
    assert sum(report.notified for report in reports) == size.tasks
    assert {task.sla_colour for task in session.exec(select(Task).where(Task.key.in_(keys)))} == {"red"}
    warnings = session.exec(select(Notification.application_id).where(Notification.template.contains("overdue")))
    assert Counter(Counter(warnings.all()).values()) == {1: size.tasks}


@pytest.fixture
def impatient(engine):
    """PostgreSQL connections that give up after 5 s waiting for a row lock, instead of hanging."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks (one writer at a time): waiting on a row lock is a PostgreSQL matter")
    quick = make_engine(
        engine.url.render_as_string(hide_password=False), connect_args={"options": "-c lock_timeout=5000"}
    )
    yield quick
    quick.dispose()


def test_a_sender_passes_over_a_message_another_sender_holds(session, engine, impatient):
    person = make_citizen(session, email="held@example.cn")
    for n in range(3):
        notify(session, user=person, template="message %(n)s", params={"n": n})
    session.commit()
    # The outbox carries what leaves the system (e-mail here); in-app messages are delivered already.
    held, *others = session.exec(
        select(Notification).where(Notification.channel != IN_APP).order_by(Notification.id)
    ).all()
    gateway = RecordingGateway()
    with engine.connect() as other_sender:
        other_sender.execute(select(Notification).where(Notification.id == held.id).with_for_update())
        with new_session(impatient) as own:
            report = send_outbox(session=own, gateway=gateway, render=lambda template, params: template % params)
        other_sender.rollback()
    assert report.sent == len(others)
    assert held.id not in gateway.sent
    session.expire_all()
    assert session.get(Notification, held.id).sent_at is None


def test_a_sweep_passes_over_tasks_another_sweep_holds(session, engine, impatient, catalog, store):
    keys = accepted_cases(session, catalog, store, 6)
    held_keys = keys[:2]
    previous = clock.current_clock()
    clock.use_clock(clock.FrozenClock(datetime.now(UTC) + timedelta(days=21)))
    try:
        with engine.connect() as other_sweep:
            other_sweep.execute(select(Task).where(Task.key.in_(held_keys)).with_for_update())
            with new_session(impatient) as own:
                first = sweep(session=own, catalog=catalog)
            other_sweep.rollback()
        with new_session(impatient) as own:
            second = sweep(session=own, catalog=catalog)
    finally:
        clock.use_clock(previous)
    assert (first.recoloured, second.recoloured) == (len(keys) - len(held_keys), len(held_keys))


def test_two_submits_of_one_draft_with_a_file_attached_both_answer_like_the_first(app, web, db, catalog):
    """A double click on "Save and continue" with a file: the second click's upload reads "no file yet",
    then the first click attaches and answers; the second then finds the material taken, replaces the
    file and answers as the first did. The check page's one button then submits one application."""
    service = catalog.service(THREE_DAY_ITEM)
    applicant = make_citizen(db)
    for material in service.materials:
        if material.wallet_cert:
            make_certificate(db, applicant, material.wallet_cert)
    web.login(applicant.login_name)
    edit_url = web.post(f"/apply/{THREE_DAY_ITEM}").headers["Location"]
    token = web.csrf(edit_url)
    cookie = web.client.get_cookie("session").value
    upload = next(m for m in service.materials if not m.wallet_cert)
    first_answered = threading.Event()
    second_waits = threading.Event()

    def hold_the_second(_conn, _cursor, statement, _parameters, _context, _executemany):
        # Right after the second request looked for a file already given for the material.
        if (
            threading.current_thread().name == "second"
            and "attachment.material_key = " in statement
            and not second_waits.is_set()
        ):
            second_waits.set()
            assert first_answered.wait(WORKER_SECONDS)

    def click():
        client = app.test_client()
        client.set_cookie("session", cookie)
        data = {f"f_{k}": v for k, v in complete_values(service).items()}
        data.update({"csrf_token": token, "action": "continue", f"m_{upload.key}": (io.BytesIO(PDF), "exam.pdf")})
        return client.post(edit_url, data=data, content_type="multipart/form-data")

    engine = app.extensions["engine"]
    sql_event.listen(engine, "after_cursor_execute", hold_the_second)
    try:
        with ThreadPoolExecutor(max_workers=1) as executor:
            second_future = executor.submit(_named("second", click))
            assert second_waits.wait(WORKER_SECONDS)
            first = click()
            first_answered.set()
            second = second_future.result(timeout=WORKER_SECONDS)
    finally:
        sql_event.remove(engine, "after_cursor_execute", hold_the_second)

    assert first.status_code == 302 and second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"] == edit_url.removesuffix("/edit") + "/check"
    assert web.post(first.headers["Location"]).status_code == 302
    rows = db.exec(select(Application).where(Application.applicant_id == applicant.id)).all()
    db.refresh(rows[0])
    assert len(rows) == 1 and rows[0].status == ApplicationStatus.SUBMITTED
    files = db.exec(
        select(Attachment).where(Attachment.application_id == rows[0].id, Attachment.material_key == upload.key)
    ).all()
    assert len(files) == 1


def _named(name: str, work):
    def run():
        threading.current_thread().name = name
        return work()

    return run


def test_two_uploads_of_one_material_at_once_leave_the_later_file(session, engine, catalog, store):
    """Both find no file yet; the later insert meets the earlier one's row, tries again and replaces it."""
    service = catalog.service(THREE_DAY_ITEM)
    applicant = make_citizen(session)
    draft = start_draft(session=session, actor=applicant, service_code=THREE_DAY_ITEM, catalog=catalog)
    upload = next(m for m in service.materials if not m.wallet_cert)
    first_stored = threading.Event()
    second_waits = threading.Event()

    def hold_the_second(_conn, _cursor, statement, _parameters, _context, _executemany):
        if (
            threading.current_thread().name == "second"
            and "attachment.material_key = " in statement
            and not second_waits.is_set()
        ):
            second_waits.set()
            assert first_stored.wait(WORKER_SECONDS)

    def attach(filename: str):
        with new_session(engine) as own:
            return attach_upload(
                session=own,
                actor=own.get(User, applicant.id),
                key=draft.key,
                material_key=upload.key,
                filename=filename,
                data=PDF,
                store=store,
                catalog=catalog,
            )

    sql_event.listen(engine, "after_cursor_execute", hold_the_second)
    try:
        with ThreadPoolExecutor(max_workers=1) as executor:
            second_future = executor.submit(_named("second", lambda: attach("second.pdf")))
            assert second_waits.wait(WORKER_SECONDS)
            attach("first.pdf")
            first_stored.set()
            second = second_future.result(timeout=WORKER_SECONDS)
    finally:
        sql_event.remove(engine, "after_cursor_execute", hold_the_second)

    rows = session.exec(select(Attachment).where(Attachment.application_id == draft.id)).all()
    assert [row.filename for row in rows] == ["second.pdf"] and rows[0].key == second.key
    assert [path.name for path in store.root.iterdir()] == [second.storage_name]


def test_writers_on_different_cases_never_wait_on_each_other(session, engine, impatient, catalog, store):
    """One clerk's claim stays uncommitted, its case locked and its chain extended; a claim on another
    case goes through meanwhile (the impatient connection would give up after 5 s of waiting)."""
    first_key, second_key = accepted_cases(session, catalog, store, 2)
    clerk = make_staff(session, Role.CLERK, "TRANSPORT")
    with new_session(engine) as holding:
        task, application, _ = tasks.lock_task_case(holding, first_key)
        fire(
            session=holding,
            subject=task,
            event="claim",
            actor=holding.get(User, clerk.id),
            catalog=catalog,
            case=application,
        )
        holding.flush()  # its event and its chain's new tip are written, the transaction open
        with new_session(impatient) as other:
            claimed = tasks.claim_task(session=other, actor=other.get(User, clerk.id), key=second_key, catalog=catalog)
        assert claimed.status == TaskStatus.CLAIMED
        holding.commit()
    chain = verify_chains(session=session)
    assert chain.ok, chain
