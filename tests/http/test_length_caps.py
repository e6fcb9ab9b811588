"""Every answer has a hard length cap, enforced before anything is stored (autosave included)."""

import re

import pytest
from sqlmodel import select

from services.applications.drafts import save_draft, start_draft
from services.applications.form_names import step_paths
from services.catalog import FIELD_TYPES
from services.models import Application
from services.requirements.fields import MAX_LENGTH, FieldError, TooLong, clean_value
from tests.factories import make_citizen
from tests.sample import complete_values, newborn

HUGE = 3_000_000


def _spec_of_type(catalog, field_type):
    for service in catalog.services():
        for spec in service.fields:
            if spec.type == field_type:
                return service, spec
    pytest.skip(f"no {field_type} field in the catalogue")


def test_every_field_type_has_a_cap():
    assert set(MAX_LENGTH) == set(FIELD_TYPES)


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_a_value_one_past_its_cap_is_refused_by_the_field_check(catalog, field_type):
    _, spec = _spec_of_type(catalog, field_type)
    with pytest.raises(TooLong) as refused:
        clean_value(spec, "1" * (MAX_LENGTH[field_type] + 1))
    assert refused.value.params == {"limit": MAX_LENGTH[field_type]}


def test_autosave_refuses_a_3_000_000_character_name_and_keeps_the_saved_one(session, catalog):
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    spec = next(s for s in bundle.fields if s.type == "text")
    save_draft(session=session, actor=citizen, key=draft.key, values={spec.key: "陈小宝"}, catalog=catalog)

    problems = save_draft(session=session, actor=citizen, key=draft.key, values={spec.key: "a" * HUGE}, catalog=catalog)

    assert isinstance(problems[spec.key], TooLong)
    session.expire_all()
    stored = session.exec(select(Application).where(Application.key == draft.key)).one()
    assert stored.form_data[spec.key] == "陈小宝"


def test_a_value_within_its_cap_but_invalid_is_still_kept_as_typed(session, catalog):
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    spec = next(s for s in bundle.fields if s.type == "date")
    problems = save_draft(
        session=session, actor=citizen, key=draft.key, values={spec.key: "2026-13-45"}, catalog=catalog
    )
    assert isinstance(problems[spec.key], FieldError) and not isinstance(problems[spec.key], TooLong)
    session.expire_all()
    assert (
        session.exec(select(Application).where(Application.key == draft.key)).one().form_data[spec.key] == "2026-13-45"
    )


def _edit_url(web, db, catalog):
    bundle = newborn(catalog)
    web.login(make_citizen(db).login_name)
    return bundle, web.post(f"/apply/{bundle.code}").headers["Location"]


def test_http_autosave_of_a_huge_name_is_refused_and_not_stored(web, db, catalog):
    bundle, edit_url = _edit_url(web, db, catalog)
    spec = next(s for s in bundle.fields if s.type == "text")
    response = web.post(edit_url, {"action": "autosave", f"f_{spec.key}": "a" * HUGE})
    assert response.status_code == 200
    assert response.json["saved"] is False
    assert f"f_{spec.key}" in response.json["errors"]
    application = db.exec(select(Application)).one()
    db.refresh(application)
    assert len(application.form_data.get(spec.key, "")) < 1000


def test_saving_an_overlong_answer_names_the_field_and_keeps_what_was_typed(web, db, catalog):
    bundle, edit_url = _edit_url(web, db, catalog)
    spec = next(s for s in bundle.fields if s.type == "address")
    typed = "杭州市西湖区" + "长" * MAX_LENGTH["address"]
    data = {f"f_{k}": v for k, v in complete_values(bundle).items()}
    data.update({"action": "save", f"f_{spec.key}": typed})
    response = web.post(edit_url, data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert spec.label.en in page.split('role="alert"')[1].split("</div>")[0]
    assert typed in page
    application = db.exec(select(Application)).one()
    db.refresh(application)
    assert application.form_data[spec.key] != typed


def test_the_form_tells_the_browser_each_cap(web, db, catalog):
    bundle, edit_url = _edit_url(web, db, catalog)
    spec = next(s for s in bundle.fields if s.type == "text")
    key = edit_url.split("/")[2]
    page = "".join(web.get(path).get_data(as_text=True) for path in step_paths(key, bundle))
    tag = re.search(rf'<input[^>]*name="f_{spec.key}"[^>]*>', page).group(0)
    assert f'maxlength="{MAX_LENGTH["text"]}"' in tag


def _static_forms():
    import inspect

    from flask_wtf import FlaskForm

    from web.forms import account, casework, followup, supervision

    for module in (account, casework, followup, supervision):
        for name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, FlaskForm) and form.__module__ == module.__name__:
                yield name, form


# A `next` is never stored, and safe_next refuses one over MAX_NEXT_LENGTH; failing the form on it would
# fail the sign-in silently. The supervisor's decision must be one of two words (AnyOf).
NOT_HERE = {
    ("LoginForm", "next"),
    ("LanguageForm", "next"),
    ("ElderModeForm", "next"),
    ("ExtensionDecisionForm", "decision"),
}


def test_every_typed_field_of_every_form_has_a_length_cap():
    from wtforms import PasswordField, StringField, TextAreaField
    from wtforms.validators import Length

    uncapped = []
    for form_name, form in _static_forms():
        for name in dir(form):
            unbound = getattr(form, name)
            field_class = getattr(unbound, "field_class", None)
            if field_class is None or not issubclass(field_class, (StringField, TextAreaField)):
                continue
            if issubclass(field_class, PasswordField) or (form_name, name) in NOT_HERE:
                continue
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            if not any(isinstance(v, Length) and v.max and v.max > 0 for v in validators):
                uncapped.append(f"{form_name}.{name}")
    assert uncapped == [], uncapped
