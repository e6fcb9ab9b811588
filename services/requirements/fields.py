"""Checks one typed form value against its catalogue field spec.

The web form and the pre-check both call this, so a value the form accepts is
one the pre-check accepts.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from services.catalog import FieldSpec
from services.errors import Invalid
from services.i18n import N_
from services.identity import IdentityError, validate_credit_code, validate_id_number, validate_mobile

MAX_TEXT = 200
MAX_ADDRESS = 300
# The hard cap of each field type, checked before anything is stored. Identity numbers, dates and
# choices are far shorter; their cap leaves room for the spaces and separators people type.
MAX_SHORT = 40
MAX_LENGTH = {
    "text": MAX_TEXT,
    "address": MAX_ADDRESS,
    "date": MAX_SHORT,
    "number": MAX_SHORT,
    "select": MAX_SHORT,
    "id_number": MAX_SHORT,
    "phone": MAX_SHORT,
    "credit_code": MAX_SHORT,
}


class FieldError(ValueError):
    """A message template with its parameters, so the web layer can translate it."""

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


class TooLong(FieldError):
    """Over the field's hard cap: refused outright, never stored, not even in a draft."""


def refuse_if_too_long(field: str, value: str, limit: int) -> None:
    """A free text beyond its column's size is refused, naming the field, rather than cut."""
    if len(value) > limit:
        error = TooLong(N_("At most %(limit)s characters."), limit=limit)
        raise Invalid(error, {field: error})


def check_length(spec: FieldSpec, value: str) -> None:
    limit = MAX_LENGTH[spec.type]
    if len(value) > limit:
        raise TooLong(N_("must be at most %(limit)s characters"), limit=limit)


def clean_value(spec: FieldSpec, raw) -> str:
    """Return the normalised value as stored, or raise FieldError; '' means empty."""
    value = "" if raw is None else str(raw).strip()
    if value == "":
        return ""
    check_length(spec, value)
    cleaner = _CLEANERS[spec.type]
    return cleaner(spec, value)


def _text(spec: FieldSpec, value: str) -> str:
    return value


def _address(spec: FieldSpec, value: str) -> str:
    if len(value) < 5:
        raise FieldError(N_("must be a full address (district, street and number)"))
    return value


def _date(spec: FieldSpec, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise FieldError(N_("must be a date like 2026-11-21")) from None


def _number(spec: FieldSpec, value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise FieldError(N_("must be a number")) from None
    if not number.is_finite():
        raise FieldError(N_("must be a number"))
    if spec.min is not None and number < Decimal(str(spec.min)):
        raise FieldError(N_("must be at least %(limit)s"), limit=f"{spec.min:g}")
    if spec.max is not None and number > Decimal(str(spec.max)):
        raise FieldError(N_("must be at most %(limit)s"), limit=f"{spec.max:g}")
    return str(int(number)) if number == number.to_integral_value() else str(number)


def _select(spec: FieldSpec, value: str) -> str:
    if value not in {option.value for option in spec.options}:
        raise FieldError(N_("must be one of the listed choices"))
    return value


def _identity(validator):
    def clean(spec: FieldSpec, value: str) -> str:
        try:
            return validator(value)
        except IdentityError as error:
            raise FieldError(str(error)) from None

    return clean


_CLEANERS = {
    "text": _text,
    "address": _address,
    "date": _date,
    "number": _number,
    "select": _select,
    "id_number": _identity(validate_id_number),
    "phone": _identity(validate_mobile),
    "credit_code": _identity(validate_credit_code),
}
