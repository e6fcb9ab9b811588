"""The agencies a dispute is routed to (一揽子调处): their queue, and the sessions and outcomes of their tasks."""

from functools import partial

from flask import Blueprint, render_template
from flask_login import current_user

from services import policy
from services.disputes.queries import agency_queue, dispute_key_of_task
from services.i18n import N_
from services.models import Role
from web.extensions import db_session
from web.views.dispute_page import act
from web.views.helpers import route_policy

bp = Blueprint("mediation", __name__)
clerks_only = route_policy(policy.CLERKS)
NAV = (((Role.CLERK,), "mediation.queue", N_("Disputes to mediate")),)


@bp.get("/mediation")
@clerks_only
def queue():
    return render_template("mediation/queue.html", rows=agency_queue(session=db_session(), actor=current_user))


def _act(key: str, event: str):
    return act(
        key,
        event,
        task=True,
        dispute_key=partial(dispute_key_of_task, session=db_session(), actor=current_user, key=key),
    )


@bp.post("/mediation/tasks/<key>/claim")
@clerks_only
def claim(key: str):
    return _act(key, "claim")


@bp.post("/mediation/tasks/<key>/release")
@clerks_only
def release(key: str):
    return _act(key, "release")


@bp.post("/mediation/tasks/<key>/schedule")
@clerks_only
def schedule_session(key: str):
    return _act(key, "schedule_session")


@bp.post("/mediation/tasks/<key>/extension")
@clerks_only
def propose_extension(key: str):
    return _act(key, "propose_extension")


@bp.post("/mediation/tasks/<key>/agreement")
@clerks_only
def record_agreement(key: str):
    return _act(key, "record_agreement")


@bp.post("/mediation/tasks/<key>/no-agreement")
@clerks_only
def record_no_agreement(key: str):
    return _act(key, "record_no_agreement")


@bp.post("/mediation/tasks/<key>/confirm")
@clerks_only
def confirm_agreement(key: str):
    return _act(key, "confirm_agreement")


@bp.post("/mediation/tasks/<key>/refuse-confirmation")
@clerks_only
def refuse_confirmation(key: str):
    return _act(key, "refuse_confirmation")
