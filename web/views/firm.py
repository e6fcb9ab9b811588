"""A firm's enterprise requests (企呼我应): raise one, follow it, confirm or reopen the answer, rate it."""

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from services import policy
from services.enterprise import raising
from services.enterprise.queries import my_requests, request_attachment, request_detail
from services.enterprise.raising import UploadedFile
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Role, new_key
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from web.extensions import catalog, db_session, file_store
from web.forms.account import EmptyForm
from web.forms.enterprise import RaiseRequestForm, RateRequestForm, ReopenForm
from web.messages import translate
from web.views.files import serve_stored_file
from web.views.helpers import apply_errors, locale_code, route_policy
from web.views.request_labels import request_labels

bp = Blueprint("firm", __name__)
companies_only = route_policy(policy.COMPANIES)
NAV = (((Role.COMPANY,), "firm.requests", N_("My requests")),)


@bp.context_processor
def _labels():
    return request_labels()


@bp.get("/requests")
@companies_only
def requests():
    return render_template("firm/requests.html", rows=my_requests(session=db_session(), actor=current_user))


def _raise_form(**kwargs) -> RaiseRequestForm:
    form = RaiseRequestForm(**kwargs)
    locale = locale_code()
    form.category.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(code, category.name.get(locale)) for code, category in catalog().request_categories.items()
    ]
    form.concerns_department.choices = [SelectChoice("", _("— none —"))] + [
        SelectChoice(code, department.name.get(locale))
        for code, department in catalog().departments.items()
        if code != OFFICE_DEPARTMENT
    ]
    return form


@bp.get("/requests/new")
@companies_only
def new():
    return render_template("firm/new.html", form=_raise_form(formdata=None, form_token=new_key()))


@bp.post("/requests/new")
@companies_only
def raise_new():
    form = _raise_form()
    if form.validate():
        try:
            raised = raising.raise_request(
                session=db_session(),
                actor=current_user,
                catalog=catalog(),
                store=file_store(),
                category=form.category.data,
                description=form.description.data,
                concerns_number=form.concerns_number.data or "",
                concerns_department=form.concerns_department.data or "",
                files=[UploadedFile(f.filename or "", f.read()) for f in form.attachments.data or () if f.filename],
                form_token=form.form_token.data or "",
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        else:
            flash(
                _(
                    "Request %(number)s raised. The business-environment office reads it within one working day.",
                    number=raised.number,
                ),
                "success",
            )
            return redirect(url_for("firm.detail", key=raised.key))
    # Everything typed comes back; files must be chosen again (a browser never refills a file input).
    return render_template("firm/new.html", form=form), 422


@bp.get("/requests/<key>")
@companies_only
def detail(key: str):
    return _detail_page(key)


def _detail_page(key: str, status: int = 200, **forms):
    detail = request_detail(session=db_session(), actor=current_user, key=key, catalog=catalog())
    forms.setdefault("reopen_form", ReopenForm(formdata=None))
    forms.setdefault("rate_form", RateRequestForm(formdata=None))
    return render_template("firm/request.html", detail=detail, empty_form=EmptyForm(), **forms), status


def _no_input(form) -> dict:
    return {}


def _act(key: str, service: Callable, done: str, form=None, form_name: str | None = None, inputs=_no_input):
    """Validate, call the one service, flash and go back to the request; a field in error shows the page again."""
    form = form or EmptyForm()
    if form.validate_on_submit():
        try:
            service(session=db_session(), actor=current_user, key=key, catalog=catalog(), **inputs(form))
        except Invalid as error:
            apply_errors(form, error.errors)
            if not any(name in form for name in error.errors):
                flash(translate(error.message), "danger")
                return redirect(url_for("firm.detail", key=key))
        except Conflict as error:  # a second reopen, a rating given in another tab: said once on the page
            flash(translate(error.message), "warning")
            return redirect(url_for("firm.detail", key=key))
        else:
            flash(done, "success")
            return redirect(url_for("firm.detail", key=key))
    return _detail_page(key, 422, **({form_name: form} if form_name else {}))


@bp.post("/requests/<key>/withdraw")
@companies_only
def withdraw(key: str):
    return _act(key, raising.withdraw_request, _("Your request has been withdrawn."))


@bp.post("/requests/<key>/confirm")
@companies_only
def confirm(key: str):
    return _act(key, raising.confirm_request_solved, _("Thank you: the request is marked solved. Please rate it."))


@bp.post("/requests/<key>/close")
@companies_only
def close(key: str):
    return _act(key, raising.close_request_unsolved, _("The request is closed as not solved. Please rate it."))


@bp.post("/requests/<key>/reopen")
@companies_only
def reopen(key: str):
    return _act(
        key,
        raising.reopen_request,
        _("Your request is reopened: the office's supervisor will answer it."),
        form=ReopenForm(),
        form_name="reopen_form",
        inputs=lambda form: {"reason": form.reason.data},
    )


@bp.post("/requests/<key>/rate")
@companies_only
def rate(key: str):
    return _act(
        key,
        raising.rate_request,
        _("Thank you for rating our service."),
        form=RateRequestForm(),
        form_name="rate_form",
        inputs=lambda form: {"score": int(form.score.data), "comment": form.comment.data or ""},
    )


@bp.get("/requests/files/<key>")
@route_policy(policy.SIGNED_IN)
def request_file(key: str):
    """A file of a request: for its firm and the staff who may see the request."""
    attachment = request_attachment(session=db_session(), actor=current_user, key=key)
    return serve_stored_file(attachment)
