"""Residents and firms (最多跑一地): their disputes, filing one online, answering one, and the dispute's page."""

from flask import Blueprint, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from services import policy
from services.disputes.filing import file_dispute
from services.disputes.queries import evidence_file, my_disputes
from services.errors import Invalid
from services.i18n import N_
from services.models import DisputeStatus, DisputeTaskStatus, Role
from services.workflow.disputes.case import dispute_task_name
from web.extensions import catalog, db_session, file_store
from web.forms.disputes import FileDisputeForm
from web.views.dispute_page import act, render_dispute, sent_evidence
from web.views.files import FILE_POLICY, content_disposition
from web.views.helpers import apply_errors, locale_code, route_policy

bp = Blueprint("disputes", __name__)
parties_only = route_policy(policy.APPLICANTS)
NAV = (((Role.CITIZEN, Role.COMPANY), "disputes.index", N_("My disputes")),)


@bp.app_context_processor
def dispute_labels() -> dict:
    """What the dispute pages of every blueprint name statuses and tasks by."""
    return {
        "dispute_labels": DisputeStatus.LABELS,
        "dispute_task_labels": DisputeTaskStatus.LABELS,
        "dispute_task_name": lambda task: dispute_task_name(task, catalog()),
    }


@bp.app_template_filter("route_name")
def route_name(code: str):
    return catalog().dispute_routes[code].name.get(locale_code())


def filing_choices(form) -> None:
    book, locale = catalog(), locale_code()
    form.kind.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(k.code, k.name.get(locale)) for k in book.dispute_kinds.values()
    ]
    # Residents go to the centre near them: the township and county centres.
    form.centre.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(c.code, c.name.get(locale)) for c in book.centres.values() if c.level in ("township", "county")
    ]


@bp.get("/disputes")
@parties_only
def index():
    return render_template("disputes/index.html", disputes=my_disputes(session=db_session(), actor=current_user))


@bp.route("/disputes/new", methods=["GET", "POST"])
@parties_only
def new():
    form = FileDisputeForm()
    filing_choices(form)
    if form.validate_on_submit():
        try:
            dispute = file_dispute(
                session=db_session(),
                actor=current_user,
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
    return render_template("disputes/new.html", form=form, action=url_for("disputes.new")), status


@bp.get("/disputes/<key>")
@route_policy(policy.SIGNED_IN)
def detail(key: str):
    return render_dispute(key)


@bp.get("/disputes/evidence/<key>")
@route_policy(policy.SIGNED_IN)
def evidence(key: str):
    found = evidence_file(session=db_session(), actor=current_user, key=key)
    response = send_file(file_store().path(found.storage_name), mimetype=found.content_type, max_age=0)
    # Evidence is kept as the party gave it: saved, never opened in the browser here.
    response.headers["Content-Disposition"] = content_disposition("attachment", found.filename)
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/disputes/<key>/evidence")
@parties_only
def add_evidence(key: str):
    return act(key, "supplement")


@bp.post("/disputes/<key>/rate")
@parties_only
def rate(key: str):
    return act(key, "rate")


@bp.post("/disputes/<key>/answer")
@parties_only
def answer(key: str):
    return act(key, "answer")


@bp.post("/disputes/<key>/consent-extension")
@parties_only
def consent_extension(key: str):
    return act(key, "consent_extension")


@bp.post("/disputes/<key>/refuse-extension")
@parties_only
def refuse_extension(key: str):
    return act(key, "refuse_extension")


@bp.post("/disputes/<key>/withdraw")
@parties_only
def withdraw(key: str):
    return act(key, "withdraw")


@bp.post("/disputes/<key>/request-confirmation")
@parties_only
def request_confirmation(key: str):
    return act(key, "request_confirmation")


@bp.post("/disputes/<key>/report-honoured")
@parties_only
def report_honoured(key: str):
    return act(key, "report_honoured")
