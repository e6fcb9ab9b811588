"""The life of a case, step by step, through the real services and the transition table.

Each script is a generator: it acts at the current (frozen) moment and yields the moment
of its next step. The application's script runs up to acceptance and starts one script
per task as tasks become ready; tasks start delivery scripts; whoever finishes the case
starts the rating. A step that would come after the end is never run.
"""

from datetime import time

from sqlmodel import select

from seeding.timeline import Script, china_moment
from seeding.world import RATEABLE, RUNNING, Case, World, add_prelude_certificates
from services import clock
from services.applications.drafts import attach_upload, opening_values, save_draft, start_draft
from services.applications.submission import (
    rate_application,
    resubmit_application,
    submit_application,
    supplement_material,
    withdraw_application,
)
from services.casework import desk, tasks
from services.casework.assisted import BroughtFile, WalkIn, file_for_walk_in
from services.enterprise.office import escalate_overdue_requests
from services.models import ApplicationStatus, Attachment, Rating, Rectification, Role, TaskStatus
from services.sla import sweep
from services.supervision import answer_rectification
from services.workflow.shared import tasks_of
from services.workflow.task_rules import PROCEDURES

S = ApplicationStatus
# A clerk stops looking at a case whose applicant has not answered for this long.
MAX_WAIT_WORKING_DAYS = 60
# An overdue demo or showcase task is decided this long after its deadline: after the seeded year ends.
OVERDUE_WORKING_DAYS = 300
# Nobody asks for more time on a task promised in fewer working days.
MIN_DAYS_FOR_EXTENSION = 5


def application_script(w: World, case: Case) -> Script:
    rng, fate, catalog = case.rng, case.fate, w.catalog
    session = w.session
    service = catalog.service(case.service_code)
    applicant = w.user(case.holder.user_id)
    if case.adopt_key is None and fate.assisted and Role.CITIZEN in service.applicant_types:
        add_prelude_certificates(session=session, catalog=catalog, owner=applicant, case=case)
        yield w.staff_after(rng, rng.uniform(20, 600))  # they come in while the hall is open
        filed = file_for_walk_in(
            session=session,
            actor=w.front_desk(rng),
            catalog=catalog,
            store=w.store,
            person=WalkIn(applicant.id_number or "", applicant.full_name, applicant.mobile or ""),
            service_code=service.code,
            answers=case.story.form(service.fields, opening_values(session, service, applicant)),
            files=[BroughtFile(m.key, *w.sample(m.key, case)) for m in service.materials if m.required],
            delivery_method=fate.delivery,
        )
        case.key, case.application_id = filed.application.key, filed.application.id
    elif case.adopt_key is None:
        add_prelude_certificates(session=session, catalog=catalog, owner=applicant, case=case)
        draft = start_draft(session=session, actor=applicant, service_code=service.code, catalog=catalog)
        case.key, case.application_id = draft.key, draft.id
        save_draft(
            session=session,
            actor=applicant,
            key=draft.key,
            catalog=catalog,
            delivery_method=fate.delivery,
            values=case.story.form(service.fields, draft.form_data),
        )
        yield w.online_after(rng, minutes=rng.randint(3, 25))
        attached = set(
            session.exec(select(Attachment.material_key).where(Attachment.application_id == case.application_id)).all()
        )
        for material in service.materials:
            wanted = material.required or rng.random() < 0.4
            if material.key in attached or material.key == fate.left_out or not wanted:
                continue
            upload(w, case, applicant, material.key)
        if fate.abandoned:
            return
        yield w.online_after(rng, minutes=rng.randint(2, 40))
        submit_application(session=session, actor=applicant, key=case.key, catalog=catalog)
        if fate.withdrawn:
            yield w.online_after(rng, hours=rng.uniform(0.3, 20))
            withdraw_application(session=session, actor=applicant, key=case.key, catalog=catalog)
            return
    yield from desk_review(w, case)


def upload(w: World, case: Case, applicant, material_key: str) -> None:
    filename, data = w.sample(material_key, case)
    attach_upload(
        session=w.session,
        actor=applicant,
        key=case.key,
        material_key=material_key,
        filename=filename,
        data=data,
        store=w.store,
        catalog=w.catalog,
    )


