"""Translation of the English messages services raise.

Services do not know the reader's language; their messages are English msgids
marked with services.i18n.N_, which `pybabel extract -k N_` collects.
"""

from flask_babel import gettext

from services.i18n import N_
from services.models import ApplicationStatus, TaskStatus
from services.workflow.case_types import event_labels


def translate(message) -> str:
    """A plain message, or one with parameters (a FieldError) that services put in Invalid.errors."""
    if hasattr(message, "template"):
        return translate_error(message)
    return gettext(message)


def translate_error(error) -> str:
    """A FieldError or a pre-check Gap: a template plus parameters."""
    params = getattr(error, "params", None) or {}
    return gettext(error.template, **params) if params else gettext(error.template)


STATUS_LABELS = ApplicationStatus.LABELS
TASK_STATUS_LABELS = TaskStatus.LABELS

COLOUR_LABELS = {
    "green": N_("On time"),
    "amber": N_("Due within a working day"),
    "red": N_("Overdue"),
    "paused": N_("Clock paused"),
}


def task_status_label(status: str) -> str:
    return TASK_STATUS_LABELS.get(status, status)


def colour_label(colour: str) -> str:
    return COLOUR_LABELS.get(colour, colour)


# Recorded by the wallet beside the workflow table, when a submission shares a wallet certificate.
EVENT_LABELS = event_labels() | {"share_certificate": N_("Wallet certificate shared")}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def event_label(event: str) -> str:
    return EVENT_LABELS.get(event, event)


DELIVERY_LABELS = {
    "e_certificate": N_("E-certificate in your wallet"),
    "post": N_("By post"),
    "window": N_("Collect at the window"),
}


def delivery_label(method: str) -> str:
    return DELIVERY_LABELS.get(method, method)


ROLE_LABELS = {
    "citizen": N_("Citizen"),
    "company": N_("Company"),
    "front_desk": N_("Front desk"),
    "clerk": N_("Department clerk"),
    "supervisor": N_("Supervisor"),
}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
