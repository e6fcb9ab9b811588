"""Fires a row of the transition table: one status change, its effects and its audit event."""
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from services import clock
from services.audit import record_event
from services.catalog import Catalog
from services.errors import Conflict, Invalid, NotAllowed
from services.models import Application, AuditEvent, Role, User
from services.workflow import table
from services.workflow.table import Transition
from services.i18n import N_


@dataclass
class Firing:
    """What guards and effects get to work with."""

    session: Session
    application: Application
    actor: User | None
    catalog: Catalog
    transition: Transition
    reason: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def relations_of(actor: User | None, application: Application) -> frozenset[str]:
    if actor is None:
        return frozenset({table.SYSTEM})
    relations = set()
    if actor.id == application.applicant_id:
        relations.add(table.APPLICANT)
    if actor.role == Role.FRONT_DESK:
        relations.add(table.FRONT_DESK)
    if actor.role == Role.SUPERVISOR:
        relations.add(table.SUPERVISOR)
    return frozenset(relations)


def available_events(actor: User | None, application: Application) -> list[str]:
    return table.allowed_events(application.status, relations_of(actor, application))


def fire(
    *,
    session: Session,
    application: Application,
    event: str,
    actor: User | None,
    catalog: Catalog,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Run one transition inside the caller's transaction."""
    transition = table.find_transition(event)
    from_status = application.status
    if from_status not in transition.source:
        raise Conflict(table.refusal(from_status, event, frozenset(table.ACTORS)), status=from_status)
    refused = table.refusal(from_status, event, relations_of(actor, application))
    if refused:
        raise NotAllowed(refused)
    if transition.needs_reason and not (reason or "").strip():
        raise Invalid("a reason is required", {"reason": "Please give a reason."})
    firing = Firing(session, application, actor, catalog, transition, reason, dict(payload or {}))
    if transition.guard:
        transition.guard(firing)
    _move(session, application, from_status, transition.target)
    for effect in transition.effects:
        effect(firing)
    return record_event(
        session,
        actor=actor,
        event=event,
        application=application,
        from_status=from_status,
        to_status=transition.target,
        reason=reason,
        payload=firing.payload,
    )


def _move(session: Session, application: Application, from_status: str, to_status: str) -> None:
    # Compare-and-set on status and version: of two racing requests exactly one moves it.
    moved_at = clock.now()
    result = session.execute(
        update(Application)
        .where(
            Application.id == application.id,
            Application.status == from_status,
            Application.version == application.version,
        )
        .values(status=to_status, version=application.version + 1, updated_at=moved_at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(N_("someone else changed this application first; reload and try again"))
    set_committed_value(application, "status", to_status)
    set_committed_value(application, "version", application.version + 1)
    set_committed_value(application, "updated_at", moved_at)
