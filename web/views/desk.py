"""The front desk (一窗受理): acceptance queue, completeness review, one-time notice, deliveries."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from services import clock, policy
from services.applications.queries import get_application
from services.casework.desk import (
    CaseFile,
    accept_application,
    acceptance_queue,
    applicants_of,
    awaiting_delivery,
    case_file,
    deliver_task,
    issue_notice,
    notice_requests,
    record_visit,
    refuse_application,
)
from services.catalog.editions import filed_catalog
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Role
from web.extensions import catalog, db_session
from web.forms.casework import AcceptForm, DeliveryForm, RefuseForm, VisitForm, notice_form, reason_name, tick_name
from web.messages import translate, translate_error
from web.views.helpers import apply_errors, locale_code, route_policy

bp = Blueprint("desk", __name__)
desk_only = route_policy(policy.FRONT_DESK)
NAV = (
    ((Role.FRONT_DESK,), "desk.queue", N_("Acceptance queue")),
    ((Role.FRONT_DESK,), "desk.deliveries", N_("Deliveries")),
)
DELIVERED_BY_DESK = ("post", "window")  # e-certificates reach the wallet by themselves


def waited(moment: datetime) -> str:
    # Stored in UTC; SQLite hands it back without its time zone.
    since = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return format_timedelta(clock.now() - since)


@bp.get("/desk")
@desk_only
def queue():
    db = db_session()
    page = acceptance_queue(session=db, actor=current_user, cursor=request.args.get("after"))
    requests = notice_requests(session=db, actor=current_user)
    return render_template(
        "desk/queue.html",
        page=page,
        requests=requests,
        waited=waited,
        applicants=applicants_of(session=db, rows=page.rows),
    )


def _pre_ticked_notice(case: CaseFile):
    """Every current gap ticked with its reason, so the notice lists everything at once."""
    data = {}
    for gap in case.gaps:
        data[tick_name(gap.kind, gap.key)] = True
        # The pre-check tells the applicant a non-core material may follow; the notice asks for it.
        data[reason_name(gap.kind, gap.key)] = translate_error(gap) if gap.blocking else _("has not been provided")
    return notice_form(case.service, locale_code(), formdata=None, data=data)


def _review(key: str, status: int = 200, **forms):
    case = case_file(session=db_session(), actor=current_user, key=key, catalog=catalog())
    forms.setdefault("accept_form", AcceptForm(formdata=None))
    forms.setdefault("notice_form", _pre_ticked_notice(case))
    forms.setdefault("refuse_form", RefuseForm(formdata=None))
    forms.setdefault("visit_form", VisitForm(formdata=None))
    return render_template("desk/review.html", case=case, a=case.detail.application, **forms), status


def _changed_meanwhile(error: Conflict, key: str):
    flash(translate(error.message), "warning")
    return redirect(url_for("desk.review", key=key))


@bp.get("/desk/applications/<key>")
@desk_only
def review(key: str):
    return _review(key)


@bp.post("/desk/applications/<key>/accept")
@desk_only
def accept(key: str):
    form = AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accepted = accept_application(
            session=db_session(), actor=current_user, key=key, catalog=catalog(), tolerate=form.tolerate.data
        )
    except Invalid as error:
        # The case's page lists the gaps: the desk reads the refusal there, and a reload sends nothing again.
        flash(translate(error.message), "danger")
        return redirect(url_for("desk.review", key=key))
    except Conflict as error:
        return _changed_meanwhile(error, key)
    flash(_("Application %(number)s accepted.", number=accepted.number), "success")
    return redirect(url_for("desk.queue"))


@bp.post("/desk/applications/<key>/notice")
@desk_only
def notice(key: str):
    application = get_application(session=db_session(), actor=current_user, key=key, catalog=catalog())
    form = notice_form(filed_catalog(catalog(), application).service(application.service_code), locale_code())
    if form.validate():
        try:
            issue_notice(
                session=db_session(),
                actor=current_user,
                key=key,
                catalog=catalog(),
                items=form.items(),
                new_fact=form.new_fact.data or None,
            )
        except Invalid as error:
            form.form_errors = form.apply_service_errors(error.errors)
        except Conflict as error:
            return _changed_meanwhile(error, key)
        else:
            flash(_("One-time notice issued: the applicant sees everything to correct at once."), "success")
            return redirect(url_for("desk.review", key=key))
    flash(_("The notice was not issued: see the marked items."), "danger")
    return _review(key, 422, notice_form=form)


@bp.post("/desk/applications/<key>/refuse")
@desk_only
def refuse(key: str):
    form = RefuseForm()
    if form.validate():
        try:
            refused = refuse_application(
                session=db_session(), actor=current_user, key=key, catalog=catalog(), reason=form.reason.data
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        except Conflict as error:
            return _changed_meanwhile(error, key)
        else:
            flash(
                _("Application %(number)s was not accepted; the applicant has been told why.", number=refused.number),
                "info",
            )
            return redirect(url_for("desk.queue"))
    return _review(key, 422, refuse_form=form)


@bp.post("/desk/applications/<key>/visit")
@desk_only
def visit(key: str):
    form = VisitForm()
    if form.validate():
        try:
            record_visit(
                session=db_session(), actor=current_user, key=key, catalog=catalog(), purpose=form.purpose.data
            )
        except Invalid as error:
            # The service names the purpose its "reason".
            form.purpose.errors = [translate(message) for message in error.errors.values()] or [
                translate(error.message)
            ]
        except Conflict as error:
            return _changed_meanwhile(error, key)
        else:
            flash(_("Visit recorded."), "success")
            return redirect(url_for("desk.review", key=key))
    return _review(key, 422, visit_form=form)


def _deliveries(status: int = 200, failed: tuple[str, DeliveryForm] | None = None):
    rows = awaiting_delivery(session=db_session(), actor=current_user)
    groups = {
        method: [(task, application) for task, application in rows if task.delivery_method == method]
        for method in DELIVERED_BY_DESK
    }
    return render_template(
        "desk/deliveries.html",
        groups=groups,
        failed=failed,
        applicants=applicants_of(session=db_session(), rows=[application for _task, application in rows]),
    ), status


@bp.get("/desk/deliveries")
@desk_only
def deliveries():
    return _deliveries()


@bp.post("/desk/deliveries/<task_key>")
@desk_only
def deliver(task_key: str):
    form = DeliveryForm()
    if form.validate():
        try:
            deliver_task(
                session=db_session(),
                actor=current_user,
                task_key=task_key,
                catalog=catalog(),
                tracking_number=form.tracking_number.data or None,
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        except Conflict as error:
            flash(translate(error.message), "warning")
            return redirect(url_for("desk.deliveries"))
        else:
            flash(_("Delivery recorded."), "success")
            return redirect(url_for("desk.deliveries"))
    return _deliveries(422, failed=(task_key, form))
