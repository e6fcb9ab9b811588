"""Where each kind of case's pages are, for lists that hold tasks of several kinds (a department's queue)."""

from flask import url_for

from services.catalog.model import Text
from services.i18n import N_
from services.models import Task
from services.workflow.case_types import case_type_of
from web.extensions import catalog

# The staff page of a task, by kind of case.
TASK_PAGES = {"application": "clerk.task"}
# The applicant's page of a case, and what a link to it says, by kind of case.
APPLICANT_PAGES = {"application": ("citizen.detail", N_("Open the application"))}


def applicant_case_link(kind: str, key: str) -> tuple[str, str]:
    """(url, label msgid) of the applicant's page of a case of any kind."""
    endpoint, label = APPLICANT_PAGES[kind]
    return url_for(endpoint, key=key), label


def task_url(task: Task) -> str:
    return url_for(TASK_PAGES[task.case_kind], key=task.key)


def task_name(task: Task) -> Text:
    """What the task is: an item's name, or what another kind calls its tasks."""
    return case_type_of(task).task_name(task, catalog())


def task_state_label(task: Task) -> str:
    """The task's status as its own kind labels it (a msgid)."""
    return case_type_of(task).task_machine.state_labels[task.status]
