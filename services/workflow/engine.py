"""Fires a row of the transition table: one status change, its effects and its audit event.

Effects may fire further rows (a claim starts the application's review, an
approval unblocks the tasks waiting on it); all of it happens inside the
caller's one transaction, so either every change lands or none does.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import Update
from sqlmodel import Session, col, select

from services import clock
from services.audit import PlacedEvent, caused_events, hold_moved_tip, record_event
from services.catalog import Catalog
from services.catalog.editions import filed_catalog
from services.db import referenced, unwritten_changes
from services.errors import Conflict, Invalid, NotAllowed
from services.i18n import N_
from services.models import Application, Rating, Task, User
from services.notifications import queued_together
from services.workdays import WorkingCalendar, load_calendar
from services.workflow.case_types import case_type_of, case_types
from services.workflow.locks import lock_case
from services.workflow.table import Machine, Transition

# A case of any kind, or one of its tasks (the engine moves both alike).
Case = Any


@cache
def _case_tasks_statement(kind: str):
    """A case's tasks by id; built once for each kind: building a statement costs more CPU than running it."""
    if kind == Application.CHAIN_KIND:
        return select(Task).where(col(Task.application_id) == bindparam("case_id")).order_by(col(Task.id))
    return (
        select(Task)
        .where(col(Task.case_kind) == kind, col(Task.case_id) == bindparam("case_id"))
        .order_by(col(Task.id))
    )


def case_of(session: Session, task: Task) -> Case:
    """The case a task is part of, whatever its kind (from the session's memory when it is there)."""
    kind, case_id = task.case_ref
    return referenced(session, case_types()[kind].model, case_id)


def rated_case(session: Session, rating: Rating) -> Case:
    """The case a rating is of: an application by its foreign key, another kind by its chain.

    The chain reads "enterprise_request:7": the kind, then the case's id.
    """
    if rating.application_id is not None:
        return referenced(session, Application, rating.application_id)
    assert rating.case_chain is not None  # a rating is of one case or the other
    kind, _, case_id = rating.case_chain.partition(":")
    return referenced(session, case_types()[kind].model, int(case_id))


@dataclass
class Shared:
    """What the rows fired by one call of `fire` read alike, so it is read once, not once per row.

    An approval that delivers and completes its case fires three rows, and more than one of them
    tells the applicant or looks at the case's other tasks.
    """

    calendar: WorkingCalendar | None = None
    applicant: User | None = None
    tasks: list[Task] | None = None


@dataclass
class Firing:
    """What guards and effects get to work with."""

    session: Session
    subject: Case
    case: Case
    actor: User | None
    catalog: Catalog
    transition: Transition
    reason: str | None = None
    # What the caller supplied (notice items, tracking number, extension days…).
    given: dict[str, Any] = field(default_factory=dict)
    # What effects want kept in the audit event.
    record: dict[str, Any] = field(default_factory=dict)
    shared: Shared = field(default_factory=Shared)

    @property
    def calendar(self) -> WorkingCalendar:
        if self.shared.calendar is None:
            self.shared.calendar = load_calendar(session=self.session)
        return self.shared.calendar

    @property
    def applicant(self) -> User:
        if self.shared.applicant is None:
            # Effects never change the account: what they changed so far may wait for the next write.
            with self.session.no_autoflush:
                self.shared.applicant = referenced(self.session, User, self.case.applicant_id)
        return self.shared.applicant

    def tasks(self) -> list[Task]:
        """The case's tasks by id. Read once: the rows fired change their statuses in memory too."""
        if self.shared.tasks is None:
            statement = _case_tasks_statement(self.case.CHAIN_KIND)
            # Rows in memory keep their unwritten changes (new tasks are flushed when added): no flush needed.
            with self.session.no_autoflush:
                self.shared.tasks = list(self.session.scalars(statement, {"case_id": self.case.id}))
        return self.shared.tasks

    def tasks_added(self) -> None:
        """New tasks were flushed: the next `tasks()` reads them all again."""
        self.shared.tasks = None

    @property
    def today(self) -> date:
        return clock.china_today()

    @property
    def task(self) -> Task:
        assert isinstance(self.subject, Task)
        return self.subject

    @property
    def application(self) -> Application:
        """The case, for the rules of applications."""
        assert isinstance(self.case, Application)
        return self.case

    def lock_other_case(self, model: type, where) -> Any:
        """Lock a case this row's effects move besides its own (its lock after this case's one)."""
        return lock_case(self.session, model, where)

    def fire_other_case(self, subject: Case, event: str, actor: User | None = None, **kwargs) -> PlacedEvent:
        """Fire a row of another case in the same transaction: its own reads and its own chain."""
        return _fire_sharing_reads(
            Shared(), session=self.session, subject=subject, event=event, actor=actor, catalog=self.catalog, **kwargs
        )

    def fire(self, subject: Case, event: str, actor: User | None = None, **kwargs) -> PlacedEvent:
        """Fire a follow-on row in the same transaction (by the system unless an actor is named)."""
        return _fire_sharing_reads(
            self.shared,
            session=self.session,
            subject=subject,
            event=event,
            actor=actor,
            catalog=self.catalog,
            case=self.case,
            **kwargs,
        )


def machine_of(subject: Case) -> Machine:
    return case_type_of(subject).machine_of(subject)


def relations_of(actor: User | None, subject: Case, case: Case, catalog: Catalog) -> frozenset[str]:
    return case_type_of(subject).relations(actor, subject, case, catalog)


