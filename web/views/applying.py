"""Applying: start or continue a draft, fill it in steps, check the answers, submit, read the confirmation."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from services import policy
from services.applications.drafts import (
    EDITABLE,
    attach_upload,
    list_drafts,
    material_sources,
    own_application,
    save_draft,
    start_draft,
)
from services.applications.followup import open_notice_for
from services.applications.form_names import field_name, material_name
from services.applications.queries import application_detail
from services.applications.sections import (
    Section,
    section_named,
    section_of_gap,
    section_status,
    sections_of,
    whole_form,
)
from services.applications.submission import resubmit_application, submit_application
from services.catalog.editions import filed_catalog
from services.errors import Conflict, Invalid
from services.models import ApplicationStatus
from services.requirements.fields import TooLong
from services.requirements.precheck import field_gaps, precheck
from web.extensions import catalog, db_session, file_store
from web.forms.account import EmptyForm
from web.forms.apply import application_form
from web.messages import translate, translate_error
from web.views.helpers import locale_code, route_policy

bp = Blueprint("applying", __name__)
applicants_only = route_policy(policy.APPLICANTS)


@bp.post("/apply/<service_code>")
@applicants_only
def start(service_code: str):
    """A draft for this service is never reopened silently: the applicant chooses to continue it or start anew."""
    if service_code not in catalog().items and service_code not in catalog().bundles:
        abort(404)
    fresh = request.form.get("start") == "new"
    if not fresh:
        drafts = list_drafts(session=db_session(), actor=current_user, service_code=service_code)
        if drafts:
            service = catalog().service(service_code)
            return render_template("citizen/choose_draft.html", service=service, drafts=drafts, form=EmptyForm())
    application = start_draft(
        session=db_session(), actor=current_user, service_code=service_code, catalog=catalog(), fresh=fresh
    )
    return redirect(url_for("applying.edit", key=application.key))


def _editable(key: str):
    application = own_application(db_session(), current_user, key)
    if application.status not in EDITABLE:
        return application, None
    return application, catalog().service(application.service_code)


def step_url(application, section: Section, anchor: str | None = None) -> str:
    """A service of one step is filled in on its edit page; a bundle's steps each have their own."""
    service = catalog().service(application.service_code)
    if len(sections_of(service)) == 1:
        return url_for("applying.edit", key=application.key, _anchor=anchor)
    return url_for("applying.step", key=application.key, name=section.name, _anchor=anchor)


def _locate(application, service):
    """Where a field or a material is answered: its step, at the input."""
    sections = sections_of(service)

    def locate(kind: str, key: str) -> str:
        for section in sections:
            keys = section.fields if kind == "field" else section.materials
            if any(spec.key == key for spec in keys):
                return step_url(application, section, field_name(key) if kind == "field" else material_name(key))
        return step_url(application, sections[0])

    return locate


def _message(label: str, problem: str) -> str:
    # One text for the error summary and the field alike: it names the field, so it reads on its own.
    return _("%(label)s: %(problem)s", label=label, problem=problem)


@bp.get("/applications/<key>/edit")
@applicants_only
def edit(key: str):
    application, service = _editable(key)
    if service is None:
        return redirect(url_for("citizen.detail", key=key))
    sections = sections_of(service)
    if len(sections) == 1:
        return _render_step(application, service, sections[0])
    db = db_session()
    attached = set(material_sources(session=db, application=application))
    gaps = precheck(session=db, application=application, catalog=catalog(), attached=attached)
    statuses = {s.name: section_status(s, application.form_data, attached, gaps) for s in sections}
    return render_template(
        "citizen/task_list.html",
        application=application,
        service=service,
        sections=sections,
        statuses=statuses,
        step_url=step_url,
        notice=open_notice_for(session=db, actor=current_user, key=key),
        locate=_locate(application, service),
    )


@bp.get("/applications/<key>/steps/<name>")
@applicants_only
def step(key: str, name: str):
    found = _editable_step(key, name)
    return _render_step(*found) if found else redirect(url_for("citizen.detail", key=key))


@bp.post("/applications/<key>/steps/<name>")
@applicants_only
def save_step(key: str, name: str):
    found = _editable_step(key, name)
    return _save(*found) if found else redirect(url_for("citizen.detail", key=key))


