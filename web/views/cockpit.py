"""The city-brain cockpit: its JSON for the charts, the big screen, and the drill-down to cases and each case.

The services compute (services/cockpit); these views check the query string, serialise, and add
to every figure the link to the list of its cases.
"""

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from services import policy
from services.cockpit.case_view import supervised_case
from services.cockpit.drill import RATE_MEASURES, list_cases
from services.cockpit.overview import case_mix, live_counts
from services.cockpit.scope import Scope, watched_scope
from services.cockpit.trends import MEASURES, TrendPoint, period_end, trend
from services.errors import Invalid
from services.i18n import N_
from services.metrics import Metrics, current_metrics, read_metrics
from services.workflow.case_types import case_types, row_recorded_as
from web.case_pages import task_name, task_state_label
from web.extensions import catalog, db_session
from web.forms.cockpit import CaseListForm, CockpitFilterForm, TrendForm
from web.messages import translate
from web.views.helpers import department_name, route_policy
from web.views.inbox import message_text

bp = Blueprint("cockpit", __name__)
supervisors_only = route_policy(policy.SUPERVISORS)

MEASURE_LABELS = {
    "submitted": N_("Applications submitted"),
    "zero_visit": N_("Finished with zero visits"),
    "on_time": N_("Finished on time"),
    "same_day": N_("Finished the day accepted"),
    "compression": N_("Time limit compression"),
    "rating": N_("Mean rating (1 to 5)"),
}
# What each trend drills down to: the rates list what they were counted over; the rest, what was submitted.
TREND_CASES = {measure: measure if measure in RATE_MEASURES else "submitted" for measure in MEASURES}


def filter_form(form_class=CockpitFilterForm):
    """The filters of the query string; which department a supervisor may watch is the service's to say (403)."""
    form = form_class(formdata=request.args)
    own = policy.watched_department(current_user)
    departments = [*catalog().departments, *([own] if own and own not in catalog().departments else [])]
    return form.with_departments([(code, department_name(code)) for code in departments])


def scope_of(form: CockpitFilterForm) -> Scope:
    return watched_scope(
        actor=current_user,
        catalog=catalog(),
        since=form.since.data,
        until=form.until.data,
        department=form.department.data or None,
    )


def cases_url(scope: Scope, *, kind: str = "application", measure: str = "submitted", **period) -> str:
    """The list of the cases behind a figure, in the scope (or the narrower `since`/`until` given)."""
    since, until = period.get("since", scope.since), period.get("until", scope.until)
    return url_for(
        "cockpit.cases",
        kind=kind,
        measure=measure,
        department=scope.department or None,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
    )


def _rejected(form):
    return jsonify({"errors": form.errors}), 400


def trend_json(scope: Scope, measure: str, grain: str) -> dict:
    points = trend(session=db_session(), catalog=catalog(), scope=scope, measure=measure, grain=grain)
    return {"measure": measure, "grain": grain, "points": [point_json(scope, measure, grain, p) for p in points]}


def point_json(scope: Scope, measure: str, grain: str, point: TrendPoint) -> dict:
    # A bucket cut by the period shows and lists only the period's part of it.
    since = max(point.start, scope.since) if scope.since else point.start
    end = period_end(point.start, grain)
    until = min(end, scope.until) if scope.until else end
    return {
        "start": point.start.isoformat(),
        "value": point.value,
        "base": point.base,
        "cases": cases_url(scope, measure=TREND_CASES[measure], since=since, until=until),
    }


@bp.get("/supervisor/api/trend")
@supervisors_only
def api_trend():
    form = filter_form(TrendForm)
    if not form.validate():
        return _rejected(form)
    return jsonify(trend_json(scope_of(form), form.measure.data, form.chosen_grain))


def read_scope(scope: Scope) -> Metrics:
    """The dashboard's figures of the scope, from the rollup as it stands."""
    return read_metrics(
        session=db_session(), catalog=catalog(), since=scope.since, until=scope.until, department=scope.department
    )


def departments_json(scope: Scope, metrics: Metrics) -> list[dict]:
    rows = []
    for d in metrics.departments:
        department = Scope(scope.since, scope.until, d.department)
        rows.append(
            {
                "department": d.department,
                "name": department_name(d.department),
                "tasks": d.count,
                "on_time": d.rates.on_time,
                "same_day": d.rates.same_day,
                "zero_visit": d.rates.zero_visit,
                "compression": d.rates.time_compression,
                "breaches": d.breaches.total,
                "cases": {measure: cases_url(department, measure=measure) for measure in ("submitted", *RATE_MEASURES)},
            }
        )
    return rows


@bp.get("/supervisor/api/departments")
@supervisors_only
def api_departments():
    form = filter_form()
    if not form.validate():
        return _rejected(form)
    scope = scope_of(form)
    return jsonify({"departments": departments_json(scope, read_scope(scope))})