def available_events(actor: User | None, subject: Case, case: Case, catalog: Catalog) -> list[str]:
    """The rows this actor may fire now, by state and relation (guards are checked on firing)."""
    return machine_of(subject).allowed(subject.status, relations_of(actor, subject, case, catalog))


def fire(
    *,
    session: Session,
    subject: Case,
    event: str,
    actor: User | None,
    catalog: Catalog,
    case: Case | None = None,
    reason: str | None = None,
    given: dict[str, Any] | None = None,
    applicant: User | None = None,
) -> PlacedEvent:
    """Run one row inside the caller's transaction (`applicant`: the case's, when the caller read it already).

    The messages the row and its follow-on rows send are inserted together at the end.
    """
    with queued_together(session):
        return _fire_sharing_reads(
            Shared(applicant=applicant),
            session=session,
            subject=subject,
            event=event,
            actor=actor,
            catalog=catalog,
            case=case,
            reason=reason,
            given=given,
        )


def _fire_sharing_reads(
    shared: Shared,
    *,
    session: Session,
    subject: Case,
    event: str,
    actor: User | None,
    catalog: Catalog,
    case: Case | None = None,
    reason: str | None = None,
    given: dict[str, Any] | None = None,
) -> PlacedEvent:
    """`fire`, reading what the rows of one call read alike (`Shared`) once for all of them."""
    machine = machine_of(subject)
    if case is None:
        case = case_of(session, subject) if isinstance(subject, Task) else subject
    if isinstance(case, Application):
        # Its rules read the items as it was filed under: a version published later is for new applications.
        catalog = filed_catalog(catalog, case)
    transition = machine.find(event)
    from_status = subject.status
    if from_status not in transition.source:
        wrong_status = machine.refusal(from_status, event, transition.who)
        assert wrong_status is not None  # a status outside the event's sources is always refused
        raise Conflict(wrong_status, status=from_status)
    refused = machine.refusal(from_status, event, relations_of(actor, subject, case, catalog))
    if refused:
        raise NotAllowed(refused)
    reason = (reason or "").strip() or None
    if transition.needs_reason and not reason:
        raise Invalid("a reason is required", {"reason": N_("Please give a reason.")})
    firing = Firing(session, subject, case, actor, catalog, transition, reason, dict(given or {}), shared=shared)
    for guard in transition.guards:
        guard(firing)
    for stamp in transition.stamps:
        stamp(firing)
    to_status = transition.target_from(from_status)
    _move(session, subject, from_status, to_status)
    task = subject if isinstance(subject, Task) else None
    if task is not None:
        firing.record.update(task=task.key, item=task.item_code)
    with caused_events(session):
        # The cause takes its place in the case's chain before its effects take theirs;
        # what the effects add to `firing.record` is in the event when the chain is hashed.
        recorded = record_event(
            session,
            actor=actor,
            event=machine.audit_event(event),
            case=case,
            task=task,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            payload=firing.record,
        )
        for effect in transition.effects:
            effect(firing)
    return recorded


@cache
def _move_statement(table, changed: frozenset[str]) -> Update:
    """The compare-and-set of a row of `table` that also writes the `changed` columns; built once for each.

    A case's row returns its chain's tip: the move holds the row, so the tip need not be claimed.
    """
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("row_id"),
            table.c.status == bindparam("from_status"),
            table.c.version == bindparam("from_version"),
        )
        .values(
            {
                **{name: bindparam(f"new_{name}") for name in sorted(changed)},
                "status": bindparam("to_status"),
                "version": bindparam("to_version"),
                "updated_at": bindparam("moved_at"),
            }
        )
    )
    if "audit_tip" in table.c:
        statement = statement.returning(table.c.audit_length, table.c.audit_tip)
    return statement


def _move(session: Session, subject: Case, from_status: str, to_status: str) -> None:
    # Compare-and-set on status and version: of two racing requests exactly one moves it. What
    # earlier rows' effects changed on the same row and did not write yet (an approval's decision
    # and certificate, before its delivery moves the task) rides along: one UPDATE, not two.
    moved_at = clock.now()
    changed = unwritten_changes(subject)
    table = type(subject).__table__  # type: ignore[union-attr]  # SQLModel sets it; its stubs do not say so
    statement = _move_statement(table, frozenset(changed))
    values = {f"new_{name}": value for name, value in changed.items()}
    # On the connection, so the session is not flushed first: the subject's own unwritten changes
    # ride along here, anything else the session holds is written at its next flush.
    result = session.connection().execute(
        statement,
        {
            **values,
            "row_id": subject.id,
            "from_status": from_status,
            "from_version": subject.version,
            "to_status": to_status,
            "to_version": subject.version + 1,
            "moved_at": moved_at,
        },
    )
    if "audit_tip" in table.c:
        # A case, not a task. SQLite counts an UPDATE … RETURNING's rows only once they are read:
        # the row read says it moved.
        tip = result.first()
        if tip is None:
            raise Conflict(N_("someone else changed this first; reload and try again"))
        hold_moved_tip(session, subject, *tip)
    elif result.rowcount != 1:
        raise Conflict(N_("someone else changed this first; reload and try again"))
    for name, value in changed.items():
        set_committed_value(subject, name, value)
    set_committed_value(subject, "status", to_status)
    set_committed_value(subject, "version", subject.version + 1)
    set_committed_value(subject, "updated_at", moved_at)
