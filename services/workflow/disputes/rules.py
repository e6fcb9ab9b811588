"""Guards and effects of a dispute's rows."""

from datetime import date, timedelta

from sqlalchemy import insert
from sqlmodel import col, func, select

from services import clock
from services.catalog import Catalog
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Certificate, Dispute, DisputeEvidence, DisputeTaskStatus, DisputeVisit, Role, Task, User
from services.models.cases import VISIT_PURPOSE_MAX_LENGTH
from services.models.disputes import ANSWER_MAX_LENGTH
from services.notifications import notify, notify_staff
from services.requirements.fields import refuse_if_too_long
from services.workflow import ratings
from services.workflow.disputes.actors import COUNTERPARTY, JUDICIAL_CONFIRMATION
from services.workflow.numbers import next_number
from services.workflow.table import APPLICANT

AGREEMENT_CERTIFICATE = "mediation_agreement"
REFERRALS = ("arbitration", "litigation")
# Where a township's dispute may go: its county centre or the city's, never past the city.
ESCALATION_LEVELS = ("county", "city")
# The court decides a judicial confirmation within 15 days of accepting it (民事诉讼法 art. 205 and
# 最高人民法院《关于人民调解协议司法确认程序的若干规定》 art. 7).
CONFIRMATION_DAYS = 15


def dispute_deadline(catalog: Catalog, calendar, dispute: Dispute, start: date, days: int) -> date:
    """`days` on from `start`, counted as the kind's legal limit is: calendar or working days."""
    if catalog.dispute_kinds[dispute.kind_code].day_count == "working":
        return calendar.add_working_days(start, days)
    return start + timedelta(days=days)


# --- guards -----------------------------------------------------------------


def routes_allowed(firing) -> None:
    """Routes the dispute's kind allows and its centre hosts; a route the centre lacks means escalating first."""
    routes = list(dict.fromkeys(firing.given.get("routes") or ()))
    if not routes:
        raise Invalid(N_("choose at least one route"), {"routes": N_("Choose at least one route.")})
    kind = firing.catalog.dispute_kinds[firing.case.kind_code]
    centre = firing.catalog.centres[firing.case.centre_code]
    for code in routes:
        if code not in kind.routes:
            raise Invalid(
                N_("a route this kind of dispute does not take"),
                {"routes": N_("This kind of dispute does not take one of the chosen routes.")},
            )
        if code not in centre.routes:
            raise Invalid(
                N_("a route this centre does not host"),
                {"routes": N_("This centre does not host one of the chosen routes; escalate the dispute first.")},
            )
    firing.given["routes"] = routes


def short_visit_purpose(firing) -> None:
    refuse_if_too_long("reason", firing.reason or "", VISIT_PURPOSE_MAX_LENGTH)


def answer_given(firing) -> None:
    answer = (firing.given.get("answer") or "").strip()
    if not answer:
        raise Invalid(N_("write your answer"), {"answer": N_("Write your answer to the claim.")})
    refuse_if_too_long("answer", answer, ANSWER_MAX_LENGTH)
    firing.given["answer"] = answer


def higher_centre(firing) -> None:
    """Up the chain of centres only: from a township to its county or the city, from a county to the city."""
    target = firing.given.get("centre")
    ancestors = _ancestors(firing.catalog, firing.case.centre_code)
    if target not in ancestors or firing.catalog.centres[target].level not in ESCALATION_LEVELS:
        raise Invalid(
            N_("escalate to a higher centre of this one"),
            {"centre": N_("Choose the county or city centre above this one.")},
        )


def _ancestors(catalog: Catalog, code: str) -> list[str]:
    found = []
    parent = catalog.centres[code].parent
    while parent is not None:
        found.append(parent)
        parent = catalog.centres[parent].parent
    return found


def extension_awaits_this_party(firing) -> None:
    extension = firing.case.extension
    if not extension:
        raise Conflict(N_("no extension waits for your consent"))
    if _party(firing) in extension["consents"]:
        raise Conflict(N_("you have already consented to this extension"))


def not_reported_yet(firing) -> None:
    if firing.case.honoured:
        raise Conflict(N_("the agreement was already reported honoured"))


def _party(firing) -> str:
    return COUNTERPARTY if firing.actor.id == firing.case.counterparty_id else APPLICANT


# --- effects ----------------------------------------------------------------


def stamp_registered(firing) -> None:
    dispute = firing.case
    kind = firing.catalog.dispute_kinds[dispute.kind_code]
    dispute.registered_at = clock.now()
    dispute.routes = firing.given["routes"]
    dispute.deadline = dispute_deadline(firing.catalog, firing.calendar, dispute, firing.today, kind.legal_limit_days)
    firing.record.update(routes=dispute.routes, deadline=dispute.deadline.isoformat())


