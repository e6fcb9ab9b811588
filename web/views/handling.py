"""A department's work on enterprise requests: the lead drafts the answer, co-handlers give their input."""

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from services import policy
from services.enterprise import handling
from services.enterprise.access import get_request_task, is_office_staff
from services.enterprise.queries import request_detail
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Role
from services.workflow.engine import available_events
from web.extensions import catalog, db_session
from web.forms.account import EmptyForm
from web.forms.enterprise import HandlingForm
from web.messages import translate
from web.views.helpers import apply_errors, route_policy
from web.views.request_labels import request_labels

bp = Blueprint("handling", __name__)
clerks_only = route_policy(policy.CLERKS)
NAV = (((Role.CLERK,), "handling.work", N_("Enterprise requests")),)


@bp.context_processor
def _labels():
    return request_labels()


@bp.get("/department/requests")
@clerks_only
def work():
    return render_template(
        "handling/work.html",
        work=handling.request_work(session=db_session(), actor=current_user),
        office_clerk=is_office_staff(current_user),
    )


def _task_page(key: str, status: int = 200, form: HandlingForm | None = None):
    db = db_session()
    task, request = get_request_task(db, current_user, key, for_update=False)
    detail = request_detail(session=db, actor=current_user, key=request.key, catalog=catalog())
    return render_template(
        "handling/task.html",
        task=task,
        detail=detail,
        actions=available_events(current_user, task, request, catalog()),
        form=form or HandlingForm(formdata=None),
        empty_form=EmptyForm(),
    ), status


@bp.get("/department/requests/tasks/<key>")
@clerks_only
def task(key: str):
    return _task_page(key)


def _act(key: str, service: Callable, done: str, form=None, inputs: Callable = lambda form: {}, then: str = "task"):
    form = form or EmptyForm()
    if form.validate_on_submit():
        try:
            service(session=db_session(), actor=current_user, key=key, catalog=catalog(), **inputs(form))
        except Invalid as error:
            apply_errors(form, error.errors)
            if not any(name in form for name in error.errors):
                flash(translate(error.message), "danger")
                return redirect(url_for("handling.task", key=key))
        except Conflict as error:  # a co-handler still owes its input, a claim lost to a colleague
            flash(translate(error.message), "warning")
            return redirect(url_for("handling.task", key=key))
        else:
            flash(done, "success")
            return redirect(url_for("handling.work") if then == "work" else url_for("handling.task", key=key))
    return _task_page(key, 422, form if isinstance(form, HandlingForm) else None)


@bp.post("/department/requests/tasks/<key>/claim")
@clerks_only
def claim(key: str):
    return _act(key, handling.claim_request_task, _("You hold this task now."))


@bp.post("/department/requests/tasks/<key>/release")
@clerks_only
def release(key: str):
    return _act(key, handling.release_request_task, _("The task is back in the department queue."), then="work")


@bp.post("/department/requests/tasks/<key>/input")
@clerks_only
def give_input(key: str):
    return _act(
        key,
        handling.give_request_input,
        _("Your department's input has been sent to the lead department."),
        form=HandlingForm(),
        inputs=lambda form: {"text": form.answer.data},
        then="work",
    )


@bp.post("/department/requests/tasks/<key>/answer")
@clerks_only
def answer(key: str):
    return _act(
        key,
        handling.draft_request_answer,
        _("Answered: the firm has been told."),
        form=HandlingForm(),
        inputs=lambda form: {"answer": form.answer.data},
        then="work",
    )
