"""The one application form, built from the service's field specs."""

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from services.applications.form_names import field_name, material_name
from services.requirements.fields import MAX_LENGTH, FieldError, clean_value
from web.messages import translate_error

INPUT_TYPES = {
    "date": {"type": "date"},
    "number": {"type": "number", "inputmode": "decimal", "step": "any"},
    "phone": {"type": "tel", "inputmode": "tel", "autocomplete": "tel"},
    "id_number": {"autocapitalize": "characters", "spellcheck": "false", "maxlength": "18"},
    "credit_code": {"autocapitalize": "characters", "spellcheck": "false", "maxlength": "18"},
    # street-address is for a multi-line <textarea>; the address is one line here.
    "address": {"autocomplete": "address-line1"},
}


def _spec_check(spec):
    # Same rule as the pre-check; emptiness is the pre-check's business, so a draft can be half-done.
    def check(form, field):
        try:
            clean_value(spec, field.data)
        except FieldError as error:
            raise ValidationError(translate_error(error)) from None

    return check


def _make_field(spec, locale: str):
    label = spec.label.get(locale)
    description = spec.help.get(locale) if spec.help else ""
    render_kw = dict(INPUT_TYPES.get(spec.type, {}))
    if spec.required:
        render_kw["aria-required"] = "true"
    if spec.type not in ("select", "date", "number"):  # HTML allows maxlength on typed text only
        # The browser stops typing at the cap the service enforces; a narrower one (ID numbers) stays.
        render_kw.setdefault("maxlength", str(MAX_LENGTH[spec.type]))
    if spec.from_account:
        # Shown for the applicant to check; the server takes it from the account, so nothing here to validate.
        render_kw["readonly"] = True
        return StringField(
            label, description=_("From your verified account; it cannot be changed here."), render_kw=render_kw
        )
    if spec.type == "select":
        choices = [SelectChoice("", _("— choose —"))] + [
            SelectChoice(o.value, o.label.get(locale)) for o in spec.options
        ]
        return SelectField(
            label,
            choices=choices,
            validators=[_spec_check(spec)],
            description=description,
            render_kw=render_kw,
            validate_choice=False,
        )
    return StringField(label, validators=[_spec_check(spec)], description=description, render_kw=render_kw)


# (service code, locale, covered materials) -> (the service it was built from, the form class)
_FORM_CLASSES: dict[tuple[str, str, frozenset[str]], tuple[object, type[FlaskForm]]] = {}


def application_form(service, locale: str, covered: set[str], **kwargs) -> FlaskForm:
    """The form for this service: every field once, a file input per material the wallet does not cover."""
    key = (service.code, locale, frozenset(covered))
    built = _FORM_CLASSES.get(key)
    # A class depends only on the catalogue entry and the language, so it is made once, not once per request.
    if built is None or built[0] is not service:
        built = _FORM_CLASSES[key] = (service, _form_class(service, locale, key[2]))
    return built[1](**kwargs)


def _form_class(service, locale: str, covered: frozenset[str]) -> type[FlaskForm]:
    class ApplicationForm(FlaskForm):
        pass

    for spec in service.fields:
        setattr(ApplicationForm, field_name(spec.key), _make_field(spec, locale))
    for spec in service.materials:
        if spec.key not in covered:
            render_kw = {"accept": "application/pdf,image/jpeg,image/png"}
            setattr(ApplicationForm, material_name(spec.key), FileField(spec.name.get(locale), render_kw=render_kw))
    return ApplicationForm
