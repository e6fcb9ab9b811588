"""Guards and effects of the task rows: the clock, decisions, fan-out and fan-in of bundles."""

from sqlalchemy import insert
from sqlmodel import col, select

from services import clock
from services.benefits.changes import mark_changed
from services.errors import Conflict, Invalid
from services.i18n import N_, Nn_
from services.identity import id_number_check_char
from services.models import (
    ApplicationStatus,
    Certificate,
    ExtensionRequest,
    Role,
    TaskStatus,
    User,
)
from services.models.cases import TRACKING_NUMBER_MAX_LENGTH
from services.notifications import notify, notify_staff
from services.requirements.fields import FieldError, refuse_if_too_long
from services.workflow.numbers import next_number
from services.workflow.shared import (
    has_open_notice,
    record_visit_row,
    resume_task_clock,
    stretch_application_deadline,
)

PROCEDURES = {
    "site_inspection": N_("Site inspection"),
    "expert_review": N_("Expert review"),
    "public_notice": N_("Public notice period"),
    "hearing": N_("Hearing"),
    "quarantine": N_("Testing or quarantine"),
}
MAX_EXTENSION_DAYS = 30
# Registering a newborn's hukou is where the public security bureau allocates the ID number.
ALLOCATED_NUMBERS = {"hukou_registration": "child_id_number"}

# Module level, so the wording is known to whoever shows the stored message, in any process.
EXTENSION_ASKED = Nn_(
    "Extension of %(days)s working day asked for on %(number)s",
    "Extension of %(days)s working days asked for on %(number)s",
    count="days",
)


# --- the clock ----------------------------------------------------------------


def start_clock(firing) -> None:
    task = firing.task
    task.started_on = firing.today
    task.deadline = firing.calendar.add_working_days(firing.today, task.promised_days + task.extension_days)
    firing.session.add(task)
    stretch_application_deadline(firing, task)
    firing.record["deadline"] = task.deadline.isoformat()


def pause_clock(firing) -> None:
    task = firing.task
    if task.paused_since is None:
        task.paused_since = firing.today
    task.suspension = {
        "procedure": firing.given["procedure"],
        "reason": firing.reason,
        "since": firing.today.isoformat(),
    }
    firing.session.add(task)
    firing.record["procedure"] = firing.given["procedure"]


def resume_clock(firing) -> None:
    resume_task_clock(firing, firing.task)
    firing.task.suspension = {}


# --- claims and decisions --------------------------------------------------------


def assign_to_actor(firing) -> None:
    firing.task.assignee_id = firing.actor.id
    firing.session.add(firing.task)


def unassign(firing) -> None:
    firing.task.assignee_id = None
    firing.session.add(firing.task)


def application_under_review(firing) -> None:
    if firing.application.status == ApplicationStatus.ACCEPTED:
        firing.fire(firing.application, "start_review")


def nothing_owed(firing) -> None:
    if firing.task.owed_materials:
        raise Invalid(
            N_("a tolerated material has not arrived yet; no decision before it does"),
            {"owed": ", ".join(firing.task.owed_materials)},
        )


def no_open_notice(firing) -> None:
    if has_open_notice(firing.session, firing.application):
        raise Conflict(N_("the applicant is answering a one-time notice; decide after the answer"))


def stamp_decision(firing) -> None:
    task = firing.task
    task.decided_at = clock.now()
    task.decided_by_id = firing.actor.id if firing.actor else None
    task.decision_reason = firing.reason
    firing.session.add(task)


def issue_certificate(firing) -> None:
    """The result goes into the applicant's wallet; later tasks and later applications read it from there."""
    task = firing.task
    item = firing.catalog.items[task.item_code]
    if not item.result_certificate:
        return
    cert_type = firing.catalog.certificate_types[item.result_certificate]
    applicant = firing.applicant
    known = {"full_name": applicant.full_name, "id_number": applicant.id_number or applicant.credit_code}
    for upstream in _upstream_certificates(firing):
        known.update(upstream.data)
    known.update({key: value for key, value in firing.application.form_data.items() if value})
    allocated = ALLOCATED_NUMBERS.get(cert_type.code)
    if allocated and not known.get(allocated):
        known[allocated] = _allocate_id_number(firing, known)
    data = {key: known[key] for key in cert_type.data_keys if known.get(key)}
    serial = next_number(firing.session, f"certificate-{task.department}-{firing.today.year}")
    certificate = Certificate(
        owner_id=applicant.id,
        cert_type=cert_type.code,
        number=f"{task.department}-{firing.today.year}-{serial:06d}",
        data=data,
        issued_by=task.department,
        issued_on=firing.today,
        application_id=firing.application.id,
    )
    # Inserted alone, on the connection (a flush would write the task's decision too, which its
    # delivery's move carries), by a statement built once.
    task.certificate_id = (
        firing.session.connection().execute(_INSERT_CERTIFICATE, certificate.model_dump(exclude={"id"})).scalar_one()
    )
    firing.session.add(task)
    firing.record["certificate"] = certificate.number
    # A new certificate may make its holder eligible for a benefit: the quick sweep looks at them.
    mark_changed(firing.session, subject_id=applicant.id)


