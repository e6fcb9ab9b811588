"""What the pages of a dispute read: the parties' list, the centre's queue, an agency's queue, one dispute's file."""

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from services.audit import history
from services.catalog import Catalog
from services.db import by_id
from services.models import (
    AuditEvent,
    Dispute,
    DisputeEvidence,
    DisputeStatus,
    DisputeTaskStatus,
    DisputeVisit,
    MediationSession,
    Rating,
    Role,
    Task,
    User,
)
from services.policy import may_view_task, require_role, require_visible
from services.workflow.engine import available_events

from .access import may_view_dispute
from .handling import tasks_of_dispute

LIST_LIMIT = 100


@dataclass(frozen=True)
class TaskFile:
    task: Task
    actions: list[str]
    sessions: list[MediationSession]


@dataclass(frozen=True)
class DisputeFile:
    dispute: Dispute
    applicant: User
    counterparty: User
    actions: list[str]
    tasks: list[TaskFile]
    evidence: list[DisputeEvidence]
    visits: list[DisputeVisit]
    events: list[AuditEvent]
    rating: Rating | None


def dispute_file(*, session: Session, actor: User, key: str, catalog: Catalog) -> DisputeFile:
    """One dispute as the actor may see it, with the actions each of its rows allows them now."""
    dispute = session.exec(select(Dispute).where(col(Dispute.key) == key)).first()
    tasks = tasks_of_dispute(session, dispute) if dispute is not None else []
    require_visible(dispute is not None and may_view_dispute(actor, dispute, tasks), "dispute")
    assert dispute is not None
    people = by_id(session.exec(select(User).where(col(User.id).in_([dispute.applicant_id, dispute.counterparty_id]))))
    sessions = list(
        session.exec(
            select(MediationSession)
            .where(col(MediationSession.dispute_id) == dispute.id)
            .order_by(col(MediationSession.at))
        )
    )
    task_files = [
        TaskFile(
            task,
            available_events(actor, task, dispute, catalog) if may_view_task(actor, task) else [],
            [s for s in sessions if s.task_id == task.id],
        )
        for task in tasks
    ]
    rating = session.exec(select(Rating).where(col(Rating.case_chain) == dispute.chain)).first()
    # Rated once: the rating shows instead of its form.
    actions = [
        event for event in available_events(actor, dispute, dispute, catalog) if not (rating and event == "rate")
    ]
    return DisputeFile(
        dispute=dispute,
        applicant=people[dispute.applicant_id],
        counterparty=people[dispute.counterparty_id],
        actions=actions,
        tasks=task_files,
        evidence=list(
            session.exec(
                select(DisputeEvidence)
                .where(col(DisputeEvidence.dispute_id) == dispute.id)
                .order_by(col(DisputeEvidence.id))
            )
        ),
        visits=list(
            session.exec(
                select(DisputeVisit).where(col(DisputeVisit.dispute_id) == dispute.id).order_by(col(DisputeVisit.id))
            )
        ),
        events=history(session=session, case=dispute),
        rating=rating,
    )


def evidence_file(*, session: Session, actor: User, key: str) -> DisputeEvidence:
    """One evidence file, for whoever may see its dispute."""
    evidence = session.exec(select(DisputeEvidence).where(col(DisputeEvidence.key) == key)).first()
    dispute = session.get(Dispute, evidence.dispute_id) if evidence is not None else None
    visible = dispute is not None and may_view_dispute(actor, dispute, tasks_of_dispute(session, dispute))
    require_visible(visible, "evidence")
    assert evidence is not None
    return evidence


def my_disputes(*, session: Session, actor: User) -> list[Dispute]:
    """The disputes a resident or firm brought, and those brought against them, latest first."""
    require_role(actor, *Role.APPLICANTS)
    return list(
        session.exec(
            select(Dispute)
            .where(or_(col(Dispute.applicant_id) == actor.id, col(Dispute.counterparty_id) == actor.id))
            .order_by(col(Dispute.updated_at).desc(), col(Dispute.id).desc())
            .limit(LIST_LIMIT)
        )
    )


@dataclass(frozen=True)
class IntakeQueue:
    to_register: list[Dispute]  # oldest first: each is due within a working day
    running: list[Dispute]  # in mediation or agreed: visits, escalation, closing


def intake_queue(*, session: Session, actor: User) -> IntakeQueue:
    require_role(actor, Role.FRONT_DESK)
    filed = select(Dispute).where(col(Dispute.status) == DisputeStatus.FILED)
    running = select(Dispute).where(
        col(Dispute.status).in_([DisputeStatus.IN_MEDIATION, DisputeStatus.AGREED, DisputeStatus.CONFIRMING])
    )
    return IntakeQueue(
        list(session.exec(filed.order_by(col(Dispute.submitted_at), col(Dispute.id)).limit(LIST_LIMIT))),
        list(session.exec(running.order_by(col(Dispute.deadline), col(Dispute.id)).limit(LIST_LIMIT))),
    )


@dataclass(frozen=True)
class AgencyRow:
    task: Task
    dispute: Dispute


def agency_queue(*, session: Session, actor: User) -> list[AgencyRow]:
    """The open tasks of the clerk's agency, nearest legal limit first; the clerk's own come with the rest."""
    require_role(actor, Role.CLERK)
    rows = session.exec(
        select(Task, Dispute)
        .join(Dispute, col(Dispute.id) == col(Task.case_id))
        .where(
            col(Task.case_kind) == Dispute.CHAIN_KIND,
            col(Task.department) == actor.department,
            col(Task.status).in_(DisputeTaskStatus.OPEN),
        )
        .order_by(col(Task.deadline), col(Task.id))
        .limit(LIST_LIMIT)
    ).all()
    return [AgencyRow(task, dispute) for task, dispute in rows]


def dispute_key_of_task(*, session: Session, actor: User, key: str) -> str:
    """The key of the dispute a task of a dispute is part of, for whoever may see the task."""
    row = session.exec(
        select(Task, Dispute)
        .join(Dispute, col(Dispute.id) == col(Task.case_id))
        .where(col(Task.key) == key, col(Task.case_kind) == Dispute.CHAIN_KIND)
    ).first()
    require_visible(row is not None and may_view_task(actor, row[0]), "dispute task")
    assert row is not None
    return row[1].key
