from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from services.accounts import LOGIN_MAX
from services.identity import IdentityError, validate_credit_code, validate_id_number, validate_mobile
from services.passwords import MAX_LENGTH as PASSWORD_MAX
from services.passwords import MIN_LENGTH as PASSWORD_MIN
from services.requirements.fields import MAX_SHORT
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


class ElderModeForm(FlaskForm):
    """长辈版 on or off: the button pressed names the choice, as the language switch does."""

    mode = SelectField(choices=[SelectChoice("on", "on"), SelectChoice("off", "off")])
    next = HiddenField()


class LoginForm(FlaskForm):
    # Hard caps, checked by the form before anything else looks at the values.
    login = StringField(
        _l("ID number, credit code, mobile or staff username"),
        validators=[
            DataRequired(),
            Length(max=LOGIN_MAX, message=_l("The login may be at most %(limit)s characters.", limit=LOGIN_MAX)),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(max=PASSWORD_MAX, message=_l("Password may be at most %(limit)s characters.", limit=PASSWORD_MAX)),
        ],
    )
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=32, message=_l("A code is 6 digits; a recovery code 13 characters."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text"},
    )


class _PasswordPair:
    password = PasswordField(
        _l("Password"),
        description=_l(
            "At least %(least)s characters; not a common password and not your numbers. "
            "A few unrelated words work well.",
            least=PASSWORD_MIN,
        ),
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l(
                    "Password must be between %(least)s and %(most)s characters.", least=PASSWORD_MIN, most=PASSWORD_MAX
                ),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))]
    )


class CitizenRegisterForm(FlaskForm, _PasswordPair):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    id_number = StringField(
        _l("Resident ID number"), validators=[DataRequired(), identity_cap, identity(validate_id_number)]
    )
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(), identity_cap, identity(validate_mobile)])
    address = StringField(_l("Address (optional)"), validators=[Length(max=300)])
    email = EmailField(_l("E-mail (optional)"), validators=[Length(max=254)])


class CompanyRegisterForm(FlaskForm, _PasswordPair):
    company_name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    credit_code = StringField(
        _l("Unified social credit code"), validators=[DataRequired(), identity_cap, identity(validate_credit_code)]
    )
    legal_representative = StringField(_l("Legal representative"), validators=[DataRequired(), Length(max=100)])
    mobile = StringField(
        _l("Contact mobile number"), validators=[DataRequired(), identity_cap, identity(validate_mobile)]
    )
    address = StringField(_l("Registered address (optional)"), validators=[Length(max=300)])
    email = EmailField(_l("E-mail (optional)"), validators=[Length(max=254)])


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Why are you withdrawing? (optional)"), validators=[Length(max=500)])