def create_route_tasks(firing) -> None:
    """One task per route, for the agency of that route; each runs on the dispute's legal limit."""
    dispute = firing.case
    kind = firing.catalog.dispute_kinds[dispute.kind_code]
    tasks = [_new_task(firing, route, route, kind.legal_limit_days, dispute.deadline) for route in dispute.routes]
    firing.session.add_all(tasks)
    firing.session.flush()
    firing.tasks_added()
    firing.record["tasks"] = [task.key for task in tasks]
    for task in tasks:
        notify_staff(
            firing.session,
            role=Role.CLERK,
            department=task.department,
            case=dispute,
            template=N_("New dispute %(number)s for mediation, legal limit %(deadline)s"),
            params={"number": dispute.number, "deadline": dispute.deadline.isoformat()},
        )


def _new_task(firing, item_code: str, agency: str, days: int, deadline: date) -> Task:
    # A route's agency is the department of its task: its clerks mediate, its supervisor watches.
    return Task(
        case_kind=Dispute.CHAIN_KIND,
        case_id=firing.case.id,
        item_code=item_code,
        department=agency,
        status=DisputeTaskStatus.READY,  # the initial status of the dispute_task table: in the agency's queue
        promised_days=days,
        started_on=firing.today,
        deadline=deadline,
    )


def count_visit(firing) -> None:
    record_dispute_visit(firing.session, firing.case, actor=firing.actor, purpose=firing.reason)
    firing.record["centre"] = firing.case.centre_code


def record_dispute_visit(session, dispute: Dispute, *, actor: User, purpose: str) -> DisputeVisit:
    assert dispute.id is not None and actor.id is not None  # stored rows
    visit = DisputeVisit(
        dispute_id=dispute.id, centre_code=dispute.centre_code, recorded_by_id=actor.id, purpose=purpose
    )
    session.add(visit)
    return visit


def save_answer(firing) -> None:
    firing.case.answer = firing.given["answer"]
    firing.case.answered_at = clock.now()
    firing.session.add(firing.case)
    _tell(firing, firing.applicant, N_("The other party answered dispute %(number)s."))


def move_to_higher_centre(firing) -> None:
    dispute = firing.case
    firing.record.update({"from": dispute.centre_code, "to": firing.given["centre"]})
    dispute.centre_code = firing.given["centre"]
    firing.session.add(dispute)
    centre = firing.catalog.centres[dispute.centre_code]
    for party in parties(firing):
        _tell(
            firing,
            party,
            N_("Dispute %(number)s was escalated to %(centre)s; nothing more to bring."),
            centre=centre.name.zh,
            centre_en=centre.name.en,
        )


def record_consent(firing) -> None:
    """Both parties' consent extends the limit; one's alone waits for the other's."""
    dispute = firing.case
    extension = dict(dispute.extension)
    extension["consents"] = [*extension["consents"], _party(firing)]
    firing.record["days"] = extension["days"]
    if len(extension["consents"]) < 2:
        dispute.extension = extension
        firing.session.add(dispute)
        return
    dispute.extension = {}
    dispute.extension_days += extension["days"]
    assert dispute.deadline is not None  # registered disputes have their legal deadline
    dispute.deadline = dispute_deadline(firing.catalog, firing.calendar, dispute, dispute.deadline, extension["days"])
    firing.session.add(dispute)
    for task in firing.tasks():
        if task.status in DisputeTaskStatus.OPEN:
            task.deadline = dispute.deadline
            task.extension_days += extension["days"]
            firing.session.add(task)
    firing.record["deadline"] = dispute.deadline.isoformat()
    for party in parties(firing):
        _tell(
            firing,
            party,
            N_("Both parties consented: dispute %(number)s now runs until %(deadline)s."),
            deadline=dispute.deadline.isoformat(),
        )


def drop_extension(firing) -> None:
    firing.case.extension = {}
    firing.session.add(firing.case)
    for party in parties(firing):
        _tell(firing, party, N_("The extension of dispute %(number)s was refused by a party; the limit stands."))


def cancel_open_tasks(firing) -> None:
    for task in firing.tasks():
        if task.status in DisputeTaskStatus.OPEN:
            firing.fire(task, "cancel", reason=firing.reason or firing.transition.event)


def stamp_closed(firing) -> None:
    firing.case.closed_at = clock.now()
    firing.session.add(firing.case)


def issue_agreements(firing) -> None:
    """The signed agreement goes into both parties' wallets, one certificate each with the same terms."""
    dispute = firing.case
    dispute.agreement_terms = firing.given["terms"]
    applicant, counterparty = parties(firing)
    kind = firing.catalog.dispute_kinds[dispute.kind_code]
    numbers = []
    for holder in (applicant, counterparty):
        assert holder.id is not None  # a stored account
        serial = next_number(firing.session, f"certificate-{dispute.centre_code}-{firing.today.year}")
        number = f"TJXY-{dispute.centre_code}-{firing.today.year}-{serial:06d}"
        certificate = Certificate(
            owner_id=holder.id,
            cert_type=AGREEMENT_CERTIFICATE,
            number=number,
            data={
                # The holder as their own papers name them: a person by ID number, a firm by credit code.
                **(
                    {"company_name": holder.full_name, "credit_code": holder.credit_code}
                    if holder.credit_code
                    else {"full_name": holder.full_name, "id_number": holder.id_number}
                ),
                "dispute_number": dispute.number,
                "dispute_kind": kind.name.zh,
                "applicant_name": applicant.full_name,
                "counterparty_name": counterparty.full_name,
                "agreement_terms": dispute.agreement_terms,
                "signed_on": firing.today.isoformat(),
            },
            issued_by=dispute.centre_code[:20],
            issued_on=firing.today,
        )
        firing.session.connection().execute(_INSERT_CERTIFICATE, certificate.model_dump(exclude={"id"}))
        numbers.append(number)
    dispute.certificate_numbers = numbers
    firing.session.add(dispute)
    firing.record["certificates"] = numbers