_INSERT_CERTIFICATE = insert(Certificate.__table__).returning(Certificate.__table__.c.id)  # type: ignore[attr-defined]


def _upstream_certificates(firing) -> list[Certificate]:
    ids = [t.certificate_id for t in firing.tasks() if t.certificate_id and t.item_code in firing.task.waits_on]
    return list(firing.session.exec(select(Certificate).where(col(Certificate.id).in_(ids)))) if ids else []


def _allocate_id_number(firing, known: dict) -> str:
    birth = (known.get("child_birth_date") or firing.today.isoformat()).replace("-", "")
    region = (known.get("mother_id_number") or "330106")[:6]
    serial = next_number(firing.session, f"id-{region}-{birth}", block=1) % 500
    gender = known.get("child_gender")
    order = serial * 2 + (1 if gender == "male" else 0) if gender in ("male", "female") else serial
    first17 = f"{region}{birth}{order % 1000:03d}"
    return first17 + id_number_check_char(first17)


def unblock_dependents(firing) -> None:
    """Fan-out: a task waiting on others becomes ready when all of them are approved."""
    tasks = firing.tasks()
    approved = {t.item_code for t in tasks if t.status in (TaskStatus.APPROVED, TaskStatus.DELIVERED)}
    for task in tasks:
        if task.status == TaskStatus.WAITING and set(task.waits_on) <= approved:
            firing.fire(task, "unblock")


def cancel_dependents(firing) -> None:
    """A task that waits, directly or not, on a rejected one can never start."""
    blocked = {firing.task.item_code}
    changed = True
    while changed:
        changed = False
        for task in firing.tasks():
            if task.status == TaskStatus.WAITING and blocked & set(task.waits_on):
                firing.fire(task, "cancel", reason=f"waits on {firing.task.item_code}, which was not approved")
                blocked.add(task.item_code)
                changed = True


def finish_application(firing) -> None:
    """Fan-in: when every task is final the application completes, partly completes or is rejected."""
    if firing.application.status not in (ApplicationStatus.ACCEPTED, ApplicationStatus.IN_REVIEW):
        return
    tasks = firing.tasks()
    if any(task.status not in TaskStatus.FINAL for task in tasks):
        return
    delivered = sum(task.status == TaskStatus.DELIVERED for task in tasks)
    if delivered == len(tasks):
        firing.fire(firing.application, "complete")
    elif delivered:
        firing.fire(firing.application, "complete_partially")
    else:
        firing.fire(firing.application, "reject")


def notify_decided(firing) -> None:
    item = firing.catalog.items[firing.task.item_code]
    template = (
        N_("%(item)s: approved.")
        if firing.transition.event == "approve"
        else N_("%(item)s: not approved. Reason: %(reason)s")
    )
    notify(
        firing.session,
        user=firing.applicant,
        case=firing.application,
        template=template,
        params={"item": item.name.zh, "item_en": item.name.en, "reason": firing.reason or ""},
    )


# --- suspension, notices, extensions -------------------------------------------------


def known_procedure(firing) -> None:
    if firing.given.get("procedure") not in PROCEDURES:
        raise Invalid(N_("choose the special procedure"), {"procedure": N_("Choose the special procedure.")})


def application_suspended(firing) -> None:
    if firing.application.status == ApplicationStatus.IN_REVIEW:
        firing.fire(firing.application, "suspend")


def application_resumed(firing) -> None:
    others = [t for t in firing.tasks() if t.id != firing.task.id and t.status == TaskStatus.SUSPENDED]
    if firing.application.status == ApplicationStatus.SUSPENDED and not others:
        firing.fire(firing.application, "resume")


