"""What the pages of enterprise requests show for their statuses, task roles and events (three blueprints share it)."""

from services.i18n import N_
from services.models import EnterpriseRequestStatus, EnterpriseTaskRole, EnterpriseTaskStatus
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT

TASK_ROLE_LABELS = {
    EnterpriseTaskRole.TRIAGE: N_("Triage"),
    EnterpriseTaskRole.LEAD: N_("Lead department"),
    EnterpriseTaskRole.CO_HANDLER: N_("Co-handler"),
}


def request_status_label(status: str) -> str:
    return EnterpriseRequestStatus.LABELS.get(status, status)


def request_task_status_label(status: str) -> str:
    return EnterpriseTaskStatus.LABELS.get(status, status)


def event_state_label(event: str, status: str) -> str:
    """The status an event moved its subject to: a task's rows are recorded under "enterprise_task."."""
    if event.startswith("enterprise_task."):
        return request_task_status_label(status)
    return request_status_label(status)


def request_labels() -> dict:
    """For a blueprint's context processor: the labels its templates read."""
    return {
        "request_status_label": request_status_label,
        "request_task_status_label": request_task_status_label,
        "event_state_label": event_state_label,
        "task_role_labels": TASK_ROLE_LABELS,
        "office_department": OFFICE_DEPARTMENT,
    }