def _editable_step(key: str, name: str):
    """The draft, its service and the named step; None once the case is no longer the applicant's to edit."""
    application, service = _editable(key)
    if service is None:
        return None
    section = section_named(service, name)
    if section is None:
        abort(404)
    return application, service, section


@bp.post("/applications/<key>/edit")
@applicants_only
def save_all(key: str):
    """The whole form at once: the one step of a single item, or every answer of a bundle (autosave, scripts)."""
    application, service = _editable(key)
    if service is None:
        return redirect(url_for("citizen.detail", key=key))
    return _save(application, service, whole_form(service))


def _covered(application, notice) -> set[str]:
    """Materials the wallet supplies get no file input, unless the notice says that certificate will not do."""
    sources = material_sources(session=db_session(), application=application)
    noticed = {item["key"] for item in notice.items if item["kind"] == "material"} if notice else set()
    return {key for key, source in sources.items() if source == "wallet"} - noticed


def _render_step(application, service, section: Section, form=None, upload_errors=None, status: int = 200):
    db = db_session()
    notice = open_notice_for(session=db, actor=current_user, key=application.key)
    if form is None:
        data = {field_name(k): v for k, v in application.form_data.items()}
        form = application_form(service, locale_code(), _covered(application, notice), data=data, formdata=None)
        # A draft kept from before may hold an answer that is no longer valid: it opens showing why.
        typed = {spec.key: application.form_data.get(spec.key) for spec in section.fields}
        stored = {key: value for key, value in typed.items() if value}
        for gap in field_gaps(_Only(section), stored):
            if gap.key in stored:
                form[field_name(gap.key)].errors = [_message(gap.label.get(locale_code()), translate_error(gap))]
    detail = application_detail(session=db, actor=current_user, key=application.key, catalog=catalog())
    upload_errors = upload_errors or {}
    errors = [
        (form[field_name(spec.key)].id, " ".join(form[field_name(spec.key)].errors))
        for spec in section.fields
        if form[field_name(spec.key)].errors
    ] + [(material_name(key), message) for key, message in upload_errors.items()]
    sections = sections_of(service)
    position = next(i for i, s in enumerate(sections) if s.name == section.name) if section in sections else 0
    return render_template(
        "citizen/step.html",
        application=application,
        service=service,
        section=section,
        sections=sections,
        position=position,
        form=form,
        errors=errors,
        attachments=detail.attachments,
        certificates=detail.certificates,
        upload_errors=upload_errors,
        notice=notice,
        field_name=field_name,
        material_name=material_name,
        step_url=step_url,
        locate=_locate(application, service),
    ), status


class _Only:
    """A section seen as a service, so the pre-check's field rules run on its fields alone."""

    def __init__(self, section: Section):
        self.fields = section.fields


def _save(application, service, section: Section):
    db = db_session()
    key = application.key
    notice = open_notice_for(session=db, actor=current_user, key=key)
    form = application_form(service, locale_code(), _covered(application, notice))
    form.validate()  # CSRF is checked for every POST by CSRFProtect; this collects format errors
    asked = {field_name(spec.key) for spec in section.fields}
    field_errors = {name: errors for name, errors in form.errors.items() if name in asked}
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
    too_long = [spec for spec in section.fields if isinstance(problems.get(spec.key), TooLong)]
    if action == "autosave":
        return jsonify(saved=not too_long, errors=field_errors)
    try:
        upload_errors = _store_uploads(key, service)
    except Conflict:  # submitted meanwhile by this applicant's other click or tab
        return redirect(url_for("citizen.detail", key=key))
    locale = locale_code()
    names = {spec.key: spec.name.get(locale) for spec in service.materials}
    upload_errors = {k: _message(names[k], translate(message)) for k, message in upload_errors.items()}
    for spec in section.fields:
        f = form[field_name(spec.key)]
        problem = problems.get(spec.key)
        if isinstance(problem, TooLong):
            f.errors = [_message(spec.label.get(locale), translate_error(problem))]
        elif f.errors:
            f.errors = [_message(spec.label.get(locale), " ".join(f.errors))]
    going_on = action in ("continue", "submit")
    if going_on and not too_long:
        # Going on asks the step to be complete: what it still lacks shows as errors, as a format error does.
        gaps = precheck(session=db, application=application, catalog=catalog())
        for gap in gaps:
            if not gap.blocking or not section.holds(gap):
                continue
            message = _message(gap.label.get(locale), translate_error(gap))
            if gap.kind == "field" and not form[field_name(gap.key)].errors:
                form[field_name(gap.key)].errors = [message]
            elif gap.kind == "material" and gap.key not in upload_errors:
                upload_errors[gap.key] = message
    failed = too_long or upload_errors or any(form[field_name(spec.key)].errors for spec in section.fields)
    if failed:
        return _render_step(application, service, section, form, upload_errors, status=422)
    if going_on:
        return redirect(_next_step(application, service, section))
    flash(_("Saved. You can come back and finish at any time."), "success")
    sections = sections_of(service)
    if len(sections) == 1:
        return redirect(url_for("applying.edit", key=key))
    return redirect(url_for("applying.edit", key=key, _anchor=f"task-{section.name}"))