def desk_review(w: World, case: Case) -> Script:
    rng, fate, catalog, session = case.rng, case.fate, w.catalog, w.session
    visits_left = fate.counter_visits
    while True:
        yield w.staff_after(rng, rng.uniform(20, 600))
        application = w.application(case)
        if application.status != S.SUBMITTED:
            return
        clerk = w.front_desk(rng)
        for _ in range(visits_left):
            desk.record_visit(
                session=session, actor=clerk, key=case.key, catalog=catalog, purpose=w.pools.pick("visit_purposes")
            )
        visits_left = 0
        if fate.refused:
            desk.refuse_application(
                session=session, actor=clerk, key=case.key, catalog=catalog, reason=w.pools.pick("refusals")
            )
            return
        missing = fate.left_out if fate.left_out and not _attached(w, case, fate.left_out) else None
        if case.notices < fate.notices or (missing and not fate.tolerated):
            yield from notice_and_answer(w, case, clerk, missing)
            if w.application(case).status != S.SUBMITTED:
                return
            continue
        desk.accept_application(session=session, actor=clerk, key=case.key, catalog=catalog, tolerate=bool(missing))
        if missing:
            w.start(supplement_script(w, case, missing), case, "supplement")
        follow_up(w, case)
        return


def _attached(w: World, case: Case, material_key: str) -> bool:
    return (
        w.session.exec(
            select(Attachment.id).where(
                Attachment.application_id == case.application_id, Attachment.material_key == material_key
            )
        ).first()
        is not None
    )


def notice_and_answer(w: World, case: Case, clerk, missing: str | None, reason: str | None = None) -> Script:
    """One notice listing every gap; the applicant fixes all of it and resubmits in one go (or never does)."""
    rng, session, catalog = case.rng, w.session, w.catalog
    service = catalog.service(case.service_code)
    uploaded = [m.key for m in service.materials if _attached(w, case, m.key) and not m.wallet_cert]
    items = [desk.NoticeItem("material", missing, w.pools.pick("notice_reasons"))] if missing else []
    for key in rng.sample(uploaded, min(len(uploaded), rng.randint(0 if items else 1, 2))):
        items.append(desk.NoticeItem("material", key, reason or w.pools.pick("notice_reasons")))
    if not items:
        written = [spec.key for spec in service.fields if spec.type in ("text", "address") and spec.required]
        key = rng.choice(written or [spec.key for spec in service.fields])
        items.append(desk.NoticeItem("field", key, w.pools.pick("notice_reasons")))
    new_fact = w.pools.pick("new_facts") if case.notices else None
    desk.issue_notice(session=session, actor=clerk, key=case.key, catalog=catalog, items=items, new_fact=new_fact)
    case.notices += 1
    if case.fate.notice_unanswered:
        # Withdrawing after acceptance would leave the departments' tasks open; only before it is it a way out.
        if case.fate.gives_up and w.application(case).accepted_at is None:
            yield w.online_after(rng, days=rng.randint(5, 30))
            withdraw_application(session=session, actor=w.user(case.holder.user_id), key=case.key, catalog=catalog)
        return
    yield w.online_after(rng, hours=rng.uniform(1, 72))
    applicant = w.user(case.holder.user_id)
    specs = {spec.key: spec for spec in service.fields}
    fields = {item.key: case.story.value(item.key, specs[item.key]) for item in items if item.kind == "field"}
    if fields:
        save_draft(session=session, actor=applicant, key=case.key, catalog=catalog, values=fields)
    for item in items:
        if item.kind == "material":
            upload(w, case, applicant, item.key)
    resubmit_application(session=session, actor=applicant, key=case.key, catalog=catalog)


def follow_up(w: World, case: Case) -> None:
    """Start what the case's state now calls for: ready tasks, deliveries, the rating."""
    application = w.application(case)
    for task in tasks_of(w.session, application):
        if task.status == TaskStatus.READY:
            w.start(task_script(w, case, task.key), case, f"task {task.key}")
        elif task.status == TaskStatus.APPROVED:
            w.start(delivery_script(w, case, task.key), case, f"delivery {task.key}")
    if application.status in RATEABLE:
        w.start(rating_script(w, case), case, "rating")


