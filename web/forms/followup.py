"""Forms of the applicant's follow-up: handing in an owed material, rating a finished application."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from services.models.records import RATING_COMMENT_MAX_LENGTH
from services.uploads import MAX_FILE_MB

ACCEPTED_FILES = "application/pdf,image/jpeg,image/png"


class SupplementForm(FlaskForm):
    """One per owed material; build it with `prefix=supplement_prefix(material_key)`, the ids stay unique."""

    file = FileField(
        _l("File (PDF, JPEG or PNG, at most %(limit)s MB)", limit=MAX_FILE_MB),
        validators=[FileRequired(_l("Choose the file to hand in."))],
        render_kw={"accept": ACCEPTED_FILES},
    )


STARS = (
    SelectChoice(5, _l("5 stars: very satisfied")),
    SelectChoice(4, _l("4 stars: satisfied")),
    SelectChoice(3, _l("3 stars: acceptable")),
    SelectChoice(2, _l("2 stars: dissatisfied")),
    SelectChoice(1, _l("1 star: very dissatisfied")),
)


class RatingForm(FlaskForm):
    score = RadioField(
        _l("How satisfied are you with this service?"),
        choices=STARS,
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose from 1 to 5 stars.")), NumberRange(1, 5, _l("Choose from 1 to 5 stars."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Length(max=RATING_COMMENT_MAX_LENGTH)],
        render_kw={"rows": 3, "maxlength": str(RATING_COMMENT_MAX_LENGTH)},
    )
