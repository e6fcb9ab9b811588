"""The counter's form: the text of a scanned 亮证 code."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from services.wallet.presentation import MAX_CODE_LENGTH


class CheckCodeForm(FlaskForm):
    code = TextAreaField(
        _l("Scanned code"),
        description=_l("Scan the code on the applicant's phone into this box, or paste it here."),
        validators=[
            InputRequired(_l("Scan or paste the code.")),
            Length(max=MAX_CODE_LENGTH, message=_l("This is longer than any certificate code.")),
        ],
        render_kw={"rows": 4, "autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"},
    )
