"""Forms of dispute mediation: filing (online and at the window), the intake's, the parties' and the agencies'.

Several share the dispute's page, so each field has its own HTML id and the name the service
uses in its errors (`reason`, `routes`, `place`…).
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from services.casework.desk import REASON_MAX_LENGTH
from services.models.cases import VISIT_PURPOSE_MAX_LENGTH
from services.models.disputes import ANSWER_MAX_LENGTH, CLAIM_MAX_LENGTH, TERMS_MAX_LENGTH
from services.workflow.disputes.task_rules import MAX_EXTENSION_DAYS

NUMBER_LENGTH = 40  # an ID number or credit code with the spaces people type
required_reason = [DataRequired(message=_l("Please give a reason.")), Length(max=REASON_MAX_LENGTH)]


class FileDisputeForm(FlaskForm):
    counterparty = StringField(
        _l("The other party's ID number or unified social credit code"),
        validators=[
            DataRequired(message=_l("Enter the ID number or unified social credit code.")),
            Length(max=NUMBER_LENGTH),
        ],
        description=_l("A person or a company registered here; they are told and can answer online."),
    )
    kind = SelectField(_l("Kind of dispute"), validate_choice=False)
    centre = SelectField(_l("Centre"), validate_choice=False)
    claim = TextAreaField(
        _l("What happened and what you ask for"),
        validators=[DataRequired(message=_l("Say what happened and what you ask for.")), Length(max=CLAIM_MAX_LENGTH)],
    )
    evidence = MultipleFileField(
        _l("Evidence (optional)"), description=_l("PDF, JPEG or PNG files of at most 5 MB each.")
    )


class WindowDisputeForm(FileDisputeForm):
    applicant = StringField(
        _l("ID number or credit code of the party who came in"),
        validators=[
            DataRequired(message=_l("Enter the ID number or unified social credit code.")),
            Length(max=NUMBER_LENGTH),
        ],
    )


# --- the centre's intake ---------------------------------------------------------------


class RegisterForm(FlaskForm):
    routes = SelectMultipleField(
        _l("Routes"),
        id="register-routes",
        validate_choice=False,
        description=_l("Several routes make a joint handling: each agency gets its task."),
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why the centre does not take it up"), id="decline-reason", validators=required_reason)


class VisitForm(FlaskForm):
    purpose = StringField(
        _l("Why the party came in person"),
        id="dispute-visit-purpose",
        validators=[DataRequired(message=_l("Say why the party came.")), Length(max=VISIT_PURPOSE_MAX_LENGTH)],
    )


class EscalateForm(FlaskForm):
    centre = SelectField(_l("Higher centre"), id="escalate-centre", validate_choice=False)
    reason = TextAreaField(_l("Why it goes up"), id="escalate-reason", validators=required_reason)


# --- the parties ------------------------------------------------------------------------


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Your answer to the claim"),
        id="dispute-answer",
        validators=[DataRequired(message=_l("Write your answer to the claim.")), Length(max=ANSWER_MAX_LENGTH)],
    )


class AddEvidenceForm(FlaskForm):
    # Checked by the service, which names every file it refuses (or says none was chosen).
    evidence = MultipleFileField(
        _l("More evidence"), id="more-evidence", description=_l("PDF, JPEG or PNG files of at most 5 MB each.")
    )


# --- the agencies -----------------------------------------------------------------------


class SessionForm(FlaskForm):
    at = DateTimeLocalField(
        _l("Date and time"),
        id="session-at",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(message=_l("Enter a date and time still to come."))],
    )
    place = SelectField(
        _l("Where"),
        id="session-place",
        choices=[SelectChoice("online", _l("Online")), SelectChoice("centre", _l("At the centre"))],
    )


class ProposeExtensionForm(FlaskForm):
    days = IntegerField(
        _l("Days more"),
        id="dispute-extension-days",
        validators=[InputRequired(message=_l("Enter a number of days.")), NumberRange(min=1, max=MAX_EXTENSION_DAYS)],
    )
    reason = TextAreaField(_l("Why more time is needed"), id="dispute-extension-reason", validators=required_reason)


class AgreementForm(FlaskForm):
    terms = TextAreaField(
        _l("Terms the parties agreed"),
        id="agreement-terms",
        validators=[DataRequired(message=_l("Write the terms the parties agreed.")), Length(max=TERMS_MAX_LENGTH)],
    )


class NoAgreementForm(FlaskForm):
    referral = SelectField(
        _l("Where the file goes"),
        id="no-agreement-referral",
        choices=[
            SelectChoice("arbitration", _l("Labour arbitration")),
            SelectChoice("litigation", _l("The court (litigation)")),
        ],
    )
    reason = TextAreaField(_l("Why no agreement was reached"), id="no-agreement-reason", validators=required_reason)


class RefuseConfirmationForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the court does not confirm it"), id="refuse-confirmation-reason", validators=required_reason
    )
