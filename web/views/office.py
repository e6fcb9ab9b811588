"""The business-environment office (营商办): triage, direct and second answers, common problems.

Its clerks and supervisors work here; other departments' supervisors read the lists of the requests
their department was given a task on. The services refuse everyone else.
"""

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from services import policy
from services.enterprise import office, problems
from services.enterprise.access import is_office_staff
from services.enterprise.figures import request_figures
from services.enterprise.queries import office_lists, problem_detail, request_detail
from services.errors import Conflict, Invalid, NotAllowed
from services.i18n import N_
from services.models import Role
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from web.extensions import catalog, db_session
from web.forms.enterprise import AnswerForm, LinkProblemForm, PolicyAnswerForm, ProblemForm, RouteForm
from web.messages import translate
from web.views.helpers import apply_errors, locale_code, route_policy
from web.views.request_labels import request_labels

bp = Blueprint("office", __name__)
office_staff = route_policy(policy.CLERKS_AND_SUPERVISORS)
# Clerks reach the office's pages from their department's request tasks (handling.work).
NAV = (((Role.SUPERVISOR,), "office.index", N_("Enterprise requests")),)


@bp.context_processor
def _labels():
    return request_labels()


def _require_office() -> None:
    if not is_office_staff(current_user):
        raise NotAllowed(N_("only the business-environment office may do this"))


@bp.get("/office")
@office_staff
def index():
    """The office's lists (with the figures for supervisors); a department's supervisor sees its department's."""
    db = db_session()
    lists = office_lists(session=db, actor=current_user)
    figures = request_figures(session=db) if current_user.role == Role.SUPERVISOR else None
    return render_template("office/index.html", lists=lists, figures=figures)


def _department_choices(blank: str) -> list[SelectChoice]:
    locale = locale_code()
    return [SelectChoice("", blank)] * bool(blank) + [
        SelectChoice(code, department.name.get(locale))
        for code, department in catalog().departments.items()
        if code != OFFICE_DEPARTMENT
    ]


def _forms(**given) -> dict:
    route_form = given.get("route_form") or RouteForm(formdata=None)
    route_form.lead.choices = _department_choices(_("— choose —"))
    route_form.co_handlers.choices = _department_choices("")
    link_form = given.get("link_form") or LinkProblemForm(formdata=None)
    rows = problems.common_problems(session=db_session(), actor=current_user) if is_office_staff(current_user) else []
    link_form.problem.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(row.problem.key, row.problem.title) for row in rows
    ]
    return {
        "route_form": route_form,
        "link_form": link_form,
        "answer_form": given.get("answer_form") or AnswerForm(formdata=None),
    }


def _request_page(key: str, status: int = 200, **given):
    """Read by anyone who may see the request (a department's staff too); the forms are the office's."""
    detail = request_detail(session=db_session(), actor=current_user, key=key, catalog=catalog())
    return render_template("office/request.html", detail=detail, **_forms(**given)), status


@bp.get("/office/requests/<key>")
@office_staff
def request_page(key: str):
    return _request_page(key)


def _act(key: str, service: Callable, done: str, form, form_name: str, inputs: Callable):
    _require_office()
    if form.validate_on_submit():
        try:
            service(session=db_session(), actor=current_user, key=key, catalog=catalog(), **inputs(form))
        except Invalid as error:
            apply_errors(form, error.errors)
            if not any(name in form for name in error.errors):
                flash(translate(error.message), "danger")
                return redirect(url_for("office.request_page", key=key))
        except Conflict as error:
            flash(translate(error.message), "warning")
            return redirect(url_for("office.request_page", key=key))
        else:
            flash(done, "success")
            return redirect(url_for("office.request_page", key=key))
    return _request_page(key, 422, **{form_name: form})


@bp.post("/office/requests/<key>/route")
@office_staff
def route(key: str):
    form = RouteForm()
    form.lead.choices = _department_choices(_("— choose —"))
    form.co_handlers.choices = _department_choices("")
    return _act(
        key,
        office.route_request,
        _("Routed: the lead department and the co-handlers have it in their queues."),
        form,
        "route_form",
        lambda form: {"lead": form.lead.data or "", "co_handlers": form.co_handlers.data or []},
    )


@bp.post("/office/requests/<key>/answer")
@office_staff
def answer(key: str):
    return _act(
        key,
        office.answer_request_directly,
        _("Answered: the firm has been told."),
        AnswerForm(),
        "answer_form",
        lambda form: {"answer": form.answer.data},
    )


@bp.post("/office/requests/<key>/answer-again")
@office_staff
def answer_again(key: str):
    return _act(
        key,
        office.answer_reopened_request,
        _("Answered again: the firm has been told."),
        AnswerForm(),
        "answer_form",
        lambda form: {"answer": form.answer.data},
    )


@bp.post("/office/requests/<key>/link")
@office_staff
def link(key: str):
    form = LinkProblemForm()
    form.problem.choices = [
        SelectChoice(row.problem.key, row.problem.title)
        for row in problems.common_problems(session=db_session(), actor=current_user)
    ]
    return _act(
        key,
        problems.link_request_to_problem,
        _("Linked to the common problem."),
        form,
        "link_form",
        lambda form: {"problem_key": form.problem.data},
    )


def _category_choices() -> list[SelectChoice]:
    locale = locale_code()
    return [SelectChoice("", _("— choose —"))] + [
        SelectChoice(code, category.name.get(locale)) for code, category in catalog().request_categories.items()
    ]


def _problems_page(form: ProblemForm | None = None, status: int = 200):
    _require_office()
    form = form or ProblemForm(formdata=None)
    form.category.choices = _category_choices()
    rows = problems.common_problems(session=db_session(), actor=current_user)
    return render_template("office/problems.html", rows=rows, form=form), status


@bp.get("/office/problems")
@office_staff
def problem_list():
    return _problems_page()


@bp.post("/office/problems")
@office_staff
def create_problem():
    _require_office()
    form = ProblemForm()
    form.category.choices = _category_choices()
    if form.validate_on_submit():
        try:
            created = problems.create_common_problem(
                session=db_session(),
                actor=current_user,
                catalog=catalog(),
                title=form.title.data,
                category=form.category.data,
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        else:
            flash(_("Common problem created: link the requests that ask it."), "success")
            return redirect(url_for("office.problem", key=created.key))
    return _problems_page(form, 422)


def _problem_page(key: str, form: PolicyAnswerForm | None = None, status: int = 200):
    detail = problem_detail(session=db_session(), actor=current_user, key=key)
    return render_template("office/problem.html", detail=detail, form=form or PolicyAnswerForm(formdata=None)), status


@bp.get("/office/problems/<key>")
@office_staff
def problem(key: str):
    return _problem_page(key)


@bp.post("/office/problems/<key>/answer")
@office_staff
def answer_problem(key: str):
    _require_office()
    form = PolicyAnswerForm()
    if form.validate_on_submit():
        try:
            answered = problems.answer_common_problem(
                session=db_session(), actor=current_user, problem_key=key, catalog=catalog(), answer=form.answer.data
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        except Conflict as error:
            flash(translate(error.message), "warning")
            return redirect(url_for("office.problem", key=key))
        else:
            flash(
                ngettext(
                    "The policy answer reached %(num)d firm.", "The policy answer reached %(num)d firms.", answered
                ),
                "success",
            )
            return redirect(url_for("office.problem", key=key))
    return _problem_page(key, form, 422)
