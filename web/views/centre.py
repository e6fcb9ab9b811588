"""A social governance centre's window (一站式接收): the disputes to register, walk-in filings, visits, escalation."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from services import policy
from services.disputes.filing import record_dispute_at_window
from services.disputes.queries import intake_queue
from services.errors import Invalid
from services.i18n import N_
from services.models import Role
from web.extensions import catalog, db_session, file_store
from web.forms.disputes import WindowDisputeForm
from web.views.dispute_page import act
from web.views.disputes import filing_choices, sent_evidence
from web.views.helpers import apply_errors, route_policy

bp = Blueprint("centre", __name__)
window_only = route_policy(policy.FRONT_DESK)
NAV = (((Role.FRONT_DESK,), "centre.queue", N_("Disputes")),)


@bp.get("/centre")
@window_only
def queue():
    return render_template("centre/queue.html", queue=intake_queue(session=db_session(), actor=current_user))


@bp.route("/centre/new", methods=["GET", "POST"])
@window_only
def new():
    form = WindowDisputeForm()
    filing_choices(form)
    if form.validate_on_submit():
        try:
            dispute = record_dispute_at_window(
                session=db_session(),
                actor=current_user,
                applicant_number=form.applicant.data,
                counterparty_number=form.counterparty.data,
                kind_code=form.kind.data,
                centre_code=form.centre.data,
                claim=form.claim.data,
                evidence=sent_evidence(),
                store=file_store(),
                catalog=catalog(),
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        else:
            return redirect(url_for("disputes.detail", key=dispute.key))
    status = 422 if form.is_submitted() else 200
    return render_template("centre/new.html", form=form, action=url_for("centre.new")), status


@bp.post("/centre/disputes/<key>/register")
@window_only
def register(key: str):
    return act(key, "register")


@bp.post("/centre/disputes/<key>/decline")
@window_only
def decline(key: str):
    return act(key, "decline")


@bp.post("/centre/disputes/<key>/visit")
@window_only
def record_visit(key: str):
    return act(key, "record_visit")


@bp.post("/centre/disputes/<key>/escalate")
@window_only
def escalate(key: str):
    return act(key, "escalate")


@bp.post("/centre/disputes/<key>/close")
@window_only
def close(key: str):
    return act(key, "close")
