from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from services.applications.fields import MAX_SHORT
from services.identity import IdentityError, validate_credit_code, validate_id_number, validate_mobile
from web.messages import translate

# Room for the spaces people type inside numbers; the format check then wants the exact length.
identity_cap = Length(max=MAX_SHORT)


def identity(validator):
    def check(form, field):
        if field.data:
            try:
                validator(field.data)
            except IdentityError as error:
                raise ValidationError(translate(str(error))) from None

    return check


class EmptyForm(FlaskForm):
    """Carries only the CSRF token: every button that changes state posts one."""


class LanguageForm(FlaskForm):
    lang = SelectField(choices=[SelectChoice("zh", "中文"), SelectChoice("en", "English")])
    next = HiddenField()


class LoginForm(FlaskForm):
    login = StringField(_l("ID number, credit code, mobile or staff username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()


class _PasswordPair:
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, message=_l("Password must be at least 8 characters."))])
    confirm = PasswordField(
        _l("Repeat password"), validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))]
    )


class CitizenRegisterForm(FlaskForm, _PasswordPair):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    id_number = StringField(_l("Resident ID number"), validators=[DataRequired(), identity_cap, identity(validate_id_number)])
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(), identity_cap, identity(validate_mobile)])
    address = StringField(_l("Address (optional)"), validators=[Length(max=300)])
    email = EmailField(_l("E-mail (optional)"), validators=[Length(max=254)])


class CompanyRegisterForm(FlaskForm, _PasswordPair):
    company_name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(), identity_cap, identity(validate_credit_code)])
    legal_representative = StringField(_l("Legal representative"), validators=[DataRequired(), Length(max=100)])
    mobile = StringField(_l("Contact mobile number"), validators=[DataRequired(), identity_cap, identity(validate_mobile)])
    address = StringField(_l("Registered address (optional)"), validators=[Length(max=300)])
    email = EmailField(_l("E-mail (optional)"), validators=[Length(max=254)])


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Why are you withdrawing? (optional)"), validators=[Length(max=500)])