def task_script(w: World, case: Case, task_key: str) -> Script:
    rng, session, catalog = case.rng, w.session, w.catalog
    odds = w.settings.tasks
    task = w.task(task_key)
    order = case.fate.task_orders.get(task.item_code)

    def draws(name: str) -> bool:
        return order == name or (not case.fate.calm and order is None and rng.random() < odds[name])

    if order == "unclaimed":  # the department has not got to it by the end of the year
        return
    late = "overdue" if order == "overdue" else draws("late")

    def soon(low: float, high: float):
        """A while later; a clerk who means to decide in time keeps to the first part of the time left."""
        minutes = rng.uniform(low, high)
        deadline = w.task(task_key).deadline
        if not late and deadline is not None:
            left = w.timeline.working_minutes_until(clock.now(), w.timeline.closing(deadline))
            minutes = min(minutes, max(5.0, left * rng.uniform(0.05, 0.3)))
        return w.staff_after(rng, minutes)

    low, high = odds["claim_working_hours"]
    yield soon(low * 60, high * 60)
    if w.task(task_key).status != TaskStatus.READY:
        return
    clerk = w.clerk(task.department, rng)
    tasks.claim_task(session=session, actor=clerk, key=task_key, catalog=catalog)
    if draws("released"):
        yield soon(10, 120)
        tasks.release_task(session=session, actor=clerk, key=task_key, catalog=catalog)
        clerk = w.clerk(task.department, rng, besides=clerk)
        yield soon(30, 240)
        tasks.claim_task(session=session, actor=clerk, key=task_key, catalog=catalog)
    if draws("notice_request") and w.application(case).status == S.IN_REVIEW and w.open_notice(case) is None:
        yield from department_notice(w, case, clerk, task_key)
    if draws("suspended") and w.task(task_key).status == TaskStatus.CLAIMED:
        yield soon(60, 960)
        procedure = rng.choice(sorted(PROCEDURES))
        tasks.suspend_task(
            session=session,
            actor=clerk,
            key=task_key,
            catalog=catalog,
            procedure=procedure,
            reason=w.pools.pick("suspension_reasons"),
        )
        days = case.fate.suspension_days or rng.randint(*odds["suspension_working_days"])
        yield w.working_days_later(rng, days)
        tasks.resume_task(session=session, actor=clerk, key=task_key, catalog=catalog)
    if task.promised_days >= MIN_DAYS_FOR_EXTENSION and draws("extension"):
        yield soon(60, 960)
        tasks.request_extension(
            session=session,
            actor=clerk,
            key=task_key,
            catalog=catalog,
            days=rng.randint(*odds["extension_days"]),
            reason=w.pools.pick("extension_reasons"),
        )
        yield w.staff_after(rng, rng.uniform(30, 480))
        granted = rng.random() < odds["extension_granted"]
        answer = w.pools.pick("extension_answers_granted" if granted else "extension_answers_refused")
        tasks.decide_extension(
            session=session,
            actor=w.supervisor(task.department, rng),
            key=task_key,
            catalog=catalog,
            grant=granted,
            answer=answer,
        )
    rejected = draws("rejected")
    waited = 0
    while True:
        task = w.task(task_key)
        if task.status != TaskStatus.CLAIMED or waited > MAX_WAIT_WORKING_DAYS:
            return
        if task.owed_materials or w.open_notice(case) is not None:
            waited += 1
            yield w.working_days_later(rng, 1)
            continue
        yield decision_moment(w, case, task, late)
        task = w.task(task_key)
        if task.status != TaskStatus.CLAIMED or task.owed_materials or w.open_notice(case) is not None:
            continue
        break
    if rejected:
        tasks.reject_task(
            session=session, actor=clerk, key=task_key, catalog=catalog, reason=w.pools.pick("rejections")
        )
    else:
        tasks.approve_task(session=session, actor=clerk, key=task_key, catalog=catalog)
    follow_up(w, case)


def decision_moment(w: World, case: Case, task, late: bool | str):
    """Before the deadline as a rule, mostly well before; after it when late; an overdue task waits past the end."""
    rng, calendar = case.rng, w.timeline.calendar
    if late:
        days = OVERDUE_WORKING_DAYS if late == "overdue" else rng.randint(1, 6)
        day = calendar.add_working_days(max(task.deadline, clock.china_today()), days)
        return max(w.timeline.working_moment(day, rng), w.staff_after(rng, 10))
    left = w.timeline.working_minutes_until(clock.now(), w.timeline.closing(task.deadline))
    return w.staff_after(rng, max(5.0, left * min(rng.random(), rng.random())))


