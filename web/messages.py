"""Translation of the English messages services raise.

Services do not know the reader's language; their messages are English msgids
marked with services.i18n.N_, which `pybabel extract -k N_` collects.
"""
from flask_babel import gettext

from services.i18n import N_


def translate(message) -> str:
    """A plain message, or one with parameters (a FieldError) that services put in Invalid.errors."""
    if hasattr(message, "template"):
        return translate_error(message)
    return gettext(message)


def translate_error(error) -> str:
    """A FieldError or a pre-check Gap: a template plus parameters."""
    params = getattr(error, "params", None) or {}
    return gettext(error.template, **params) if params else gettext(error.template)


STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "needs_correction": N_("Needs correction"),
    "not_accepted": N_("Not accepted"),
    "accepted": N_("Accepted"),
    "in_review": N_("In review"),
    "suspended": N_("Suspended"),
    "completed": N_("Completed"),
    "partially_completed": N_("Partially completed"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "terminated": N_("Terminated"),
}

TASK_STATUS_LABELS = {
    "waiting": N_("Waiting for another department"),
    "ready": N_("In the department's queue"),
    "claimed": N_("Being reviewed"),
    "suspended": N_("Special procedure"),
    "approved": N_("Approved, being delivered"),
    "delivered": N_("Delivered"),
    "rejected": N_("Not approved"),
    "cancelled": N_("Cancelled"),
}

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

EVENT_LABELS = {
    "start": N_("Draft started"),
    "attach": N_("Material uploaded"),
    "submit": N_("Submitted"),
    "resubmit": N_("Resubmitted after the notice"),
    "answer_notice": N_("Notice answered"),
    "withdraw": N_("Withdrawn"),
    "accept": N_("Accepted by the front desk"),
    "issue_notice": N_("One-time notice issued"),
    "refuse": N_("Not accepted"),
    "record_visit": N_("Visit recorded"),
    "start_review": N_("Review started"),
    "suspend": N_("Suspended for a special procedure"),
    "resume": N_("Resumed"),
    "complete": N_("Completed"),
    "complete_partially": N_("Partially completed"),
    "reject": N_("Not approved"),
    "terminate": N_("Terminated"),
    "rate": N_("Rated"),
    "answer_rectification": N_("Answer to your rating"),
    "task.unblock": N_("Department can start"),
    "task.claim": N_("Taken up by a clerk"),
    "task.release": N_("Returned to the queue"),
    "task.approve": N_("Approved"),
    "task.reject": N_("Not approved"),
    "task.suspend": N_("Special procedure started"),
    "task.resume": N_("Special procedure ended"),
    "task.request_notice": N_("Department asked for a notice"),
    "task.request_extension": N_("Extension requested"),
    "task.grant_extension": N_("Extension granted"),
    "task.refuse_extension": N_("Extension refused"),
    "task.deliver": N_("Result delivered"),
    "task.supplement": N_("Owed material handed in"),
    "task.cancel": N_("Cancelled"),
}


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
