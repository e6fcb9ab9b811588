"""Forms of benefit offers: the subject's accept, decline and corrected account; the clerk's refusal.

They share the offer's page, so each field has the name the service uses in its errors.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from services.casework.desk import REASON_MAX_LENGTH
from services.models.offers import (
    BANK_ACCOUNT_MAX_LENGTH,
    BANK_NAME_MAX_LENGTH,
    DECLINE_NOTE_MAX_LENGTH,
    DISPUTE_REASON_MAX_LENGTH,
)
from services.workflow.benefits.dispute_rules import AMOUNT_TYPED_LENGTH
from services.workflow.benefits.rules import DECLINE_REASONS

# People type spaces and dashes in account numbers; the service keeps the digits.
ACCOUNT_TYPED_LENGTH = BANK_ACCOUNT_MAX_LENGTH + 10


class AccountForm(FlaskForm):
    bank_account = StringField(
        _l("Bank account number"),
        validators=[DataRequired(message=_l("Enter the account number.")), Length(max=ACCOUNT_TYPED_LENGTH)],
        description=_l("The money is paid into this account in your name."),
    )
    bank_name = StringField(
        _l("Bank"),
        validators=[DataRequired(message=_l("Enter the name of the bank.")), Length(max=BANK_NAME_MAX_LENGTH)],
    )


class DeclineForm(FlaskForm):
    decline_reason = SelectField(
        _l("Why you decline"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(code, _l(label)) for code, label in DECLINE_REASONS.items()],
        validators=[DataRequired(message=_l("Choose why you decline the offer."))],
    )
    decline_note = TextAreaField(_l("Anything to add (optional)"), validators=[Length(max=DECLINE_NOTE_MAX_LENGTH)])


class DisputeForm(FlaskForm):
    """The amount is wrong: what the subject believes due and why (the service checks the amount itself)."""

    claimed_amount = StringField(
        _l("The amount you believe is due (yuan)"),
        validators=[DataRequired(message=_l("Enter the amount in yuan.")), Length(max=AMOUNT_TYPED_LENGTH)],
        description=_l("A positive number with at most two decimals, like 7200 or 7200.50."),
    )
    dispute_reason = TextAreaField(
        _l("Why the amount is wrong"),
        validators=[
            DataRequired(message=_l("Say why you believe the amount is wrong.")),
            Length(max=DISPUTE_REASON_MAX_LENGTH),
        ],
        description=_l("An application for review is filed with this; the department decides the amount."),
    )


class RefuseCheckForm(FlaskForm):
    reason = TextAreaField(
        _l("Why it is not paid"),
        validators=[DataRequired(message=_l("Please give a reason.")), Length(max=REASON_MAX_LENGTH)],
    )
