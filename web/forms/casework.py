"""Forms of the front desk and the department clerks.

Several of these forms share one page, so each field gets its own HTML id
while keeping the name the service uses in its errors (`reason`, `days`…).
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from services.casework.desk import REASON_MAX_LENGTH as REASON_LENGTH
from services.casework.desk import NoticeItem
from services.catalog import Text
from services.models.cases import TRACKING_NUMBER_MAX_LENGTH, VISIT_PURPOSE_MAX_LENGTH
from services.workflow.benefits.dispute_rules import AMOUNT_TYPED_LENGTH
from services.workflow.task_rules import MAX_EXTENSION_DAYS, PROCEDURES
from web.messages import translate

required_reason = [DataRequired(message=_l("Please give a reason.")), Length(max=REASON_LENGTH)]


# --- front desk -------------------------------------------------------------------


class AcceptForm(FlaskForm):
    # Sent by the "accept with tolerated gap" button only.
    tolerate = BooleanField()


class RefuseForm(FlaskForm):
    reason = TextAreaField(_l("Why it cannot be accepted"), id="refuse-reason", validators=required_reason)


class VisitForm(FlaskForm):
    purpose = StringField(
        _l("Why the applicant came in person"),
        id="visit-purpose",
        validators=[DataRequired(message=_l("Say why the applicant came.")), Length(max=VISIT_PURPOSE_MAX_LENGTH)],
    )


class DeliveryForm(FlaskForm):
    tracking_number = StringField(_l("Tracking number"), validators=[Length(max=TRACKING_NUMBER_MAX_LENGTH)])


@dataclass(frozen=True)
class NoticeRow:
    """One field or material of the service, as a line of the notice form."""

    kind: str  # "field" or "material"
    key: str
    label: Text
    tick: str  # names of the form's checkbox and reason input
    reason: str


def tick_name(kind: str, key: str) -> str:
    return f"tick_{kind}_{key}"


def reason_name(kind: str, key: str) -> str:
    return f"reason_{kind}_{key}"


class NoticeFormBase(FlaskForm):
    rows: tuple[NoticeRow, ...] = ()
    new_fact = TextAreaField(
        _l("What new fact makes a second notice necessary?"),
        description=_l(
            "A notice was already issued: a second one is allowed only for a new fact from the applicant, "
            "and it counts as a breach of the one-notice rule."
        ),
        id="notice-new-fact",
        validators=[Length(max=REASON_LENGTH)],
    )

    def items(self) -> list[NoticeItem]:
        return [NoticeItem(row.kind, row.key, self[row.reason].data or "") for row in self.rows if self[row.tick].data]

    def apply_service_errors(self, errors: dict[str, str]) -> list[str]:
        """Put the service's `reason_<key>` errors on the rows; return those that belong to no row."""
        unplaced = []
        for name, message in errors.items():
            if name == "new_fact":
                self.new_fact.errors = list(self.new_fact.errors) + [translate(message)]
                continue
            rows = [row for row in self.rows if f"reason_{row.key}" == name]
            for row in rows:
                self[row.reason].errors = list(self[row.reason].errors) + [translate(message)]
            if not rows:
                unplaced.append(translate(message))
        return unplaced


def notice_form(service, locale: str, **kwargs) -> NoticeFormBase:
    """A checkbox and a reason for every field and material of the service: the clerk lists everything at once."""

    class NoticeForm(NoticeFormBase):
        pass

    rows = []
    for kind, specs in (("field", service.fields), ("material", service.materials)):
        for spec in specs:
            label = spec.label if kind == "field" else spec.name
            row = NoticeRow(kind, spec.key, label, tick_name(kind, spec.key), reason_name(kind, spec.key))
            setattr(NoticeForm, row.tick, BooleanField(label.get(locale), id=row.tick))
            reason_label = _("What is missing or wrong: %(item)s", item=label.get(locale))
            setattr(
                NoticeForm, row.reason, StringField(reason_label, id=row.reason, validators=[Length(max=REASON_LENGTH)])
            )
            rows.append(row)
    NoticeForm.rows = tuple(rows)
    return NoticeForm(**kwargs)


# --- department clerk --------------------------------------------------------------


class ApproveForm(FlaskForm):
    # Shown (and required by the service) only when approving the review of a benefit offer's amount.
    decided_amount = StringField(
        _l("Amount due (yuan)"),
        id="approve-decided-amount",
        validators=[Optional(), Length(max=AMOUNT_TYPED_LENGTH)],
        description=_l("The amount the offer is made again at; the applicant then accepts it."),
    )
    note = TextAreaField(_l("Note (optional)"), id="approve-note", validators=[Optional(), Length(max=REASON_LENGTH)])


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Why it is not approved"), id="reject-reason", validators=required_reason)


def procedure_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("— choose —"))] + [
        SelectChoice(code, translate(label)) for code, label in PROCEDURES.items()
    ]


class SuspendForm(FlaskForm):
    procedure = SelectField(
        _l("Special procedure"),
        id="suspend-procedure",
        validators=[DataRequired(message=_l("Choose the special procedure."))],
    )
    reason = TextAreaField(_l("Why the procedure is needed"), id="suspend-reason", validators=required_reason)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure.choices = procedure_choices()


class NoticeRequestForm(FlaskForm):
    reason = TextAreaField(
        _l("What the applicant must correct or add"), id="notice-request-reason", validators=required_reason
    )


ASK_FOR_DAYS = _l("Ask for 1 to %(limit)s working days.", limit=MAX_EXTENSION_DAYS)


class ExtensionForm(FlaskForm):
    days = IntegerField(
        _l("Extra working days"),
        id="extension-days",
        validators=[
            InputRequired(message=ASK_FOR_DAYS),
            NumberRange(min=1, max=MAX_EXTENSION_DAYS, message=ASK_FOR_DAYS),
        ],
        render_kw={"min": 1, "max": MAX_EXTENSION_DAYS, "inputmode": "numeric"},
    )
    reason = TextAreaField(_l("Why more time is needed"), id="extension-reason", validators=required_reason)


class TaskFilterForm(FlaskForm):
    """The filters above a task list: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    item = SelectField(_l("Service item"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    colour = SelectField(_l("Deadline"), validate_choice=False)
