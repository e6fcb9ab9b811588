"""What a supervisor may watch: the period asked for, within their department (or the city's)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from services.catalog import Catalog
from services.errors import NotAllowed
from services.i18n import N_
from services.metrics.sql import china_midnight
from services.models import Application, Role, Task, User
from services.policy import require_role, require_visible, watched_department
from services.workflow.case_kind import CaseType


@dataclass(frozen=True)
class Scope:
    """Cases submitted from `since` to `until` (China dates, inclusive; None: unbounded), of `department` or all."""

    since: date | None
    until: date | None
    department: str | None

    def submitted(self, column) -> list[ColumnElement]:
        """The period as a range of a submission timestamp (an index range, never a function of the column)."""
        where: list[ColumnElement] = [col(column).is_not(None)]
        if self.since is not None:
            where.append(column >= china_midnight(self.since))
        if self.until is not None:
            where.append(column < china_midnight(self.until + timedelta(days=1)))
        return where

    def of_department(self, case_type: CaseType, catalog: Catalog) -> list[ColumnElement]:
        """The department's cases: an application by its service (as the figures count), any other by its tasks."""
        if self.department is None:
            return []
        model: Any = case_type.model
        if model is Application:
            return [col(Application.service_code).in_([s.code for s in catalog.for_department(self.department)])]
        return [
            exists().where(
                col(Task.case_kind) == case_type.kind,
                col(Task.case_id) == model.id,
                col(Task.department) == self.department,
            )
        ]


def watched_scope(
    *, actor: User, catalog: Catalog, since: date | None, until: date | None, department: str | None
) -> Scope:
    """The scope asked for, if the supervisor may watch it: a department's supervisor watches theirs only."""
    require_role(actor, Role.SUPERVISOR)
    own = watched_department(actor)
    if own is not None and department not in (None, own):
        raise NotAllowed(N_("you supervise another department"))
    department = own or department
    # A department of the catalogue, or the agency of a dispute route (its supervisor watches its disputes).
    known = department is None or department in catalog.departments or department in catalog.dispute_routes
    require_visible(known, "department")
    return Scope(since, until, department)


def case_of_task(case_type: CaseType) -> ColumnElement:
    """A task's link to its case of this kind (an application's by foreign key, any other's by kind and id)."""
    model: Any = case_type.model
    if model is Application:
        return col(Task.application_id) == Application.id
    return and_(col(Task.case_kind) == case_type.kind, col(Task.case_id) == model.id)
