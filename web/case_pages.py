"""Where each kind of case's pages are, for lists that hold tasks of several kinds (a department's queue)."""

from collections.abc import Callable
from typing import Any

from flask import url_for

from services.catalog.model import Text
from services.i18n import N_
from services.models import EnterpriseTaskRole, Task
from services.workflow.case_types import case_type_of
from web.extensions import catalog

# The staff page of a task, by kind of case: (the task, its case) → URL.
TASK_PAGES: dict[str, Callable[[Task, Any], str]] = {
    "application": lambda task, case: url_for("clerk.task", key=task.key),
    # The office triages on the request itself; a department works its lead or co-handler task.
    "enterprise_request": lambda task, case: (
        url_for("office.request_page", key=case.key)
        if task.item_code == EnterpriseTaskRole.TRIAGE
        else url_for("handling.task", key=task.key)
    ),
    # A dispute's one page holds every route's task and the buttons its viewer may press.
    "dispute": lambda task, case: url_for("disputes.detail", key=case.key),
    "benefit_offer": lambda task, case: url_for("benefit_checks.task", key=task.key),
}
# The applicant's page of a case, and what a link to it says, by kind of case.
APPLICANT_PAGES = {
    "application": ("citizen.detail", N_("Open the application")),
    "enterprise_request": ("firm.detail", N_("Open the request")),
    "dispute": ("disputes.detail", N_("Open the dispute")),
    "benefit_offer": ("benefits.detail", N_("Open the offer")),
}


def applicant_case_link(kind: str, key: str) -> tuple[str, str]:
    """(url, label msgid) of the applicant's page of a case of any kind."""
    endpoint, label = APPLICANT_PAGES[kind]
    return url_for(endpoint, key=key), label


def task_url(task: Task, case: Any) -> str:
    return TASK_PAGES[task.case_kind](task, case)


def task_name(task: Task) -> Text:
    """What the task is: an item's name, or what another kind calls its tasks."""
    return case_type_of(task).task_name(task, catalog())


def task_state_label(task: Task) -> str:
    """The task's status as its own kind labels it (a msgid)."""
    return case_type_of(task).task_machine.state_labels[task.status]
