from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from services.catalog_admin.versions import ENTRY_MAX_LENGTH
from services.supervision import ANSWER_MAX_LENGTH
from services.workdays import HOLIDAY, NOTE_MAX_LENGTH, WORKDAY


class MetricsFilterForm(FlaskForm):
    """The dashboard's period, read from the query string (a GET form needs no CSRF token)."""

    class Meta:
        csrf = False

    since = DateField(_l("Submitted from"), validators=[Optional()])
    until = DateField(_l("Submitted until"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end comes before the start."))


class ExtensionDecisionForm(FlaskForm):
    decision = HiddenField(validators=[AnyOf(("grant", "refuse"))])
    answer = StringField(
        _l("Answer to the clerk"), validators=[Length(max=500)], description=_l("Required when refusing.")
    )

    def validate_answer(self, field):
        if self.decision.data == "refuse" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the extension is refused."))


class RectificationAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer to the applicant"),
        validators=[DataRequired(_l("Write the answer to the applicant.")), Length(max=ANSWER_MAX_LENGTH)],
    )


class CalendarOverrideForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Give a date."))])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(WORKDAY, _l("Make-up working day")), SelectChoice(HOLIDAY, _l("Day off"))]
    )
    note = StringField(
        _l("Note"),
        validators=[Length(max=NOTE_MAX_LENGTH)],
        description=_l("Which notice announced it, or which holiday."),
    )


QUEUE = "queue"  # the hand-on form's choice for "back to the department queue"


class HandOnForm(FlaskForm):
    """Hand a held task (or all a clerk holds) to a colleague, or back to the department queue."""

    to = SelectField(_l("Hand to"), validators=[DataRequired(_l("Choose who takes it on."))])
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why: the clerks are told.")), Length(max=200)],
        description=_l("The clerks concerned are told, and the case's record keeps it."),
    )

    def target_clerk_id(self) -> int | None:
        """The colleague's id, or None for the queue (the choices hold only those two kinds of value)."""
        return None if self.to.data == QUEUE else int(self.to.data)


class StaffAccountForm(FlaskForm):
    """A new staff account: the one-time password is made for them, never typed here."""

    username = StringField(_l("Username"), validators=[DataRequired(_l("Choose a username.")), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Give their name.")), Length(max=64)])
    role = SelectField(_l("Role"))
    department = SelectField(_l("Department"), description=_l("Required for a clerk; none for a city supervisor."))


class StaffPostForm(FlaskForm):
    role = SelectField(_l("Role"))
    department = SelectField(_l("Department"))


class CloseAccountForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Please give a reason.")), Length(max=200)])


class CatalogueEntryForm(FlaskForm):
    """An item's or bundle's entry as YAML, as the catalogue files hold it."""

    entry_yaml = TextAreaField(
        _l("The entry (YAML)"),
        validators=[DataRequired(_l("Write the entry.")), Length(max=ENTRY_MAX_LENGTH)],
        description=_l("As in the catalogue files: name, time limits, fee, delivery, materials and form fields."),
    )


class PublishVersionForm(FlaskForm):
    effective_on = DateField(_l("In force from"), validators=[DataRequired(_l("Choose the date it takes effect."))])
