"""The cases behind a figure: the list a figure or a chart segment of the cockpit opens.

Each rate lists what it was counted over (its base) and marks each row that counts towards it,
with the conditions the figures use (services/metrics/sql.py): for the city, over applications;
for a department, over its tasks; or only the rows that count, or only those that do not (the cases
with more than one visit behind "at most one visit"). Overdue lists the tasks past their deadline now,
of any kind.
"""

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, distinct, exists, false, func, not_, true
from sqlmodel import Session, col, select

from services import clock
from services.catalog import Catalog
from services.cockpit.overview import overdue_task
from services.cockpit.scope import Scope, case_of_task
from services.disputes.figures import DECIDED as DISPUTES_DECIDED
from services.errors import Invalid
from services.i18n import N_
from services.metrics.sql import DECIDED, FINISHED, at_most_one_visit, china_date, count_if
from services.models import (
    Application,
    Dispute,
    DisputeStatus,
    DisputeVisit,
    EnterpriseRequest,
    EnterpriseRequestStatus,
    Task,
    Visit,
)
from services.models.cases import ONLINE_CHANNEL
from services.workflow.case_kind import CaseType
from services.workflow.case_types import case_types

RATE_MEASURES = ("on_time", "same_day", "zero_visit", "at_most_one_visit", "online")  # of applications
# The other kinds' figures (services/enterprise/figures.py, services/disputes/figures.py), listed city-wide by case.
KIND_RATE_MEASURES = {
    "enterprise_request": ("answered_on_time", "solved_first_answer", "reopened"),
    "dispute": ("online", "beyond_one_place", "resolved"),
}
LIST_MEASURES = tuple(
    dict.fromkeys(("submitted", *RATE_MEASURES, "overdue", *(m for ms in KIND_RATE_MEASURES.values() for m in ms)))
)
PAGE_SIZE = 50


@dataclass(frozen=True)
class ListedCase:
    kind: str
    case: object  # the case's row, of its kind's model
    task: Task | None  # the task the row stands for, when the figure counts tasks
    counts: bool | None  # for a rate: whether this row counts towards it (on time, same day, zero visits)


@dataclass(frozen=True)
class CaseList:
    kind: str
    measure: str
    rows: list[ListedCase]
    total: int  # rows over every page: the figure's base
    met: int | None  # of those, how many count towards the rate
    counting: bool | None  # only the rows that count (True), only those that do not (False), or all (None)
    page: int
    pages: int
    by_task: bool  # rows are tasks (a department's rates, overdue), not whole cases


def _rate_terms(measure: str, by_task: bool):
    """(what the rate is counted over, what counts towards it), as the figures define them."""
    finished = col(Application.status).in_(FINISHED)
    no_visit = not_(exists().where(col(Visit.application_id) == Application.id))
    # The same for the city and a department: over (the tasks of) finished applications, or every one submitted.
    alike = {
        "zero_visit": (finished, no_visit),
        "at_most_one_visit": (finished, at_most_one_visit(Application.id)),
        "online": (true(), col(Application.channel) == ONLINE_CHANNEL),
    }
    if by_task:
        decided = col(Task.status).in_(DECIDED)
        decided_on = china_date(Task.decided_at)
        return {
            "on_time": (and_(decided, col(Task.deadline).is_not(None)), decided_on <= Task.deadline),
            "same_day": (decided, decided_on == Task.started_on),
            **alike,
        }[measure]
    closed_on = china_date(Application.closed_at)
    return {
        "on_time": (and_(finished, col(Application.deadline).is_not(None)), closed_on <= Application.deadline),
        "same_day": (finished, closed_on == Application.accepted_on),
        **alike,
    }[measure]


