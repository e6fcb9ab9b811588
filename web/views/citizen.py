"""The applicant's side: follow applications, hand in what is owed, rate, see the wallet (applying: applying.py)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from services import policy
from services.applications.followup import case_view
from services.applications.form_names import supplement_prefix
from services.applications.queries import list_applications, list_certificates
from services.applications.submission import (
    rate_application,
    supplement_material,
    withdraw_application,
)
from services.catalog.editions import filed_catalog
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Role
from web.extensions import catalog, db_session, file_store
from web.forms.account import WithdrawForm
from web.forms.followup import RatingForm, SupplementForm
from web.messages import translate
from web.views.helpers import apply_errors, route_policy

bp = Blueprint("citizen", __name__)
applicants_only = route_policy(policy.APPLICANTS)
NAV = (
    (Role.APPLICANTS, "citizen.applications", N_("My applications")),
    (Role.APPLICANTS, "citizen.wallet", N_("Wallet")),
)


@bp.get("/applications")
@applicants_only
def applications():
    status = request.args.get("status") or None
    page = list_applications(session=db_session(), actor=current_user, status=status, cursor=request.args.get("after"))
    return render_template("citizen/applications.html", page=page, status=status)


@bp.get("/applications/<key>")
@applicants_only
def detail(key: str):
    return _render_detail(key)


def _render_detail(key: str, supplement_forms=None, rating_form=None, status: int = 200):
    """The case as the applicant follows it; a form that failed comes back with its errors."""
    view = case_view(session=db_session(), actor=current_user, key=key, catalog=catalog())
    forms = {owed.material.key: SupplementForm(prefix=supplement_prefix(owed.material.key)) for owed in view.owed}
    forms.update(supplement_forms or {})
    return render_template(
        "citizen/detail.html",
        view=view,
        info=view.detail,
        service=filed_catalog(catalog(), view.application).service(view.application.service_code),
        withdraw_form=WithdrawForm(),
        supplement_forms=forms,
        rating_form=rating_form or RatingForm(),
    ), status


@bp.post("/applications/<key>/supplement/<material_key>")
@applicants_only
def supplement(key: str, material_key: str):
    """容缺: hand in a material acceptance tolerated missing."""
    form = SupplementForm(prefix=supplement_prefix(material_key))
    if form.validate_on_submit():
        upload = form.file.data
        try:
            supplement_material(
                session=db_session(),
                actor=current_user,
                key=key,
                material_key=material_key,
                filename=upload.filename,
                data=upload.read(),
                store=file_store(),
                catalog=catalog(),
            )
        except Invalid as error:
            form.file.errors = [translate(error.errors.get(material_key, error.message))]
        else:
            flash(_("Thank you. The material has been handed in."), "success")
            return redirect(url_for("citizen.detail", key=key, _anchor="owed"))
    return _render_detail(key, supplement_forms={material_key: form}, status=422)


@bp.post("/applications/<key>/rate")
@applicants_only
def rate(key: str):
    form = RatingForm()
    if form.validate_on_submit():
        try:
            rate_application(
                session=db_session(),
                actor=current_user,
                key=key,
                catalog=catalog(),
                score=form.score.data,
                comment=form.comment.data or "",
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        except Conflict as error:  # rated already, in another tab: said once on the case's page
            flash(translate(error.message), "warning")
            return redirect(url_for("citizen.detail", key=key, _anchor="rating"))
        else:
            flash(_("Thank you for rating our service."), "success")
            return redirect(url_for("citizen.detail", key=key, _anchor="rating"))
    return _render_detail(key, rating_form=form, status=422)


@bp.post("/applications/<key>/withdraw")
@applicants_only
def withdraw(key: str):
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        withdraw_application(
            session=db_session(), actor=current_user, key=key, catalog=catalog(), reason=form.reason.data or None
        )
    except Conflict as error:  # decided or withdrawn meanwhile
        flash(translate(error.message), "warning")
        return redirect(url_for("citizen.detail", key=key))
    flash(_("Your application has been withdrawn."), "info")
    return redirect(url_for("citizen.detail", key=key))


@bp.get("/wallet")
@applicants_only
def wallet():
    return render_template(
        "citizen/wallet.html", certificates=list_certificates(session=db_session(), actor=current_user)
    )
