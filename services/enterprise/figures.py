"""Figures of the enterprise requests, computed from the cases: by category and department, on time, first answer."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from services.models import EnterpriseRequest, EnterpriseRequestStatus
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT


@dataclass(frozen=True)
class RequestFigures:
    raised: int
    by_category: dict[str, int]
    # The lead department of each routed request; the office for those it kept (answered itself, not routed yet).
    by_department: dict[str, int]
    answered: int  # answered at least once
    answered_on_time: int  # first answer on or before the promised day
    solved_first_answer: int  # confirmed solved without a reopen
    reopened: int

    def share(self, part: int, whole: int) -> float | None:
        """A percentage, or None when there is nothing to divide by."""
        return round(100 * part / whole, 1) if whole else None


def request_figures(
    *, session: Session, since: datetime | None = None, until: datetime | None = None
) -> RequestFigures:
    """Requests raised in [since, until): the supervisors' figures of 企呼我应."""
    period = [col(EnterpriseRequest.status) != EnterpriseRequestStatus.DRAFT]
    if since is not None:
        period.append(col(EnterpriseRequest.submitted_at) >= since)
    if until is not None:
        period.append(col(EnterpriseRequest.submitted_at) < until)

    def grouped(column) -> dict[str, int]:
        rows = session.exec(select(column, func.count()).where(*period).group_by(column).order_by(column))
        return {key: count for key, count in rows}

    answered = col(EnterpriseRequest.first_answered_on).is_not(None)
    on_time = answered & (col(EnterpriseRequest.first_answered_on) <= col(EnterpriseRequest.deadline))
    reopened = col(EnterpriseRequest.reopened_at).is_not(None)
    solved_first = (col(EnterpriseRequest.status) == EnterpriseRequestStatus.SOLVED) & ~reopened

    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # Five columns: more than sqlmodel's `select` is typed for.
    raised, answered_n, on_time_n, solved_n, reopened_n = session.execute(
        select_columns(
            func.count(), counted(answered), counted(on_time), counted(solved_first), counted(reopened)
        ).where(*period)
    ).one()
    department = func.coalesce(col(EnterpriseRequest.lead_department), OFFICE_DEPARTMENT)
    return RequestFigures(
        raised=raised,
        by_category=grouped(col(EnterpriseRequest.category)),
        by_department=grouped(department),
        answered=answered_n,
        answered_on_time=on_time_n,
        solved_first_answer=solved_n,
        reopened=reopened_n,
    )