_INSERT_CERTIFICATE = insert(Certificate.__table__)  # type: ignore[attr-defined]  # SQLModel sets it


def forward_file(firing) -> None:
    """The whole file goes on to the arbitration commission or the court: nobody brings it twice."""
    dispute = firing.case
    dispute.referral = firing.given["referral"]
    firing.session.add(dispute)
    firing.record.update(
        referral=dispute.referral,
        evidence_forwarded=evidence_count(firing.session, dispute),
        answer_forwarded=dispute.answer is not None,
    )


def create_confirmation_task(firing) -> None:
    deadline = firing.today + timedelta(days=CONFIRMATION_DAYS)
    task = _new_task(firing, JUDICIAL_CONFIRMATION, "court_mediation", CONFIRMATION_DAYS, deadline)
    firing.session.add(task)
    firing.session.flush()
    firing.tasks_added()
    firing.record["task"] = task.key
    notify_staff(
        firing.session,
        role=Role.CLERK,
        department=task.department,
        case=firing.case,
        template=N_("Judicial confirmation asked for on dispute %(number)s"),
        params={"number": firing.case.number},
    )


def mark_honoured(firing) -> None:
    firing.case.honoured = True
    firing.session.add(firing.case)


# --- notifications ----------------------------------------------------------


def parties(firing) -> tuple[User, User]:
    with firing.session.no_autoflush:
        counterparty = firing.session.get(User, firing.case.counterparty_id)
    assert counterparty is not None  # a foreign key
    return firing.applicant, counterparty


def _tell(firing, user: User, template: str, **params) -> None:
    notify(
        firing.session, user=user, case=firing.case, template=template, params={"number": firing.case.number, **params}
    )


def notify_registered(firing) -> None:
    applicant, counterparty = parties(firing)
    deadline = firing.case.deadline.isoformat()
    _tell(
        firing, applicant, N_("Dispute %(number)s was registered; mediation ends by %(deadline)s."), deadline=deadline
    )
    _tell(
        firing,
        counterparty,
        N_("%(name)s has brought dispute %(number)s against you. You can answer online; nothing to bring in person."),
        name=applicant.full_name,
    )


def record_evidence(firing) -> None:
    firing.record["evidence"] = firing.given["files"]


def notify_evidence_added(firing) -> None:
    """The other party, once the dispute is theirs to see answered, and whoever mediates it now."""
    applicant, counterparty = parties(firing)
    other = counterparty if firing.actor.id == applicant.id else applicant
    template = N_("Dispute %(number)s: %(name)s added evidence (%(count)s files).")
    params = {"name": firing.actor.full_name, "count": len(firing.given["files"])}
    if other is applicant or firing.case.registered_at is not None:
        _tell(firing, other, template, **params)
    for task in firing.tasks():
        if task.assignee_id is not None and task.status in DisputeTaskStatus.OPEN:
            _tell(firing, firing.session.get(User, task.assignee_id), template, **params)


def save_rating(firing) -> None:
    """好差评 of the party who asked for mediation: a poor one asks each agency that had a route to rectify."""
    ratings.save_rating(firing, tuple(dict.fromkeys(task.department for task in firing.tasks())))


def notify_declined(firing) -> None:
    _tell(firing, firing.applicant, N_("Dispute %(number)s was not taken up: %(reason)s"), reason=firing.reason)


def notify_withdrawn(firing) -> None:
    if firing.case.registered_at is not None:
        _tell(firing, parties(firing)[1], N_("Dispute %(number)s was withdrawn."))


def notify_agreed(firing) -> None:
    for party in parties(firing):
        _tell(firing, party, N_("Dispute %(number)s: the mediation agreement is in your wallet."))


def notify_referred(firing) -> None:
    template = (
        N_("Dispute %(number)s: no agreement; the file was forwarded to labour arbitration.")
        if firing.case.referral == "arbitration"
        else N_("Dispute %(number)s: no agreement; the file was forwarded to the court for litigation.")
    )
    for party in parties(firing):
        _tell(firing, party, template)


def notify_confirmed(firing) -> None:
    for party in parties(firing):
        _tell(firing, party, N_("The court confirmed the agreement of dispute %(number)s: it is enforceable."))


def notify_confirmation_refused(firing) -> None:
    for party in parties(firing):
        _tell(
            firing,
            party,
            N_("The court did not confirm the agreement of dispute %(number)s: %(reason)s"),
            reason=firing.reason,
        )


def evidence_count(session, dispute: Dispute) -> int:
    return session.exec(
        select(func.count()).select_from(DisputeEvidence).where(col(DisputeEvidence.dispute_id) == dispute.id)
    ).one()
