"""The workflow on a real database: acceptance, one notice, queues, clocks, bundles, delivery."""

import threading
from datetime import date

import pytest
from sqlmodel import select

from services.applications.submission import rate_application, resubmit_application, supplement_material
from services.audit_check import verify_chains
from services.casework import desk, tasks
from services.db import new_session
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.models import (
    Application,
    ApplicationStatus,
    Attachment,
    Certificate,
    Notice,
    Rectification,
    Role,
    Task,
    TaskStatus,
    Visit,
)
from services.supervision import answer_rectification, open_rectifications
from tests.conftest import PDF
from tests.factories import make_staff
from tests.sample import newborn, submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"
TOLERANT_ITEM = "330100-HRSS-003"  # personnel_file is a non-core material


@pytest.fixture
def front_desk(session):
    return make_staff(session, Role.FRONT_DESK)


def clerk(session, department):
    return make_staff(session, Role.CLERK, department)


def tasks_by_item(session, application) -> dict[str, Task]:
    session.expire_all()
    return {t.item_code: t for t in session.exec(select(Task).where(Task.application_id == application.id))}


def reload(session, application) -> Application:
    session.expire_all()
    return session.get(Application, application.id)


def work_through(session, catalog, task: Task, approve=True, reason="材料不符合要求"):
    """A clerk of the task's department claims and decides it."""
    decider = clerk(session, task.department)
    tasks.claim_task(session=session, actor=decider, key=task.key, catalog=catalog)
    if approve:
        tasks.approve_task(session=session, actor=decider, key=task.key, catalog=catalog)
    else:
        tasks.reject_task(session=session, actor=decider, key=task.key, catalog=catalog, reason=reason)
    return decider


# --- acceptance and the working-day clock ------------------------------------------


def test_accepting_a_3_day_item_on_friday_13_february_2026_gives_25_february(session, catalog, store, at, front_desk):
    at(2026, 2, 13)
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    application = reload(session, application)
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.deadline == date(2026, 2, 25)
    assert tasks_by_item(session, application)[THREE_DAY_ITEM].deadline == date(2026, 2, 25)


def test_a_deadline_starting_30_december_2026_resolves_into_2027(session, catalog, store, at, front_desk):
    at(2026, 12, 30)
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    # 12-31 is day 1; 2027-01-01..03 are off; 01-04 is day 2 and 01-05 day 3.
    assert reload(session, application).deadline == date(2027, 1, 5)


def test_suspension_of_two_working_days_moves_the_deadline_by_two(session, catalog, store, at, front_desk):
    at(2026, 11, 2)  # a Monday
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    task = tasks_by_item(session, application)[THREE_DAY_ITEM]
    before = task.deadline
    decider = clerk(session, task.department)
    tasks.claim_task(session=session, actor=decider, key=task.key, catalog=catalog)
    at(2026, 11, 3)
    tasks.suspend_task(
        session=session, actor=decider, key=task.key, catalog=catalog, procedure="expert_review", reason="需专家评审"
    )
    assert reload(session, application).status == ApplicationStatus.SUSPENDED
    at(2026, 11, 5)
    tasks.resume_task(session=session, actor=decider, key=task.key, catalog=catalog)
    task = tasks_by_item(session, application)[THREE_DAY_ITEM]
    assert (before, task.deadline, task.paused_days) == (date(2026, 11, 5), date(2026, 11, 9), 2)
    assert reload(session, application).status == ApplicationStatus.IN_REVIEW


# --- one-time notice -----------------------------------------------------------------


def _notice(session, catalog, front_desk, application, new_fact=None):
    service = catalog.service(application.service_code)
    items = [desk.NoticeItem("material", service.materials[0].key, "扫描件不清晰")]
    return desk.issue_notice(
        session=session, actor=front_desk, key=application.key, catalog=catalog, items=items, new_fact=new_fact
    )


def test_a_second_notice_is_refused_and_counted_as_breach_when_forced_with_a_new_fact(
    session, catalog, store, front_desk
):
    applicant, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    _notice(session, catalog, front_desk, application)
    assert reload(session, application).status == ApplicationStatus.NEEDS_CORRECTION
    resubmit_application(session=session, actor=applicant, key=application.key, catalog=catalog)
    assert reload(session, application).status == ApplicationStatus.SUBMITTED
    with pytest.raises(Conflict, match="new fact"):
        _notice(session, catalog, front_desk, application)
    assert reload(session, application).status == ApplicationStatus.SUBMITTED
    _notice(session, catalog, front_desk, application, new_fact="申请人更改了驾驶证类型")
    notices = session.exec(select(Notice).where(Notice.application_id == application.id).order_by(Notice.id)).all()
    assert [n.breach for n in notices] == [False, True]
    assert notices[0].answered_at is not None and notices[1].answered_at is None


