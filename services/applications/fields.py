"""Checks one typed form value against its catalogue field spec.

The web form and the pre-check both call this, so a value the form accepts is
one the pre-check accepts.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from services.catalog import FieldSpec
from services.i18n import N_
from services.identity import IdentityError, validate_credit_code, validate_id_number, validate_mobile

MAX_TEXT = 200
MAX_ADDRESS = 300


class FieldError(ValueError):
    """A message template with its parameters, so the web layer can translate it."""

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


def clean_value(spec: FieldSpec, raw) -> str:
    """Return the normalised value as stored, or raise FieldError; '' means empty."""
    value = "" if raw is None else str(raw).strip()
    if value == "":
        return ""
    cleaner = _CLEANERS[spec.type]
    return cleaner(spec, value)


def _text(spec: FieldSpec, value: str) -> str:
    if len(value) > MAX_TEXT:
        raise FieldError(N_("must be at most %(limit)s characters"), limit=MAX_TEXT)
    return value


def _address(spec: FieldSpec, value: str) -> str:
    if len(value) < 5:
        raise FieldError(N_("must be a full address (district, street and number)"))
    if len(value) > MAX_ADDRESS:
        raise FieldError(N_("must be at most %(limit)s characters"), limit=MAX_ADDRESS)
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
