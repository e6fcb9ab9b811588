"""The supervisor's side: figures, late tasks, breaches, extensions, rectifications, the calendar."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from services import clock, policy
from services.casework.tasks import decide_extension
from services.disputes.figures import one_place_figures
from services.enterprise.figures import request_figures
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.metrics import current_metrics
from services.models import Role
from services.staffing import department_clerks, held_tasks, reassign_inbox, reassign_task
from services.supervision import (
    answer_rectification,
    breach_lists,
    calendar_year,
    extension_queue,
    late_tasks,
    open_rectifications,
)
from services.workdays import add_override, remove_override
from web.case_pages import task_name, task_state_label
from web.extensions import catalog, db_session
from web.forms.account import EmptyForm
from web.forms.supervision import (
    QUEUE,
    CalendarOverrideForm,
    ExtensionDecisionForm,
    HandOnForm,
    RectificationAnswerForm,
)
from web.messages import translate
from web.views.cockpit import cockpit_context, cockpit_scope, filter_form
from web.views.helpers import apply_errors, route_policy

bp = Blueprint("supervisor", __name__)
supervisors_only = route_policy(policy.SUPERVISORS)
city_supervisors_only = route_policy(policy.CITY_SUPERVISORS)
NAV = (
    ((Role.SUPERVISOR,), "supervisor.dashboard", N_("Dashboard")),
    ((Role.SUPERVISOR,), "supervisor.extensions", N_("Extensions")),
    ((Role.SUPERVISOR,), "supervisor.rectifications", N_("Rectifications")),
    ((Role.SUPERVISOR,), "supervisor.staff", N_("Staff")),
    ((Role.SUPERVISOR,), "supervisor.calendar", N_("Calendar")),
)
YEARS = range(2000, 2101)


@bp.get("/supervisor")
@supervisors_only
def dashboard():
    form = filter_form()
    scope = cockpit_scope(form)
    db = db_session()
    metrics = current_metrics(
        session=db, catalog=catalog(), since=scope.since, until=scope.until, department=scope.department
    )
    # The other kinds of case, city-wide and since the start: their own pages break them down.
    requests = request_figures(session=db)
    disputes = one_place_figures(session=db, actor=current_user)
    return render_template(
        "supervisor/dashboard.html",
        metrics=metrics,
        form=form,
        requests=requests,
        disputes=disputes,
        watches_city=policy.watched_department(current_user) is None,
        **cockpit_context(form, scope, metrics),
    )


@bp.get("/supervisor/overdue")
@supervisors_only
def overdue():
    return render_template(
        "supervisor/overdue.html", rows=late_tasks(session=db_session(), actor=current_user, catalog=catalog())
    )


@bp.get("/supervisor/breaches")
@supervisors_only
def breaches():
    department = request.args.get("department") or None
    lists = breach_lists(session=db_session(), actor=current_user, catalog=catalog(), department=department)
    return render_template("supervisor/breaches.html", lists=lists, department=department)


def _extensions_page(failed: tuple[str, ExtensionDecisionForm] | None = None):
    rows = extension_queue(session=db_session(), actor=current_user, catalog=catalog())
    forms = {row.task.key: ExtensionDecisionForm(formdata=None) for row in rows}
    if failed:
        forms[failed[0]] = failed[1]
    return render_template("supervisor/extensions.html", rows=rows, forms=forms)


@bp.get("/supervisor/extensions")
@supervisors_only
def extensions():
    return _extensions_page()


@bp.post("/supervisor/extensions/<key>")
@supervisors_only
def decide(key: str):
    form = ExtensionDecisionForm()
    if not form.validate_on_submit():
        if form.decision.errors:  # only a tampered request lacks the button's value
            abort(400)
        return _extensions_page(failed=(key, form)), 422
    grant = form.decision.data == "grant"
    try:
        decide_extension(
            session=db_session(),
            actor=current_user,
            key=key,
            catalog=catalog(),
            grant=grant,
            answer=form.answer.data or None,
        )
    except Invalid as error:
        # The table asks for a "reason"; on this page the supervisor writes it as the answer.
        apply_errors(form, {"answer" if name == "reason" else name: text for name, text in error.errors.items()})
        return _extensions_page(failed=(key, form)), 422
    flash(_("Extension granted: the deadline moved.") if grant else _("Extension refused."), "success")
    return redirect(url_for("supervisor.extensions"))


def _rectifications_page(failed: tuple[str, RectificationAnswerForm] | None = None):
    rows = open_rectifications(session=db_session(), actor=current_user)
    forms = {row.rectification.key: RectificationAnswerForm(formdata=None) for row in rows}
    if failed:
        forms[failed[0]] = failed[1]
    return render_template("supervisor/rectifications.html", rows=rows, forms=forms)


@bp.get("/supervisor/rectifications")
@supervisors_only
def rectifications():
    return _rectifications_page()


@bp.post("/supervisor/rectifications/<key>")
@supervisors_only
def answer(key: str):
    form = RectificationAnswerForm()
    if form.validate_on_submit():
        try:
            answer_rectification(session=db_session(), actor=current_user, key=key, answer=form.answer.data)
        except Invalid as error:
            apply_errors(form, error.errors)
        except Conflict as error:  # answered meanwhile, in another tab or by a colleague: said once on the list
            flash(translate(error.message), "warning")
            return redirect(url_for("supervisor.rectifications"))
        else:
            flash(_("Answered. The applicant has been sent your answer."), "success")
            return redirect(url_for("supervisor.rectifications"))
    return _rectifications_page(failed=(key, form)), 422


def _shown_year() -> int:
    year = request.args.get("year", type=int)
    return year if year in YEARS else clock.china_today().year


def _calendar_page(year: int, form: CalendarOverrideForm):
    return render_template(
        "supervisor/calendar.html", info=calendar_year(session=db_session(), actor=current_user, year=year), form=form
    )


@bp.get("/supervisor/calendar")
@supervisors_only
def calendar():
    return _calendar_page(_shown_year(), CalendarOverrideForm(formdata=None))


@bp.post("/supervisor/calendar")
@city_supervisors_only
def add_day():
    form = CalendarOverrideForm()
    if form.validate_on_submit():
        try:
            override = add_override(
                session=db_session(),
                actor=current_user,
                day=form.day.data,
                kind=form.kind.data,
                note=form.note.data or "",
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        else:
            flash(_("Recorded %(day)s.", day=override.day.isoformat()), "success")
            return redirect(url_for("supervisor.calendar", year=override.day.year))
    year = form.day.data.year if form.day.data and form.day.data.year in YEARS else _shown_year()
    return _calendar_page(year, form), 422


@bp.post("/supervisor/calendar/<day>/remove")
@city_supervisors_only
def remove_day(day: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    remove_override(session=db_session(), actor=current_user, day=when)
    flash(_("Removed %(day)s; the usual calendar applies to it again.", day=when.isoformat()), "success")
    return redirect(url_for("supervisor.calendar", year=when.year))


@bp.get("/supervisor/disputes")
@supervisors_only
def disputes():
    """最多跑一地, measured: visits, places, resolutions and agreements kept, over every dispute."""
    return render_template(
        "supervisor/disputes.html", figures=one_place_figures(session=db_session(), actor=current_user)
    )


# --- staff: who holds what, and handing it on ----------------------------------------------


@bp.get("/supervisor/staff")
@supervisors_only
def staff():
    return render_template("supervisor/staff.html", loads=department_clerks(session=db_session(), actor=current_user))


def _hand_on_form(clerk, prefix: str, formdata=None, levers=("reassign", "force_release")) -> HandOnForm:
    """The choices the levers allow: colleagues of the clerk's department (`reassign`), the queue (`force_release`).

    Prefixed (a task's key, or "all"): one page holds a form per task and one for everything. The "-" is
    ours: WTForms adds it only when the prefix does not already end in "-", "_" or the like, and a key may.
    """
    form = HandOnForm(formdata=formdata, prefix=f"{prefix}-")
    colleagues = [
        load.clerk
        for load in department_clerks(session=db_session(), actor=current_user)
        if load.clerk.department == clerk.department and load.clerk.id != clerk.id and load.clerk.is_active
    ]
    queue = [(QUEUE, _("Back to the department queue"))] if "force_release" in levers else []
    people = [(str(colleague.id), colleague.full_name) for colleague in colleagues] if "reassign" in levers else []
    form.to.choices = [("", _("Choose…")), *queue, *people]
    return form


def _clerk_page(clerk_id: int, failed: tuple[str, HandOnForm] | None = None):
    clerk, rows = held_tasks(session=db_session(), actor=current_user, clerk_id=clerk_id, catalog=catalog())
    forms = {row.task.key: _hand_on_form(clerk, row.task.key, levers=row.levers) for row in rows}
    forms["all"] = _hand_on_form(clerk, "all")
    if failed:
        forms[failed[0]] = failed[1]
    return render_template(
        "supervisor/clerk.html",
        clerk=clerk,
        rows=rows,
        forms=forms,
        task_name=task_name,
        task_state_label=task_state_label,
    )


@bp.get("/supervisor/staff/<int:clerk_id>")
@supervisors_only
def clerk_tasks(clerk_id: int):
    return _clerk_page(clerk_id)


@bp.post("/supervisor/staff/<int:clerk_id>/hand-on")
@supervisors_only
def hand_on_inbox(clerk_id: int):
    clerk, _rows = held_tasks(session=db_session(), actor=current_user, clerk_id=clerk_id, catalog=catalog())
    form = _hand_on_form(clerk, "all", formdata=request.form)
    if not form.validate_on_submit():
        return _clerk_page(clerk_id, failed=("all", form)), 422
    try:
        moved = reassign_inbox(
            session=db_session(),
            actor=current_user,
            clerk_id=clerk_id,
            to_clerk_id=form.target_clerk_id(),
            reason=form.reason.data,
            catalog=catalog(),
        )
    except Invalid as error:
        apply_errors(form, {"to" if name == "to_clerk" else name: text for name, text in error.errors.items()})
        return _clerk_page(clerk_id, failed=("all", form)), 422
    except Conflict as error:
        flash(translate(error.message), "danger")
        return redirect(url_for("supervisor.clerk_tasks", clerk_id=clerk_id))
    flash(ngettext("%(num)d task handed on.", "%(num)d tasks handed on.", moved), "success")
    return redirect(url_for("supervisor.clerk_tasks", clerk_id=clerk_id))


@bp.post("/supervisor/staff/<int:clerk_id>/tasks/<key>/hand-on")
@supervisors_only
def hand_on_task(clerk_id: int, key: str):
    clerk, rows = held_tasks(session=db_session(), actor=current_user, clerk_id=clerk_id, catalog=catalog())
    levers = next((row.levers for row in rows if row.task.key == key), None)
    if levers is None:  # decided, released or handed on meanwhile
        flash(_("This task is no longer held by this clerk: it moved on meanwhile."), "warning")
        return redirect(url_for("supervisor.clerk_tasks", clerk_id=clerk_id))
    form = _hand_on_form(clerk, key, formdata=request.form, levers=levers)
    if not form.validate_on_submit():
        return _clerk_page(clerk_id, failed=(key, form)), 422
    try:
        reassign_task(
            session=db_session(),
            actor=current_user,
            key=key,
            to_clerk_id=form.target_clerk_id(),
            reason=form.reason.data,
            catalog=catalog(),
        )
    except Invalid as error:
        apply_errors(form, {"to" if name == "to_clerk" else name: text for name, text in error.errors.items()})
        return _clerk_page(clerk_id, failed=(key, form)), 422
    except Conflict as error:
        flash(translate(error.message), "danger")
        return redirect(url_for("supervisor.clerk_tasks", clerk_id=clerk_id))
    flash(_("Task handed on."), "success")
    return redirect(url_for("supervisor.clerk_tasks", clerk_id=clerk_id))