def test_notice_items_are_frozen_with_their_reasons(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    service = catalog.service(THREE_DAY_ITEM)
    items = [
        desk.NoticeItem("field", service.fields[0].key, "与身份证不一致"),
        desk.NoticeItem("material", service.materials[-1].key, "已过期"),
    ]
    desk.issue_notice(session=session, actor=front_desk, key=application.key, catalog=catalog, items=items)
    notice = session.exec(select(Notice).where(Notice.application_id == application.id)).one()
    assert [(i["kind"], i["key"], i["reason"]) for i in notice.items] == [
        ("field", service.fields[0].key, "与身份证不一致"),
        ("material", service.materials[-1].key, "已过期"),
    ]
    assert notice.items[0]["label"]["zh"] == service.fields[0].label.zh


def test_a_notice_without_a_reason_per_item_is_refused(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    service = catalog.service(THREE_DAY_ITEM)
    with pytest.raises(Invalid):
        desk.issue_notice(
            session=session,
            actor=front_desk,
            key=application.key,
            catalog=catalog,
            items=[desk.NoticeItem("material", service.materials[0].key, "  ")],
        )


def test_refusing_needs_a_reason(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    with pytest.raises(Invalid):
        desk.refuse_application(session=session, actor=front_desk, key=application.key, catalog=catalog, reason=" ")
    desk.refuse_application(
        session=session, actor=front_desk, key=application.key, catalog=catalog, reason="不属于本中心受理范围"
    )
    assert reload(session, application).status == ApplicationStatus.NOT_ACCEPTED


# --- tolerated gap -------------------------------------------------------------------


def test_decision_is_blocked_while_a_tolerated_gap_is_open(session, catalog, store, front_desk):
    applicant, application = submitted(session, catalog, store, TOLERANT_ITEM, leave_out=("personnel_file",))
    with pytest.raises(Invalid):
        desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog, tolerate=True)
    task = tasks_by_item(session, application)[TOLERANT_ITEM]
    assert task.owed_materials == ["personnel_file"] and task.supplement_due
    decider = clerk(session, task.department)
    tasks.claim_task(session=session, actor=decider, key=task.key, catalog=catalog)
    with pytest.raises(Invalid, match="tolerated"):
        tasks.approve_task(session=session, actor=decider, key=task.key, catalog=catalog)
    supplement_material(
        session=session,
        actor=applicant,
        key=application.key,
        material_key="personnel_file",
        filename="file.pdf",
        data=PDF,
        store=store,
        catalog=catalog,
    )
    tasks.approve_task(session=session, actor=decider, key=task.key, catalog=catalog)
    assert reload(session, application).status == ApplicationStatus.COMPLETED


def test_a_core_gap_cannot_be_tolerated(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, TOLERANT_ITEM)
    row = session.exec(
        select(Attachment).where(Attachment.application_id == application.id, Attachment.source == "wallet")
    ).first()
    session.delete(row)
    session.commit()
    with pytest.raises(Invalid, match="non-core"):
        desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog, tolerate=True)


# --- department queues ---------------------------------------------------------------


def test_a_clerk_of_another_department_finds_no_task_to_claim_or_decide(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    task = tasks_by_item(session, application)[THREE_DAY_ITEM]
    outsider = clerk(session, "HEALTH")
    with pytest.raises(NotFound):
        tasks.claim_task(session=session, actor=outsider, key=task.key, catalog=catalog)
    insider = clerk(session, task.department)
    tasks.claim_task(session=session, actor=insider, key=task.key, catalog=catalog)
    with pytest.raises(NotFound):
        tasks.approve_task(session=session, actor=outsider, key=task.key, catalog=catalog)
    colleague = clerk(session, task.department)
    with pytest.raises(NotAllowed):
        tasks.approve_task(session=session, actor=colleague, key=task.key, catalog=catalog)


def test_two_clerks_claiming_one_task_one_wins_and_the_other_is_told(engine, session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    task = tasks_by_item(session, application)[THREE_DAY_ITEM]
    clerks = [clerk(session, task.department) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def claim(actor):
        with new_session(engine) as own:
            barrier.wait()
            try:
                tasks.claim_task(session=own, actor=actor, key=task.key, catalog=catalog)
                outcomes.append("won")
            except Conflict as error:
                outcomes.append(error.message)

    threads = [threading.Thread(target=claim, args=(c,)) for c in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["another clerk has already claimed this task", "won"]
    assert tasks_by_item(session, application)[THREE_DAY_ITEM].assignee_id in {c.id for c in clerks}
    assert verify_chains(session=session).ok


def test_queue_inbox_and_archive(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    task = tasks_by_item(session, application)[THREE_DAY_ITEM]
    me = clerk(session, task.department)
    assert [r.task.key for r in tasks.department_queue(session=session, actor=me)] == [task.key]
    tasks.claim_task(session=session, actor=me, key=task.key, catalog=catalog)
    assert tasks.department_queue(session=session, actor=me) == []
    assert [r.task.key for r in tasks.inbox(session=session, actor=me)] == [task.key]
    tasks.approve_task(session=session, actor=me, key=task.key, catalog=catalog)
    assert [r.task.key for r in tasks.archive(session=session, actor=me)] == [task.key]
    assert tasks.inbox(session=session, actor=me) == []


def test_extension_is_granted_by_a_supervisor_and_moves_the_deadline(session, catalog, store, front_desk, at):
    at(2026, 11, 2)
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    task = tasks_by_item(session, application)[THREE_DAY_ITEM]
    me = clerk(session, task.department)
    tasks.claim_task(session=session, actor=me, key=task.key, catalog=catalog)
    tasks.request_extension(session=session, actor=me, key=task.key, catalog=catalog, days=2, reason="需现场核验")
    with pytest.raises(Conflict):
        tasks.request_extension(session=session, actor=me, key=task.key, catalog=catalog, days=1, reason="再延")
    supervisor = make_staff(session, Role.SUPERVISOR)
    assert len(tasks.pending_extensions(session=session, actor=supervisor)) == 1
    tasks.decide_extension(session=session, actor=supervisor, key=task.key, catalog=catalog, grant=True)
    assert tasks_by_item(session, application)[THREE_DAY_ITEM].deadline == date(2026, 11, 9)
    with pytest.raises(NotAllowed):
        tasks.decide_extension(session=session, actor=me, key=task.key, catalog=catalog, grant=True)


# --- bundles, delivery, wallet -------------------------------------------------------------


def test_newborn_bundle_fans_out_and_in_to_certificates_in_the_wallet(session, catalog, store, front_desk):
    bundle = newborn(catalog)
    applicant, application = submitted(session, catalog, store, bundle.code)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    by_item = tasks_by_item(session, application)
    assert {code for code, t in by_item.items() if t.status == TaskStatus.WAITING} == {
        code for code in bundle.item_codes if bundle.depends.get(code)
    }
    for _ in range(len(bundle.items)):
        ready = [t for t in tasks_by_item(session, application).values() if t.status == TaskStatus.READY]
        if not ready:
            break
        for task in ready:
            work_through(session, catalog, task)
    by_item = tasks_by_item(session, application)
    assert {t.status for t in by_item.values()} == {TaskStatus.DELIVERED}
    assert reload(session, application).status == ApplicationStatus.COMPLETED
    issued = session.exec(select(Certificate).where(Certificate.application_id == application.id)).all()
    assert len(issued) == len([i for i in bundle.items if i.result_certificate])
    hukou = next(c for c in issued if c.cert_type == "hukou_registration")
    assert len(hukou.data["child_id_number"]) == 18
    assert session.exec(select(Visit).where(Visit.application_id == application.id)).all() == []
    assert verify_chains(session=session).ok


def test_a_rejected_prerequisite_cancels_its_dependents_and_partly_completes(session, catalog, store, front_desk):
    bundle = newborn(catalog)
    _, application = submitted(session, catalog, store, bundle.code)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    first = next(
        code
        for code in bundle.item_codes
        if not bundle.depends.get(code) and any(code in deps for deps in bundle.depends.values())
    )
    for task in tasks_by_item(session, application).values():
        if task.status == TaskStatus.READY:
            work_through(session, catalog, task, approve=task.item_code != first)
    statuses = {code: t.status for code, t in tasks_by_item(session, application).items()}
    assert statuses[first] == TaskStatus.REJECTED
    downstream = [code for code in bundle.item_codes if first in bundle.upstream(code)]
    assert downstream and all(statuses[code] == TaskStatus.CANCELLED for code in downstream)
    assert reload(session, application).status == ApplicationStatus.PARTIALLY_COMPLETED


def test_posted_results_complete_only_when_delivered_and_window_collection_is_a_visit(
    session, catalog, store, front_desk
):
    _, application = submitted(session, catalog, store, "330100-HRSS-011", delivery_method="post")
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    task = tasks_by_item(session, application)["330100-HRSS-011"]
    work_through(session, catalog, task)
    assert reload(session, application).status == ApplicationStatus.IN_REVIEW
    with pytest.raises(Invalid):
        desk.deliver_task(session=session, actor=front_desk, task_key=task.key, catalog=catalog)
    desk.deliver_task(
        session=session, actor=front_desk, task_key=task.key, catalog=catalog, tracking_number="SF1234567890"
    )
    assert reload(session, application).status == ApplicationStatus.COMPLETED

    _, by_window = submitted(session, catalog, store, "330100-HRSS-011", delivery_method="window")
    desk.accept_application(session=session, actor=front_desk, key=by_window.key, catalog=catalog)
    task = tasks_by_item(session, by_window)["330100-HRSS-011"]
    work_through(session, catalog, task)
    desk.deliver_task(session=session, actor=front_desk, task_key=task.key, catalog=catalog)
    visits = session.exec(select(Visit).where(Visit.application_id == by_window.id)).all()
    assert len(visits) == 1 and visits[0].beyond_promise == (catalog.items["330100-HRSS-011"].max_visits < 1)


def test_a_visit_beyond_the_promise_is_flagged(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    assert catalog.items[THREE_DAY_ITEM].max_visits == 0
    desk.record_visit(session=session, actor=front_desk, key=application.key, catalog=catalog, purpose="核验原件")
    visit = session.exec(select(Visit).where(Visit.application_id == application.id)).one()
    assert visit.beyond_promise


def test_instant_items_are_decided_at_acceptance(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, "330100-CIVIL-001")
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    assert reload(session, application).status == ApplicationStatus.COMPLETED


def test_a_poor_rating_opens_a_rectification_due_in_five_working_days(session, catalog, store, front_desk, at):
    at(2026, 11, 6)  # a Friday
    applicant, application = submitted(session, catalog, store, "330100-CIVIL-001")
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    with pytest.raises(Invalid):
        rate_application(session=session, actor=applicant, key=application.key, catalog=catalog, score=7)
    rate_application(session=session, actor=applicant, key=application.key, catalog=catalog, score=2, comment="等太久")
    rectification = session.exec(select(Rectification)).one()
    assert (rectification.department, rectification.due) == ("CIVIL", date(2026, 11, 13))
    with pytest.raises(Conflict):
        rate_application(session=session, actor=applicant, key=application.key, catalog=catalog, score=5)


def _completed_bundle(session, catalog, store, front_desk):
    bundle = newborn(catalog)
    applicant, application = submitted(session, catalog, store, bundle.code)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    for _ in range(len(bundle.items)):
        ready = [t for t in tasks_by_item(session, application).values() if t.status == TaskStatus.READY]
        for task in ready:
            work_through(session, catalog, task)
    return applicant, application


def test_a_poor_rating_of_a_bundle_opens_a_rectification_for_each_department_that_handled_it(
    session, catalog, store, front_desk
):
    applicant, application = _completed_bundle(session, catalog, store, front_desk)
    handled = {task.department for task in tasks_by_item(session, application).values()}
    assert len(handled) > 1
    rate_application(
        session=session, actor=applicant, key=application.key, catalog=catalog, score=1, comment="跑了四个部门"
    )
    rectifications = session.exec(select(Rectification)).all()
    assert sorted(r.department for r in rectifications) == sorted(handled)

    # Each department's supervisor sees and closes its own; the others stay open.
    first, *others = rectifications
    supervisor = make_staff(session, Role.SUPERVISOR, first.department)
    assert [row.rectification.key for row in open_rectifications(session=session, actor=supervisor)] == [first.key]
    with pytest.raises(NotFound):
        answer_rectification(session=session, actor=supervisor, key=others[0].key, answer="不归我们")
    answer_rectification(session=session, actor=supervisor, key=first.key, answer="已整改")
    session.expire_all()
    assert [r.status for r in session.exec(select(Rectification).order_by(Rectification.id))] == ["answered"] + [
        "open"
    ] * len(others)
    city = make_staff(session, Role.SUPERVISOR)
    assert {row.rectification.key for row in open_rectifications(session=session, actor=city)} == {
        r.key for r in others
    }


def test_a_department_whose_task_was_cancelled_owes_no_rectification(session, catalog, store, front_desk):
    bundle = newborn(catalog)
    applicant, application = submitted(session, catalog, store, bundle.code)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    first = next(t for t in tasks_by_item(session, application).values() if t.status == TaskStatus.READY)
    work_through(session, catalog, first, approve=False)
    for _ in range(len(bundle.items)):
        for task in [t for t in tasks_by_item(session, application).values() if t.status == TaskStatus.READY]:
            work_through(session, catalog, task)
    by_item = tasks_by_item(session, application).values()
    handled = {t.department for t in by_item if t.status != TaskStatus.CANCELLED}
    only_cancelled = {t.department for t in by_item} - handled
    assert only_cancelled, "the bundle's catalogue no longer has a department whose only task a rejection cancels"
    rate_application(session=session, actor=applicant, key=application.key, catalog=catalog, score=1)
    assert {r.department for r in session.exec(select(Rectification))} == handled
