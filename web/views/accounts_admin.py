"""The city supervisor's administration of staff accounts: add, close, reopen, reset a password, move."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from services import policy
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Role
from services.staff_admin import (
    add_staff,
    change_post,
    close_account,
    reopen_account,
    reset_password,
    staff_directory,
    staff_member,
)
from web.extensions import catalog, db_session
from web.forms.account import EmptyForm
from web.forms.supervision import CloseAccountForm, StaffAccountForm, StaffPostForm
from web.messages import translate
from web.views.helpers import apply_errors, locale_code, route_policy

bp = Blueprint("accounts_admin", __name__)
city_supervisors_only = route_policy(policy.CITY_SUPERVISORS)
NAV = ()  # reached from the supervisor's Staff page
ROLE_LABELS = {Role.FRONT_DESK: N_("Front desk"), Role.CLERK: N_("Department clerk"), Role.SUPERVISOR: N_("Supervisor")}


def _with_choices(form):
    form.role.choices = [SelectChoice(role, _(label)) for role, label in ROLE_LABELS.items()]
    departments = sorted(catalog().departments.values(), key=lambda d: d.code)
    form.department.choices = [SelectChoice("", _("None (city-wide)"))] + [
        SelectChoice(d.code, d.name.get(locale_code())) for d in departments
    ]
    return form


def _directory(form: StaffAccountForm | None = None, status: int = 200):
    people = staff_directory(session=db_session(), actor=current_user)
    form = form or _with_choices(StaffAccountForm(formdata=None))
    return render_template("accounts_admin/index.html", people=people, form=form, role_labels=ROLE_LABELS), status


@bp.get("/supervisor/accounts")
@city_supervisors_only
def index():
    return _directory()


@bp.post("/supervisor/accounts")
@city_supervisors_only
def add():
    form = _with_choices(StaffAccountForm())
    if not form.validate_on_submit():
        return _directory(form, 422)
    try:
        made = add_staff(
            session=db_session(),
            actor=current_user,
            username=form.username.data,
            full_name=form.full_name.data,
            role=form.role.data,
            department=form.department.data or None,
            catalog=catalog(),
        )
    except Invalid as error:
        apply_errors(form, error.errors)
        return _directory(form, 422)
    # Shown once, on this response: never put in a redirect, a flash or a log.
    return render_template("accounts_admin/password.html", user=made.user, password=made.password, new=True)


def _member_page(user_id: int, status: int = 200, **forms):
    user = staff_member(session=db_session(), actor=current_user, user_id=user_id)
    post = forms.get("post_form") or _with_choices(
        StaffPostForm(formdata=None, role=user.role, department=user.department or "")
    )
    close = forms.get("close_form") or CloseAccountForm(formdata=None)
    return (
        render_template(
            "accounts_admin/member.html",
            user=user,
            post_form=post,
            close_form=close,
            empty_form=EmptyForm(),
            role_labels=ROLE_LABELS,
        ),
        status,
    )


@bp.get("/supervisor/accounts/<int:user_id>")
@city_supervisors_only
def member(user_id: int):
    return _member_page(user_id)


@bp.post("/supervisor/accounts/<int:user_id>/post")
@city_supervisors_only
def move(user_id: int):
    form = _with_choices(StaffPostForm())
    if not form.validate_on_submit():
        return _member_page(user_id, 422, post_form=form)
    try:
        change_post(
            session=db_session(),
            actor=current_user,
            user_id=user_id,
            role=form.role.data,
            department=form.department.data or None,
            catalog=catalog(),
        )
    except Invalid as error:
        apply_errors(form, error.errors)
        return _member_page(user_id, 422, post_form=form)
    except Conflict as error:
        flash(translate(error.message), "warning")
        return redirect(url_for("accounts_admin.member", user_id=user_id))
    flash(_("Post changed: they sign in again to see their new work."), "success")
    return redirect(url_for("accounts_admin.member", user_id=user_id))


@bp.post("/supervisor/accounts/<int:user_id>/close")
@city_supervisors_only
def close(user_id: int):
    form = CloseAccountForm()
    if not form.validate_on_submit():
        return _member_page(user_id, 422, close_form=form)
    try:
        close_account(session=db_session(), actor=current_user, user_id=user_id, reason=form.reason.data)
    except Conflict as error:
        flash(translate(error.message), "warning")
        return redirect(url_for("accounts_admin.member", user_id=user_id))
    flash(_("Account closed: they are signed out everywhere."), "success")
    return redirect(url_for("accounts_admin.member", user_id=user_id))


@bp.post("/supervisor/accounts/<int:user_id>/reopen")
@city_supervisors_only
def reopen(user_id: int):
    if EmptyForm().validate_on_submit():
        try:
            reopen_account(session=db_session(), actor=current_user, user_id=user_id)
            flash(_("Account reopened."), "success")
        except Conflict as error:
            flash(translate(error.message), "warning")
    return redirect(url_for("accounts_admin.member", user_id=user_id))


@bp.post("/supervisor/accounts/<int:user_id>/password")
@city_supervisors_only
def new_password(user_id: int):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts_admin.member", user_id=user_id))
    made = reset_password(session=db_session(), actor=current_user, user_id=user_id)
    return render_template("accounts_admin/password.html", user=made.user, password=made.password, new=False)
