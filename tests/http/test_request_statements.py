"""What a citizen's submit and a clerk's approval cost in SQL statements, pinned so the count cannot grow back.

Both are the hot writes of the load benchmark (bench/load.py). Each statement named below is
one the request needs; a change that adds one must say why here. Counted on the app's engine
over the POST alone (the test client's own post, not `Browser.post`, which reads a page for its
token first), in the steady state where the day's counters exist, on SQLite and PostgreSQL alike.
"""

import pytest
from sqlmodel import func, select

from services.applications.drafts import attach_upload, save_draft, start_draft
from services.casework import desk, tasks
from services.models import Application, ApplicationStatus, AuditEvent, Notification, Role, Task, TaskStatus
from tests.conftest import PDF
from tests.factories import make_certificate, make_citizen, make_staff
from tests.http.test_queries import Statements
from tests.sample import complete_values, submitted

ITEM = "330100-TRANSPORT-003"  # two materials from the wallet, one uploaded; issues a certificate

# user loader; the application; the attached materials (wallet check; the pre-check guard is handed
# them, it does not read them again); the wallet certificates it shares, whose share events go in
# with the submission's; the compare-and-set, which returns the case's chain tip (the row it wrote is
# held until commit, so the tip needs no claim of its own, and the share events placed before it are
# stored after it); one INSERT for the notifications on every channel; one INSERT for the events;
# move the tip, carrying the number and submitted time in the same UPDATE; the events' places in the
# sealer's queue. The public number comes from the process's block: no statement
# (tests/service/test_numbers.py). The answers were saved by the steps before, so the submit no
# longer saves them.
SUBMIT_STATEMENTS = 9
# user loader; lock the case and its task, reading both and the applicant (one statement); the
# open-notice guard; approve's compare-and-set; the case's tasks (read once, after the first write:
# on SQLite that is when the transaction starts to see the other writers' commits); the
# certificate's row (its number from the process's block); the holder's change mark, so the benefit
# sweep looks at them within the minute (services/benefits/changes.py); deliver's compare-and-set, carrying the
# decision, the certificate link and the delivery time; complete's compare-and-set, which returns
# the case's chain tip; one notifications INSERT for the decision and the finished case (queued
# together until the firing ends); the audit of all three, cause first (one INSERT for the three
# events, then moving the tip, which carries the closing time in the same UPDATE) and one INSERT
# queueing them for the sealer.
# The tip is never claimed here: complete's compare-and-set returns it, and on PostgreSQL the
# lock's FOR UPDATE read it already (an approval that leaves the case open needs no claim there;
# on SQLite, whose driver begins the transaction at the first write, after the lock's read, it does).
APPROVE_STATEMENTS = 13
# Whether the catalogue UI published a version is checked at most every CATALOG_REFRESH_SECONDS, not per
# request: the counts hold whenever the check is not due.
pytestmark = pytest.mark.usefixtures("catalogue_checked_just_now")


def _complete_draft(db, catalog, store, citizen) -> Application:
    service = catalog.service(ITEM)
    for material in service.materials:
        if material.wallet_cert:
            make_certificate(db, citizen, material.wallet_cert)
    draft = start_draft(session=db, actor=citizen, service_code=ITEM, catalog=catalog)
    save_draft(session=db, actor=citizen, key=draft.key, values=complete_values(service), catalog=catalog)
    for material in service.materials:
        if not material.wallet_cert:
            attach_upload(
                session=db,
                actor=citizen,
                key=draft.key,
                material_key=material.key,
                filename=f"{material.key}.pdf",
                data=PDF,
                store=store,
                catalog=catalog,
            )
    return draft


def test_a_submit_costs_a_pinned_number_of_statements(app, db, web, catalog):
    store = app.extensions["file_store"]
    submitted(db, catalog, store, ITEM)  # the day's first number creates its counter
    citizen = make_citizen(db)
    draft = _complete_draft(db, catalog, store, citizen)
    web.login(citizen.login_name)
    # The answers were saved step by step; the check-answers page's button only submits.
    form = {"csrf_token": web.csrf(), "action": "submit"}
    with Statements(app.extensions["engine"]) as statements:
        response = web.client.post(f"/applications/{draft.key}/check", data=form)
    assert response.status_code == 302 and response.location.endswith(f"/applications/{draft.key}/submitted")
    db.expire_all()
    application = db.get(Application, draft.id)
    assert application.status == ApplicationStatus.SUBMITTED and application.number
    assert (
        db.exec(select(func.count()).select_from(Notification).where(Notification.application_id == draft.id)).one()
        == 2
    )  # in-app and SMS
    assert statements.count == SUBMIT_STATEMENTS, statements.sql


def _claimed(db, catalog, store, clerk) -> tuple[Application, Task]:
    _, application = submitted(db, catalog, store, ITEM)
    desk.accept_application(session=db, actor=make_staff(db, Role.FRONT_DESK), key=application.key, catalog=catalog)
    task = db.exec(select(Task).where(Task.application_id == application.id)).one()
    tasks.claim_task(session=db, actor=clerk, key=task.key, catalog=catalog)
    return application, task


def test_an_approval_costs_a_pinned_number_of_statements(app, db, web, catalog):
    store = app.extensions["file_store"]
    clerk = make_staff(db, Role.CLERK, "TRANSPORT")
    _, first = _claimed(db, catalog, store, clerk)
    tasks.approve_task(session=db, actor=clerk, key=first.key, catalog=catalog)  # creates the year's counter
    application, task = _claimed(db, catalog, store, clerk)
    web.login(clerk.login_name)
    form = {"csrf_token": web.csrf(), "note": ""}
    events_before = db.exec(select(func.count()).select_from(AuditEvent)).one()
    with Statements(app.extensions["engine"]) as statements:
        response = web.client.post(f"/clerk/tasks/{task.key}/approve", data=form)
    assert response.status_code == 302 and response.location.endswith("/clerk/inbox")
    db.expire_all()
    assert db.get(Task, task.id).status == TaskStatus.DELIVERED and db.get(Task, task.id).certificate_id
    assert db.get(Application, application.id).status == ApplicationStatus.COMPLETED
    assert db.exec(select(func.count()).select_from(AuditEvent)).one() == events_before + 3
    assert statements.count == APPROVE_STATEMENTS, statements.sql


def test_a_task_move_alone_claims_the_case_tip_only_on_sqlite(app, db, web, catalog):
    """A release moves the task, not its case: on PostgreSQL the case lock's FOR UPDATE read holds the
    tip, so nothing claims it; on SQLite, whose transaction starts after that read, the claim reads it."""
    store = app.extensions["file_store"]
    clerk = make_staff(db, Role.CLERK, "TRANSPORT")
    _, task = _claimed(db, catalog, store, clerk)
    web.login(clerk.login_name)
    with Statements(app.extensions["engine"]) as statements:
        response = web.client.post(f"/clerk/tasks/{task.key}/release", data={"csrf_token": web.csrf()})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Task, task.id).status == TaskStatus.READY
    claims = [
        sql for sql in statements.sql if sql.startswith("UPDATE application SET audit_length=application.audit_length")
    ]
    assert len(claims) == (0 if app.extensions["engine"].dialect.name == "postgresql" else 1), statements.sql
