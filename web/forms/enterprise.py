"""Forms of the enterprise requests (企呼我应): the firm's, the office's and the departments'.

Field names are the ones the services name in their errors (`category`, `answer`, `reason`…), so a
refusal lands on the field that caused it.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from services.models.enterprise import ANSWER_MAX_LENGTH, PROBLEM_TITLE_MAX_LENGTH, REQUEST_DESCRIPTION_MAX_LENGTH
from services.models.records import RATING_COMMENT_MAX_LENGTH
from web.forms.casework import REASON_LENGTH

answer_validators = [DataRequired(message=_l("Write the answer.")), Length(max=ANSWER_MAX_LENGTH)]


class RaiseRequestForm(FlaskForm):
    # Given with the empty form and sent back with it: the same form sent twice makes one request.
    form_token = HiddenField()
    category = SelectField(
        _l("Category"), validators=[InputRequired(message=_l("Choose the category of your request."))]
    )
    description = TextAreaField(
        _l("What is the problem?"),
        description=_l("Say what you need and what you have tried; the office reads it within one working day."),
        validators=[
            DataRequired(message=_l("Describe the problem you want solved.")),
            Length(max=REQUEST_DESCRIPTION_MAX_LENGTH),
        ],
    )
    concerns_number = StringField(
        _l("Application number it concerns (optional)"),
        description=_l("One of your applications, e.g. ZJ-20261121-000123."),
        validators=[Optional(), Length(max=32)],
    )
    concerns_department = SelectField(_l("Department it concerns (optional)"), validators=[Optional()])
    attachments = MultipleFileField(
        _l("Attachments (optional)"), description=_l("PDF, JPEG or PNG, at most five files.")
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the answer does not solve your problem"),
        id="reopen-reason",
        validators=[DataRequired(message=_l("Please give a reason.")), Length(max=REASON_LENGTH)],
    )


class RateRequestForm(FlaskForm):
    score = RadioField(
        _l("How satisfied are you?"),
        choices=[SelectChoice(str(n), str(n)) for n in range(5, 0, -1)],
        validators=[InputRequired(message=_l("Choose from 1 to 5 stars."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=RATING_COMMENT_MAX_LENGTH)])


class RouteForm(FlaskForm):
    lead = SelectField(_l("Lead department"), id="route-lead", validators=[Optional()])
    co_handlers = SelectMultipleField(_l("Co-handling departments (optional)"), id="route-co-handlers")


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer to the firm"), id="answer-text", validators=answer_validators)


class LinkProblemForm(FlaskForm):
    problem = SelectField(
        _l("Common problem"), id="link-problem", validators=[InputRequired(message=_l("Choose a common problem."))]
    )


class ProblemForm(FlaskForm):
    title = StringField(
        _l("Common problem"),
        validators=[DataRequired(message=_l("Name the common problem.")), Length(max=PROBLEM_TITLE_MAX_LENGTH)],
    )
    category = SelectField(
        _l("Category"), validators=[InputRequired(message=_l("Choose the category of your request."))]
    )


class PolicyAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Policy answer to every firm that asked"), id="policy-answer", validators=answer_validators
    )


class HandlingForm(FlaskForm):
    """The lead's answer or a co-handler's input: the text is the service's `answer`."""

    answer = TextAreaField(
        _l("What your department says"),
        id="handling-text",
        validators=[DataRequired(message=_l("Write what your department says.")), Length(max=ANSWER_MAX_LENGTH)],
    )
