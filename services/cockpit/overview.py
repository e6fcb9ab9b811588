"""The cockpit's counters: the mix of kinds of case, and what is live today (new cases, tasks overdue).

Every registered kind of case is counted (services/workflow/case_types), so a kind added to the
registry appears here without a change.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from services import clock
from services.catalog import Catalog
from services.cockpit.scope import Scope
from services.models import Task
from services.workflow.case_types import case_types


@dataclass(frozen=True)
class KindCount:
    kind: str  # a registered kind of case
    title: str  # its msgid
    count: int


@dataclass(frozen=True)
class Live:
    today: date
    submitted_today: list[KindCount]  # cases submitted today, by kind
    overdue: list[KindCount]  # open tasks past their deadline now, by the kind of their case

    @property
    def total_today(self) -> int:
        return sum(k.count for k in self.submitted_today)

    @property
    def total_overdue(self) -> int:
        return sum(k.count for k in self.overdue)


def case_mix(*, session: Session, catalog: Catalog, scope: Scope) -> list[KindCount]:
    """How many cases of each registered kind were submitted in the scope, in the registry's order."""
    counts = []
    for case_type in case_types().values():
        model: Any = case_type.model
        count = session.exec(
            select(func.count())
            .select_from(model)
            .where(*scope.submitted(model.submitted_at), *scope.of_department(case_type, catalog))
        ).one()
        counts.append(KindCount(case_type.kind, case_type.title, count))
    return counts


def overdue_now(*, session: Session, department: str | None, today: date) -> list[KindCount]:
    """Per kind, the tasks whose clock counts and which are past their deadline today (a paused clock: by its pause)."""
    counts = []
    for case_type in case_types().values():
        query = (
            select(func.count())
            .select_from(Task)
            .where(*overdue_task(case_type.kind, case_type.task_lists.counting, today))
        )
        if department is not None:
            query = query.where(Task.department == department)
        counts.append(KindCount(case_type.kind, case_type.title, session.exec(query).one()))
    return counts


def overdue_task(kind: str, counting: frozenset[str], today: date) -> list:
    """A task of `kind` open past its deadline today: the live counter and its list of cases say the same."""
    return [
        Task.case_kind == kind,
        col(Task.status).in_(counting),
        col(Task.deadline).is_not(None),
        Task.deadline < func.coalesce(Task.paused_since, today),
    ]


def live_counts(*, session: Session, catalog: Catalog, scope: Scope) -> Live:
    """Today's new cases and the tasks overdue now, in the scope's department (whatever its period)."""
    today = clock.china_today()
    return Live(
        today=today,
        submitted_today=case_mix(session=session, catalog=catalog, scope=Scope(today, today, scope.department)),
        overdue=overdue_now(session=session, department=scope.department, today=today),
    )
