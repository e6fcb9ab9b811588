"""The cockpit's filters, read from the query string: bookmarkable, shared by its pages and its JSON."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, NumberRange, Optional

from services.cockpit.drill import LIST_MEASURES
from services.cockpit.trends import GRAINS, MEASURES
from web.forms.supervision import MetricsFilterForm

GRAIN_LABELS = {"day": _l("By day"), "week": _l("By week"), "month": _l("By month")}


class CockpitFilterForm(MetricsFilterForm):
    """The dashboard's period, a department (a city supervisor's choice) and the trends' grain."""

    department = SelectField(_l("Department"), choices=[], validators=[Optional()])
    grain = SelectField(
        _l("Trend"),
        choices=[SelectChoice(grain, label) for grain, label in GRAIN_LABELS.items()],
        default="week",
        validators=[Optional()],
    )

    def with_departments(self, departments: list[tuple[str, str]]) -> "CockpitFilterForm":
        self.department.choices = [SelectChoice("", _l("Every department")), *(SelectChoice(*d) for d in departments)]
        return self

    @property
    def chosen_grain(self) -> str:
        return self.grain.data if self.grain.data in GRAINS else "week"


class TrendForm(CockpitFilterForm):
    measure = SelectField(
        choices=[SelectChoice(m, m) for m in MEASURES], default="submitted", validators=[AnyOf(MEASURES)]
    )


class CaseListForm(CockpitFilterForm):
    kind = SelectField(choices=[], default="application")
    measure = SelectField(
        choices=[SelectChoice(m, m) for m in LIST_MEASURES], default="submitted", validators=[AnyOf(LIST_MEASURES)]
    )
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])
    # Of a rate: only the rows that count towards it, or only those that do not; empty: all of them.
    counts = SelectField(choices=[SelectChoice(c, c) for c in ("", "yes", "no")], default="", validators=[Optional()])

    @property
    def counting(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.counts.data or "")
