"""A department's clerks (viewflow's shape): queue, inbox, archive, and the task they work on."""

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from services import policy
from services.applications.queries import application_detail
from services.casework import tasks as casework
from services.casework.tasks import TaskFilters
from services.catalog.editions import filed_catalog
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Role
from services.workflow.case_types import case_types
from services.workflow.task_rules import PROCEDURES
from web.case_pages import task_name, task_state_label, task_url
from web.extensions import catalog, db_session
from web.forms.account import EmptyForm
from web.forms.casework import (
    ApproveForm,
    ExtensionForm,
    NoticeRequestForm,
    RejectForm,
    SuspendForm,
    TaskFilterForm,
)
from web.messages import colour_label, translate
from web.views.helpers import apply_errors, locale_code, route_policy

bp = Blueprint("clerk", __name__)
clerks_only = route_policy(policy.CLERKS)
NAV = (
    ((Role.CLERK,), "clerk.queue", N_("Department queue")),
    ((Role.CLERK,), "clerk.inbox", N_("My tasks")),
    ((Role.CLERK,), "clerk.archive", N_("Decided")),
)
COLOURS = ("red", "amber", "green")
# The forms of the task page, by the name the template knows them by.
FORMS = {
    "approve_form": ApproveForm,
    "reject_form": RejectForm,
    "suspend_form": SuspendForm,
    "notice_form": NoticeRequestForm,
    "extension_form": ExtensionForm,
}


def _list_states(lists: str) -> dict[str, str]:
    """The task states a list shows (`TaskLists`: "ready", "held", "decided") of every kind, with their labels."""
    states: dict[str, str] = {}
    for case_type in case_types().values():
        for state in getattr(case_type.task_lists, lists):
            states.setdefault(state, case_type.task_machine.state_labels[state])
    return states


def _filter_form(statuses: dict[str, str]) -> TaskFilterForm:
    form = TaskFilterForm(formdata=request.args)
    items = sorted(
        (item for item in catalog().items.values() if item.department == current_user.department),
        key=lambda item: item.code,
    )
    form.item.choices = [SelectChoice("", _("All items"))] + [
        SelectChoice(item.code, item.name.get(locale_code())) for item in items
    ]
    form.status.choices = [SelectChoice("", _("Any status"))] + [
        SelectChoice(status, translate(label)) for status, label in statuses.items()
    ]
    form.colour.choices = [SelectChoice("", _("Any deadline"))] + [
        SelectChoice(colour, translate(colour_label(colour))) for colour in COLOURS
    ]
    return form


def _listing(lister: Callable, lists: str, title: str, empty: str, empty_link: tuple[str, str] | None = None):
    statuses = _list_states(lists)
    form = _filter_form(statuses)
    filters = TaskFilters(
        item_code=form.item.data or None, status=form.status.data or None, colour=form.colour.data or None
    )
    rows = lister(
        session=db_session(), actor=current_user, catalog=catalog(), filters=filters, cursor=request.args.get("after")
    )
    # "More" keeps the filters and moves the cursor on.
    more = (
        url_for(request.endpoint, **{**request.args.to_dict(), "after": rows.next_cursor}) if rows.next_cursor else None
    )
    return render_template(
        "clerk/list.html",
        rows=rows,
        form=form,
        title=title,
        empty=empty,
        empty_link=empty_link,
        more=more,
        # A list of one status needs no status filter.
        show_status=len(statuses) > 1,
        task_url=task_url,
        task_name=task_name,
        task_state_label=task_state_label,
    )


@bp.get("/clerk")
@clerks_only
def queue():
    return _listing(
        casework.department_queue,
        "ready",
        _("Department queue"),
        _("No task of your department is waiting to be claimed."),
    )


@bp.get("/clerk/inbox")
@clerks_only
def inbox():
    return _listing(
        casework.inbox,
        "held",
        _("My tasks"),
        _("You hold no task."),
        (url_for("clerk.queue"), _("Claim one from the department queue")),
    )


@bp.get("/clerk/archive")
@clerks_only
def archive():
    return _listing(casework.archive, "decided", _("Decided"), _("You have not decided any task yet."))


