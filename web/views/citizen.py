"""The applicant's side: apply with one form, follow applications, see the wallet."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from services import policy
from services.applications.drafts import (
    EDITABLE,
    attach_upload,
    material_sources,
    own_application,
    save_draft,
    start_draft,
)
from services.applications.followup import case_view, open_notice_for
from services.applications.form_names import field_name, material_name, supplement_prefix
from services.applications.queries import application_detail, list_applications, list_certificates
from services.applications.submission import (
    rate_application,
    resubmit_application,
    submit_application,
    supplement_material,
    withdraw_application,
)
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import ApplicationStatus, Role
from services.requirements.fields import TooLong
from services.requirements.precheck import precheck
from web.extensions import catalog, db_session, file_store
from web.forms.account import WithdrawForm
from web.forms.apply import application_form
from web.forms.followup import RatingForm, SupplementForm
from web.messages import translate
from web.views.helpers import apply_errors, locale_code, route_policy

bp = Blueprint("citizen", __name__)
applicants_only = route_policy(policy.APPLICANTS)
NAV = (
    (Role.APPLICANTS, "citizen.applications", N_("My applications")),
    (Role.APPLICANTS, "citizen.wallet", N_("Wallet")),
)


@bp.post("/apply/<service_code>")
@applicants_only
def apply(service_code: str):
    application = start_draft(session=db_session(), actor=current_user, service_code=service_code, catalog=catalog())
    return redirect(url_for("citizen.edit", key=application.key))


def _edit_context(application, form, notice, upload_errors=None, gaps=None, detail=None):
    service = catalog().service(application.service_code)
    if detail is None:
        detail = application_detail(session=db_session(), actor=current_user, key=application.key, catalog=catalog())
    if gaps is None:
        gaps = precheck(session=db_session(), application=application, catalog=catalog())
    return dict(
        application=application,
        service=service,
        form=form,
        attachments=detail.attachments,
        certificates=detail.certificates,
        gaps=gaps,
        upload_errors=upload_errors or {},
        notice=notice,
        field_name=field_name,
        material_name=material_name,
    )


def _covered(sources: dict[str, str], notice) -> set[str]:
    """Materials the wallet supplies get no file input, unless the notice says that certificate will not do."""
    noticed = {item["key"] for item in notice.items if item["kind"] == "material"} if notice else set()
    return {key for key, source in sources.items() if source == "wallet"} - noticed


@bp.route("/applications/<key>/edit", methods=["GET", "POST"])
@applicants_only
def edit(key: str):
    db = db_session()
    application = own_application(db, current_user, key)
    if application.status not in EDITABLE:
        return redirect(url_for("citizen.detail", key=key))
    service = catalog().service(application.service_code)
    notice = open_notice_for(session=db, actor=current_user, key=key)
    if request.method == "GET":
        detail = application_detail(session=db, actor=current_user, key=key, catalog=catalog())
        sources = {material: row.source for material, row in detail.attachments.items()}
        data = {field_name(k): v for k, v in application.form_data.items()}
        form = application_form(service, locale_code(), _covered(sources, notice), data=data, formdata=None)
        return render_template("citizen/edit.html", **_edit_context(application, form, notice, detail=detail))

    # A post that goes on to another page needs only where each material came from, not the whole case.
    form = application_form(
        service, locale_code(), _covered(material_sources(session=db, application=application), notice)
    )
    form.validate()  # CSRF is checked for every POST by CSRFProtect; this collects format errors
    field_errors = {name: errors for name, errors in form.errors.items() if name != "csrf_token"}
    action = request.form.get("action", "save")
    # Only what the form sent: a field left out of a request is never blanked.
    values = {
        spec.key: request.form[field_name(spec.key)] for spec in service.fields if field_name(spec.key) in request.form
    }
    try:
        problems = save_draft(
            session=db,
            actor=current_user,
            key=key,
            values=values,
            catalog=catalog(),
            delivery_method=request.form.get("delivery_method"),
        )
    except Conflict:
        return redirect(url_for("citizen.detail", key=key))
    too_long = [spec.label.get(locale_code()) for spec in service.fields if isinstance(problems.get(spec.key), TooLong)]
    if action == "autosave":
        return jsonify(saved=not too_long, errors=field_errors)

    try:
        upload_errors = _store_uploads(key, service)
    except Conflict:  # submitted meanwhile by this applicant's other click or tab
        return redirect(url_for("citizen.detail", key=key))
    if too_long:
        flash(
            _("Not saved, too long: %(fields)s. Please shorten them and save again.", fields=", ".join(too_long)),
            "danger",
        )
        return render_template("citizen/edit.html", **_edit_context(application, form, notice, upload_errors)), 422
    if action == "submit" and not upload_errors:
        correcting = application.status == ApplicationStatus.NEEDS_CORRECTION
        send = resubmit_application if correcting else submit_application
        try:
            submitted = send(session=db, actor=current_user, key=key, catalog=catalog())
        except Invalid as error:
            flash(_("Not submitted yet: please complete everything listed below."), "warning")
            context = _edit_context(application, form, notice, gaps=error.details["gaps"])
            return render_template("citizen/edit.html", **context), 422
        if correcting:
            flash(_("Your corrections to application %(number)s have been sent.", number=submitted.number), "success")
        else:
            flash(_("Submitted. Your application number is %(number)s.", number=submitted.number), "success")
        return redirect(url_for("citizen.detail", key=key))
    if upload_errors or field_errors:
        flash(_("Your answers are saved, but some need fixing: see the marked fields."), "warning")
        return render_template("citizen/edit.html", **_edit_context(application, form, notice, upload_errors)), 422
    flash(_("Saved. You can come back and finish at any time."), "success")
    return redirect(url_for("citizen.edit", key=key, _anchor="precheck" if action == "check" else None))


def _store_uploads(key: str, service) -> dict[str, str]:
    errors = {}
    for spec in service.materials:
        upload = request.files.get(material_name(spec.key))
        if upload is None or not upload.filename:
            continue
        try:
            attach_upload(
                session=db_session(),
                actor=current_user,
                key=key,
                material_key=spec.key,
                filename=upload.filename,
                data=upload.read(),
                store=file_store(),
                catalog=catalog(),
            )
        except Invalid as error:
            errors[spec.key] = error.errors.get(spec.key, error.message)
    return errors


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
        service=catalog().service(view.application.service_code),
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
