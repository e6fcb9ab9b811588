"""Translation of the English messages services raise.

Services do not know the reader's language; their messages are English msgids
marked with services.i18n.N_, which `pybabel extract -k N_` collects.
"""
from flask_babel import gettext

from services.i18n import N_


def translate(message: str) -> str:
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
}

EVENT_LABELS = {
    "start": N_("Draft started"),
    "attach": N_("Material uploaded"),
    "submit": N_("Submitted"),
    "withdraw": N_("Withdrawn"),
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