def _task_page(key: str, status: int = 200, **forms):
    db = db_session()
    detail = casework.task_detail(session=db, actor=current_user, key=key, catalog=catalog())
    case = application_detail(session=db, actor=current_user, key=detail.application.key, catalog=catalog())
    for name, form_class in FORMS.items():
        forms.setdefault(name, form_class(formdata=None))
    return render_template(
        "clerk/task.html",
        detail=detail,
        case=case,
        task=detail.task,
        a=detail.application,
        service=filed_catalog(catalog(), detail.application).service(detail.application.service_code),
        item=filed_catalog(catalog(), detail.application).items[detail.task.item_code],
        timeline=[e for e in case.events if e.task_id in (None, detail.task.id)],
        procedures=PROCEDURES,
        # Approving the review of a benefit offer's amount names the amount due.
        decides_amount=detail.task.item_code in catalog().review_items(),
        **forms,
    ), status


@bp.get("/clerk/tasks/<key>")
@clerks_only
def task(key: str):
    return _task_page(key)


def _no_input(form) -> dict:
    return {}


def _act(
    key: str,
    service: Callable,
    done: str,
    then: str = "clerk.task",
    form_name: str | None = None,
    inputs: Callable = _no_input,
    on_conflict: str = "clerk.task",
):
    """Validate the form, call the one service, flash and go on.

    A field in error shows the task page again with what was typed; a refusal of the step itself is
    flashed on the task page after a redirect, so a reload sends nothing again.
    """
    form = FORMS[form_name]() if form_name else EmptyForm()
    if form.validate():
        try:
            # The account itself, not Flask-Login's proxy: the services read it dozens of times.
            actor = current_user._get_current_object()
            service(session=db_session(), actor=actor, key=key, catalog=catalog(), **inputs(form))
        except Invalid as error:
            apply_errors(form, error.errors)
            if not any(name in form for name in error.errors):
                flash(translate(error.message), "danger")
                return redirect(_url("clerk.task", key))
        except Conflict as error:
            flash(translate(error.message), "warning")
            return redirect(_url(on_conflict, key))
        else:
            flash(done, "success")
            return redirect(_url(then, key))
    return _task_page(key, 422, **({form_name: form} if form_name else {}))


def _url(endpoint: str, key: str) -> str:
    return url_for(endpoint, key=key) if endpoint == "clerk.task" else url_for(endpoint)


@bp.post("/clerk/tasks/<key>/claim")
@clerks_only
def claim(key: str):
    # A lost race sends the clerk back to the queue with the reason, not to an error page.
    return _act(key, casework.claim_task, _("You hold this task now."), on_conflict="clerk.queue")


@bp.post("/clerk/tasks/<key>/release")
@clerks_only
def release(key: str):
    return _act(key, casework.release_task, _("The task is back in the department queue."), then="clerk.queue")


@bp.post("/clerk/tasks/<key>/resume")
@clerks_only
def resume(key: str):
    return _act(key, casework.resume_task, _("The special procedure ended; the clock runs again."))


@bp.post("/clerk/tasks/<key>/approve")
@clerks_only
def approve(key: str):
    return _act(
        key,
        casework.approve_task,
        _("Approved."),
        then="clerk.inbox",
        form_name="approve_form",
        inputs=lambda form: {"note": form.note.data or None, "decided_amount": form.decided_amount.data or None},
    )


@bp.post("/clerk/tasks/<key>/reject")
@clerks_only
def reject(key: str):
    return _act(
        key,
        casework.reject_task,
        _("Not approved; the applicant has been told why."),
        then="clerk.inbox",
        form_name="reject_form",
        inputs=lambda form: {"reason": form.reason.data},
    )


@bp.post("/clerk/tasks/<key>/suspend")
@clerks_only
def suspend(key: str):
    return _act(
        key,
        casework.suspend_task,
        _("Special procedure started; the clock is paused."),
        form_name="suspend_form",
        inputs=lambda form: {"procedure": form.procedure.data, "reason": form.reason.data},
    )


@bp.post("/clerk/tasks/<key>/request-notice")
@clerks_only
def request_notice(key: str):
    return _act(
        key,
        casework.request_notice,
        _("The front desk has been asked to issue a one-time notice."),
        form_name="notice_form",
        inputs=lambda form: {"reason": form.reason.data},
    )


@bp.post("/clerk/tasks/<key>/request-extension")
@clerks_only
def request_extension(key: str):
    return _act(
        key,
        casework.request_extension,
        _("Extension requested; the supervisor decides."),
        form_name="extension_form",
        inputs=lambda form: {"days": form.days.data, "reason": form.reason.data},
    )