def _kind_rate_terms(kind: str, measure: str):
    """(what the figure is counted over, what counts towards it) for the other kinds, as their figures count."""
    if kind == EnterpriseRequest.CHAIN_KIND:
        answered = col(EnterpriseRequest.first_answered_on).is_not(None)
        reopened = col(EnterpriseRequest.reopened_at).is_not(None)
        return {
            "answered_on_time": (answered, col(EnterpriseRequest.first_answered_on) <= EnterpriseRequest.deadline),
            "solved_first_answer": (
                answered,
                and_(col(EnterpriseRequest.status) == EnterpriseRequestStatus.SOLVED, not_(reopened)),
            ),
            "reopened": (true(), reopened),
        }[measure]
    places = (
        select(func.count(distinct(col(DisputeVisit.centre_code))))
        .where(col(DisputeVisit.dispute_id) == Dispute.id)
        .scalar_subquery()
    )
    return {
        "online": (true(), col(Dispute.channel) == ONLINE_CHANNEL),
        "beyond_one_place": (true(), places > 1),
        "resolved": (col(Dispute.status).in_(DISPUTES_DECIDED), col(Dispute.status).in_(DisputeStatus.AGREEMENT)),
    }[measure]


def _query(case_type: CaseType, measure: str, scope: Scope, catalog: Catalog):
    """(the entities selected, their conditions, what counts towards the rate or None, whether rows are tasks)."""
    model: Any = case_type.model
    if measure == "overdue":
        where = overdue_task(case_type.kind, case_type.task_lists.counting, clock.china_today())
        if scope.department is not None:
            where.append(Task.department == scope.department)
        return (model, Task), [case_of_task(case_type), *where], None, True
    in_scope = [*scope.submitted(model.submitted_at), *scope.of_department(case_type, catalog)]
    if measure == "submitted":
        return (model,), in_scope, None, False
    if model is not Application:
        base, counted = _kind_rate_terms(case_type.kind, measure)
        return (model,), [*in_scope, base], counted, False
    by_task = scope.department is not None
    base, counted = _rate_terms(measure, by_task)
    if by_task:
        return (
            (model, Task),
            [*in_scope, case_of_task(case_type), Task.department == scope.department, base],
            counted,
            True,
        )
    return (model,), [*in_scope, base], counted, False


def list_cases(
    *,
    session: Session,
    catalog: Catalog,
    scope: Scope,
    kind: str,
    measure: str,
    page: int = 1,
    counting: bool | None = None,
) -> CaseList:
    """One page of the cases (or their tasks) a figure was counted from, the latest submitted first; of a rate,
    only those that count towards it (`counting` True) or only those that do not (False), if asked."""
    case_type = case_types().get(kind)
    if case_type is None or measure not in LIST_MEASURES:
        raise Invalid(N_("no such figure"))
    rates = RATE_MEASURES if case_type.model is Application else KIND_RATE_MEASURES.get(kind, ())
    if measure not in ("submitted", "overdue", *rates):
        raise Invalid(N_("no such figure"))
    if counting is not None and measure not in rates:
        raise Invalid(N_("no such figure"))
    model: Any = case_type.model
    entities, where, counted, by_task = _query(case_type, measure, scope, catalog)
    if counting is not None:
        # A condition on a missing date is NULL: that row does not count.
        where = [*where, counted if counting else not_(func.coalesce(counted, false()))]

    def over_rows(*columns):
        query = select(*columns).select_from(model)
        return (query.join(Task, case_of_task(case_type)) if by_task else query).where(*where)

    counts = counted if counted is not None else true()
    total, met = session.exec(over_rows(func.count(), count_if(counts))).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    order: tuple
    if measure == "overdue":  # the most overdue first
        order = (col(Task.deadline), col(Task.id))
    else:
        order = (col(model.submitted_at).desc(), col(model.id).desc())
    rows = [
        ListedCase(kind, row[0], row[1] if by_task else None, bool(row[-1]) if counted is not None else None)
        for row in session.exec(
            over_rows(*entities, counts.label("counts"))
            .order_by(*order)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
    ]
    return CaseList(kind, measure, rows, total, met if counted is not None else None, counting, page, pages, by_task)