def department_notice(w: World, case: Case, clerk, task_key: str) -> Script:
    """The department asks the front desk for a notice; the desk issues it; the applicant answers."""
    rng = case.rng
    yield w.staff_after(rng, rng.uniform(30, 300))
    reason = w.pools.pick("notice_requests")
    tasks.request_notice(session=w.session, actor=clerk, key=task_key, catalog=w.catalog, reason=reason)
    yield w.staff_after(rng, rng.uniform(30, 480))
    if w.application(case).status not in (S.ACCEPTED, S.IN_REVIEW):
        return
    yield from notice_and_answer(w, case, w.front_desk(rng), None, reason=reason)


def delivery_script(w: World, case: Case, task_key: str) -> Script:
    rng, session = case.rng, w.session
    task = w.task(task_key)
    tracking = None
    if task.delivery_method == "post":
        yield w.staff_after(rng, rng.uniform(30, 300))
        tracking = rng.choice(("SF", "EMS", "YT")) + w.pools.digits(12, "1")
    else:  # collected at the window
        yield w.working_days_later(rng, rng.randint(1, 5))
    if w.task(task_key).status != TaskStatus.APPROVED:
        return
    desk.deliver_task(
        session=session, actor=w.front_desk(rng), task_key=task_key, catalog=w.catalog, tracking_number=tracking
    )
    follow_up(w, case)


def supplement_script(w: World, case: Case, material_key: str) -> Script:
    """容缺: the owed material arrives before its due date, or never (and the SLA sweep ends the case)."""
    rng, session = case.rng, w.session
    if case.fate.supplement_missed:
        return
    owing = [t for t in tasks_of(session, w.application(case)) if material_key in t.owed_materials]
    due = min(t.supplement_due for t in owing)
    days_left = max(0, w.timeline.calendar.working_days_between(clock.china_today(), due))
    yield w.online_after(rng, hours=rng.uniform(2, 24 * max(1, days_left)))
    if w.application(case).status not in RUNNING:
        return
    applicant = w.user(case.holder.user_id)
    filename, data = w.sample(material_key, case)
    supplement_material(
        session=session,
        actor=applicant,
        key=case.key,
        material_key=material_key,
        filename=filename,
        data=data,
        store=w.store,
        catalog=w.catalog,
    )


def rating_script(w: World, case: Case) -> Script:
    rng, fate = case.rng, case.fate
    if fate.rating is None:
        return
    yield w.online_after(rng, hours=rng.uniform(0.2, 96))
    applicant = w.user(case.holder.user_id)
    comment = w.pools.pick("poor_comments" if fate.rating <= 2 else "good_comments") if fate.rating != 3 else ""
    rate_application(
        session=w.session, actor=applicant, key=case.key, catalog=w.catalog, score=fate.rating, comment=comment
    )
    if fate.rating > 2 or not fate.rectification_answered:
        return
    yield w.working_days_later(rng, rng.randint(1, 4))
    rating = w.session.exec(select(Rating).where(Rating.application_id == case.application_id)).one()
    for rectification in w.session.exec(
        select(Rectification).where(Rectification.rating_id == rating.id, Rectification.status == "open")
    ).all():
        answer_rectification(
            session=w.session,
            actor=w.supervisor(rectification.department, rng),
            key=rectification.key,
            answer=w.pools.pick("rectification_answers"),
        )


class Routine:
    """What runs on its own every working day, like the SLA sweep a scheduler starts."""

    cut_at = None

    def __str__(self) -> str:
        return "the daily SLA sweep"


def sweep_script(w: World) -> Script:
    """Every working morning before opening: recolour deadlines, warn, end expired tolerated gaps, escalate requests."""
    while True:
        sweep(session=w.session, catalog=w.catalog)
        escalate_overdue_requests(session=w.session, catalog=w.catalog)
        yield china_moment(w.timeline.calendar.next_working_day(clock.china_today()), time(7, 0))
