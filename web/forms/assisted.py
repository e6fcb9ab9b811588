"""The assisted channel's forms: which service, and who came in (the service's own form holds the answers)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from services.casework.assisted import FULL_NAME_MAX_LENGTH

NUMBER_LENGTH = 40  # an ID number with the spaces people type


class ChooseServiceForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    service = SelectField(_l("Service"), validate_choice=False)


class WalkInForm(FlaskForm):
    class Meta:
        csrf = False  # posted with the service's application form, which carries the token

    id_number = StringField(
        _l("ID number"),
        validators=[DataRequired(message=_l("Enter the ID number on their ID card.")), Length(max=NUMBER_LENGTH)],
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"},
    )
    full_name = StringField(
        _l("Full name, as on the ID card"),
        validators=[DataRequired(message=_l("Name is required.")), Length(max=FULL_NAME_MAX_LENGTH)],
        render_kw={"autocomplete": "off"},
    )
    mobile = StringField(
        _l("Mobile number"),
        validators=[DataRequired(message=_l("Enter a mobile number to reach them.")), Length(max=NUMBER_LENGTH)],
        description=_l("Their messages about the application go there; a new account is opened with it."),
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off"},
    )