def _next_step(application, service, section: Section) -> str:
    sections = sections_of(service)
    names = [s.name for s in sections]
    if section.name in names and names.index(section.name) + 1 < len(names):
        return step_url(application, sections[names.index(section.name) + 1])
    return url_for("applying.check", key=application.key)


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


@bp.get("/applications/<key>/check")
@applicants_only
def check(key: str):
    application, service = _editable(key)
    if service is None:
        return redirect(url_for("citizen.detail", key=key))
    return _render_check(application, service)


def _render_check(application, service, gaps=None, status: int = 200):
    """Every answer under its step with a link to change it; what submitting shares; the one submit button."""
    db = db_session()
    detail = application_detail(session=db, actor=current_user, key=application.key, catalog=catalog())
    sections = sections_of(service)
    shown = gaps is not None  # the problems are errors only once a submit has found them
    if gaps is None:
        gaps = precheck(session=db, application=application, catalog=catalog(), attached=set(detail.attachments))
    locale = locale_code()
    problems = {
        (gap.kind, gap.key): _message(gap.label.get(locale), translate_error(gap)) for gap in gaps if gap.blocking
    }
    locate = _locate(application, service)
    errors = [(f"row-{kind}-{key}", message) for (kind, key), message in problems.items()] if shown else []
    return render_template(
        "citizen/check.html",
        application=application,
        service=service,
        sections=sections,
        attachments=detail.attachments,
        certificates=detail.certificates,
        problems=problems,
        errors=errors,
        later=[gap for gap in gaps if not gap.blocking],
        step_url=step_url,
        locate=locate,
        section_of_gap=section_of_gap,
        form=EmptyForm(),
    ), status


@bp.post("/applications/<key>/check")
@applicants_only
def submit(key: str):
    db = db_session()
    # The account itself, not Flask-Login's proxy: the services read it dozens of times.
    actor = current_user._get_current_object()
    application = own_application(db, actor, key)
    correcting = application.status == ApplicationStatus.NEEDS_CORRECTION
    send = resubmit_application if correcting else submit_application
    try:
        submitted = send(session=db, actor=actor, key=key, catalog=catalog())
    except Invalid as error:
        return _render_check(application, catalog().service(application.service_code), error.details["gaps"], 422)
    except Conflict:
        return redirect(url_for("citizen.detail", key=key))
    if correcting:
        flash(_("Your corrections to application %(number)s have been sent.", number=submitted.number), "success")
        return redirect(url_for("citizen.detail", key=key))
    return redirect(url_for("applying.submitted", key=key))


@bp.get("/applications/<key>/submitted")
@applicants_only
def submitted(key: str):
    """The confirmation: the number, and what happens next, who looks at it, when and how the applicant hears."""
    application = own_application(db_session(), current_user, key)
    if not application.number:
        return redirect(url_for("applying.edit", key=key))
    service = filed_catalog(catalog(), application).service(application.service_code)
    return render_template(
        "citizen/submitted.html",
        application=application,
        service=service,
        delivery=application.delivery_method or service.delivery[0],
    )
