"""The assisted channel (窗口帮办): the front desk files an application for a person who walked in."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from services import policy
from services.applications.form_names import field_name, material_name
from services.casework.assisted import BroughtFile, WalkIn, file_for_walk_in
from services.errors import Invalid, NotAllowed
from services.i18n import N_
from services.models import Role
from web.extensions import catalog, db_session, file_store
from web.forms.apply import application_form
from web.forms.assisted import ChooseServiceForm, WalkInForm
from web.messages import translate_error
from web.views.helpers import apply_errors, locale_code, route_policy

bp = Blueprint("assisted", __name__)
desk_only = route_policy(policy.FRONT_DESK)
NAV = (((Role.FRONT_DESK,), "assisted.choose", N_("File for a walk-in")),)


def _citizen_services():
    return [service for service in catalog().applicable() if Role.CITIZEN in service.applicant_types]


@bp.get("/desk/assisted")
@desk_only
def choose():
    services = _citizen_services()
    chosen = request.args.get("service")
    if chosen in {service.code for service in services}:
        return redirect(url_for("assisted.new", service_code=chosen))
    form = ChooseServiceForm(formdata=None)
    form.service.choices = [SelectChoice(s.code, s.name.get(locale_code())) for s in services]
    return render_template("desk/assisted_choose.html", form=form)


def _service(code: str):
    service = next((s for s in _citizen_services() if s.code == code), None)
    if service is None:
        abort(404)
    return service


@bp.get("/desk/assisted/<service_code>")
@desk_only
def new(service_code: str):
    service = _service(service_code)
    return _render(service, WalkInForm(formdata=None), application_form(service, locale_code(), set(), formdata=None))


@bp.post("/desk/assisted/<service_code>")
@desk_only
def file(service_code: str):
    service = _service(service_code)
    person = WalkInForm()
    answers = application_form(service, locale_code(), set())
    person.validate()
    answers.validate()  # format errors show beside the service's own ones; the service decides
    files = [
        BroughtFile(spec.key, upload.filename, upload.read())
        for spec in service.materials
        if (upload := request.files.get(material_name(spec.key))) is not None and upload.filename
    ]
    try:
        filed = file_for_walk_in(
            session=db_session(),
            actor=current_user,
            catalog=catalog(),
            store=file_store(),
            person=WalkIn(person.id_number.data or "", person.full_name.data or "", person.mobile.data or ""),
            service_code=service.code,
            answers={
                spec.key: request.form[field_name(spec.key)]
                for spec in service.fields
                if field_name(spec.key) in request.form
            },
            files=files,
            delivery_method=request.form.get("delivery_method"),
        )
    except NotAllowed:
        abort(403)
    except Invalid as error:
        gaps = error.details.get("gaps")
        if gaps:  # the pre-check's: keyed by the service's own keys, which may read like the person's fields
            for gap in gaps:
                name = field_name(gap.key) if gap.kind == "field" else material_name(gap.key)
                if name in answers and not answers[name].errors:
                    answers[name].errors = [translate_error(gap)]
        else:
            apply_errors(person, error.errors)
            apply_errors(answers, error.errors)
        return _render(service, person, answers, status=422)
    # Shown once, now: the one-time password of a new account is not kept anywhere it could be shown again.
    return render_template("desk/assisted_filed.html", filed=filed, service=service)


def _render(service, person, answers, status: int = 200):
    return (
        render_template(
            "desk/assisted_new.html",
            service=service,
            person=person,
            form=answers,
            field_name=field_name,
            material_name=material_name,
        ),
        status,
    )