def record_notice_request(firing) -> None:
    department = firing.catalog.departments[firing.task.department]
    firing.task.notice_request = firing.reason
    firing.session.add(firing.task)
    notify_staff(
        firing.session,
        role=Role.FRONT_DESK,
        case=firing.application,
        template=N_("%(department)s asks for a one-time notice on %(number)s: %(reason)s"),
        params={
            "department": department.name.zh,
            "department_en": department.name.en,
            "number": firing.application.number,
            "reason": firing.reason,
        },
    )


def _pending_request(firing) -> ExtensionRequest | None:
    return firing.session.exec(
        select(ExtensionRequest).where(
            ExtensionRequest.task_id == firing.task.id, ExtensionRequest.status == "requested"
        )
    ).first()


def no_pending_extension(firing) -> None:
    if _pending_request(firing) is not None:
        raise Conflict(N_("an extension request is already waiting for the supervisor"))


def sensible_extension(firing) -> None:
    days = firing.given.get("days")
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise Invalid(
            FieldError(N_("ask for 1 to %(limit)s working days"), limit=MAX_EXTENSION_DAYS),
            {"days": FieldError(N_("Ask for 1 to %(limit)s working days."), limit=MAX_EXTENSION_DAYS)},
        )


def open_extension_request(firing) -> None:
    request = ExtensionRequest(
        task_id=firing.task.id, requested_by_id=firing.actor.id, days=firing.given["days"], reason=firing.reason
    )
    firing.session.add(request)
    firing.record["days"] = request.days
    notify_staff(
        firing.session,
        role=Role.SUPERVISOR,
        department=firing.task.department,
        case=firing.application,
        template=EXTENSION_ASKED,
        params={"days": request.days, "number": firing.application.number},
    )


def pending_extension(firing) -> None:
    if _pending_request(firing) is None:
        raise Conflict(N_("there is no extension request to decide"))


def grant_extension(firing) -> None:
    request = _decide_request(firing, "granted")
    task = firing.task
    task.extension_days += request.days
    if task.deadline is not None:
        task.deadline = firing.calendar.add_working_days(task.deadline, request.days)
        stretch_application_deadline(firing, task)
    firing.session.add(task)
    firing.record.update(days=request.days, deadline=task.deadline.isoformat() if task.deadline else None)


def refuse_extension(firing) -> None:
    _decide_request(firing, "refused")


def _decide_request(firing, status: str) -> ExtensionRequest:
    request = _pending_request(firing)
    assert request is not None  # the task's status says a request waits for this answer
    request.status = status
    request.decided_by_id = firing.actor.id
    request.decided_at = clock.now()
    request.answer = firing.reason
    firing.session.add(request)
    if firing.task.assignee_id:
        clerk = firing.session.get(User, firing.task.assignee_id)
        template = (
            N_("Extension on %(number)s granted.")
            if status == "granted"
            else N_("Extension on %(number)s refused: %(reason)s")
        )
        notify(
            firing.session,
            user=clerk,
            case=firing.application,
            channels=("in_app",),
            template=template,
            params={"number": firing.application.number, "reason": firing.reason or ""},
        )
    return request


# --- delivery ---------------------------------------------------------------


def delivery_details(firing) -> None:
    method = firing.task.delivery_method
    if method == "post" and not (firing.given.get("tracking_number") or "").strip():
        raise Invalid(
            N_("a tracking number is needed for delivery by post"),
            {"tracking_number": N_("Enter the tracking number.")},
        )
    if method == "post":
        refuse_if_too_long("tracking_number", firing.given["tracking_number"].strip(), TRACKING_NUMBER_MAX_LENGTH)
    if method == "window" and firing.actor is None:
        raise Conflict(N_("collection at the window is recorded by the front desk"))


def deliver_electronically(firing) -> None:
    if firing.task.delivery_method == "e_certificate":
        firing.fire(firing.task, "deliver")


def stamp_delivery(firing) -> None:
    task = firing.task
    task.delivered_at = clock.now()
    if task.delivery_method == "post":
        task.tracking_number = firing.given["tracking_number"].strip()
        firing.record["tracking_number"] = task.tracking_number
    if task.delivery_method == "window":
        record_visit_row(firing, purpose=f"collect {task.item_code}")
    firing.record["method"] = task.delivery_method
    firing.session.add(task)


def settle_owed_material(firing) -> None:
    task = firing.task
    material = firing.given["material"]
    task.owed_materials = [key for key in task.owed_materials if key != material]
    if not task.owed_materials:
        task.supplement_due = None
    firing.session.add(task)
    firing.record["material"] = material