def mix_json(scope: Scope) -> list[dict]:
    return [
        {
            "kind": k.kind,
            "title": translate(k.title),
            "count": k.count,
            "cases": cases_url(scope, kind=k.kind),
        }
        for k in case_mix(session=db_session(), catalog=catalog(), scope=scope)
    ]


@bp.get("/supervisor/api/mix")
@supervisors_only
def api_mix():
    form = filter_form()
    if not form.validate():
        return _rejected(form)
    return jsonify({"kinds": mix_json(scope_of(form))})


def live_json(scope: Scope, metrics: Metrics) -> dict:
    """Today's counters, and the period's breaches as the figures count them."""
    live = live_counts(session=db_session(), catalog=catalog(), scope=scope)
    today = Scope(live.today, live.today, scope.department)
    return {
        "today": live.today.isoformat(),
        "submitted_today": live.total_today,
        "overdue": live.total_overdue,
        "breaches": metrics.overall.breaches.total,
        "kinds": [
            {
                "kind": new.kind,
                "title": translate(new.title),
                "submitted_today": new.count,
                "overdue": late.count,
                "today_cases": cases_url(today, kind=new.kind),
                "overdue_cases": cases_url(Scope(None, None, scope.department), kind=late.kind, measure="overdue"),
            }
            for new, late in zip(live.submitted_today, live.overdue, strict=True)
        ],
        "breaches_url": url_for("supervisor.breaches"),
    }


@bp.get("/supervisor/api/live")
@supervisors_only
def api_live():
    form = filter_form()
    if not form.validate():
        return _rejected(form)
    scope = scope_of(form)
    return jsonify(live_json(scope, read_scope(scope)))


def cockpit_scope(form: CockpitFilterForm) -> Scope:
    """The filters asked for; while the form shows what is wrong with them, the figures are the unfiltered ones."""
    if form.validate():
        return scope_of(form)
    return watched_scope(actor=current_user, catalog=catalog(), since=None, until=None, department=None)


def cockpit_context(form: CockpitFilterForm, scope: Scope, metrics: Metrics) -> dict:
    """What the cockpit's charts and their tables show, for the dashboard and the big screen alike (`metrics`:
    the scope's figures, read once for the page)."""
    grain = form.chosen_grain
    trends = {measure: trend_json(scope, measure, grain) for measure in MEASURES}
    return {
        "scope": scope,
        "grain": grain,
        "trends": trends,
        "departments": departments_json(scope, metrics),
        "mix": mix_json(scope),
        "live": live_json(scope, metrics),
        "measure_labels": MEASURE_LABELS,
        "cases": {measure: cases_url(scope, measure=measure) for measure in ("submitted", *RATE_MEASURES)},
        "query": {k: v for k, v in request.args.items() if k in ("since", "until", "department", "grain") and v},
    }


@bp.get("/supervisor/screen")
@supervisors_only
def screen():
    """The command centre's big screen (1920×1080): the same charts, large, the live figures refreshing themselves."""
    form = filter_form()
    scope = cockpit_scope(form)
    metrics = current_metrics(
        session=db_session(), catalog=catalog(), since=scope.since, until=scope.until, department=scope.department
    )
    return render_template("supervisor/screen.html", form=form, **cockpit_context(form, scope, metrics))


@bp.get("/supervisor/cases")
@supervisors_only
def cases():
    form = filter_form(CaseListForm)
    form.kind.choices = [SelectChoice(kind, kind) for kind in case_types()]
    if not form.validate():
        abort(404)
    scope = scope_of(form)
    try:
        listing = list_cases(
            session=db_session(),
            catalog=catalog(),
            scope=scope,
            kind=form.kind.data,
            measure=form.measure.data,
            page=form.page.data or 1,
            counting=form.counting,
        )
    except Invalid:  # a rate asked of a kind it is not counted for: no such list
        abort(404)
    return render_template(
        "supervisor/cases.html",
        listing=listing,
        scope=scope,
        case_type=case_types()[listing.kind],
        task_name=task_name,
        task_state_label=task_state_label,
        page_url=lambda page: url_for("cockpit.cases", **{**request.args.to_dict(), "page": page}),
        counts_url=lambda counts: url_for(
            "cockpit.cases", **{**request.args.to_dict(), "counts": counts or None, "page": None}
        ),
    )


@bp.get("/supervisor/cases/<kind>/<number>")
@supervisors_only
def case(kind: str, number: str):
    view = supervised_case(session=db_session(), actor=current_user, catalog=catalog(), kind=kind, number=number)
    return render_template(
        "supervisor/case.html",
        view=view,
        task_name=task_name,
        task_state_label=task_state_label,
        message_text=message_text,
        event_state=event_state,
    )


def event_state(event: str, status: str | None) -> str | None:
    """The label of the status an event moved its case or task to, as that row's table names it."""
    recorded = row_recorded_as(event)
    if recorded is None or status is None:
        return None
    return translate(recorded[0].state_labels.get(status, status))
