"""Validation of Chinese identity numbers: resident ID, credit code, mobile.

Every validator returns the normalised value or raises IdentityError whose
message is one of MESSAGES, so the web layer can translate it by lookup.
"""

import re
import unicodedata
from datetime import date

from services import clock
from services.i18n import N_

ID_REQUIRED = N_("ID number is required")
ID_LENGTH = N_("ID number must be 18 characters")
ID_FORMAT = N_("ID number must be 17 digits followed by a digit or X")
ID_REGION = N_("ID number starts with an unknown region code")
ID_BIRTH_DATE = N_("ID number contains an impossible birth date")
ID_BIRTH_FUTURE = N_("ID number contains a birth date in the future")
ID_BIRTH_TOO_EARLY = N_("ID number contains a birth date before 1900")
ID_CHECK_DIGIT = N_("ID number check digit is wrong")

CREDIT_REQUIRED = N_("Unified social credit code is required")
CREDIT_LENGTH = N_("Unified social credit code must be 18 characters")
CREDIT_CHARACTERS = N_(
    "Unified social credit code may only contain digits and capital letters other than I, O, S, V and Z"
)
CREDIT_AUTHORITY = N_("Unified social credit code starts with an unknown registration authority")
CREDIT_REGION = N_("Unified social credit code must have a 6-digit region code in positions 3 to 8")
CREDIT_CHECK_CHAR = N_("Unified social credit code check character is wrong")

MOBILE_REQUIRED = N_("Mobile number is required")
MOBILE_CHARACTERS = N_("Mobile number may only contain digits")
MOBILE_LENGTH = N_("Mobile number must be 11 digits")
MOBILE_PREFIX = N_("Mobile number must begin with 13–19")

MESSAGES = (
    ID_REQUIRED,
    ID_LENGTH,
    ID_FORMAT,
    ID_REGION,
    ID_BIRTH_DATE,
    ID_BIRTH_FUTURE,
    ID_BIRTH_TOO_EARLY,
    ID_CHECK_DIGIT,
    CREDIT_REQUIRED,
    CREDIT_LENGTH,
    CREDIT_CHARACTERS,
    CREDIT_AUTHORITY,
    CREDIT_REGION,
    CREDIT_CHECK_CHAR,
    MOBILE_REQUIRED,
    MOBILE_CHARACTERS,
    MOBILE_LENGTH,
    MOBILE_PREFIX,
)


class IdentityError(ValueError):
    """A user-facing validation failure; `message` is one of MESSAGES."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _clean(value: str) -> str:
    # NFKC folds full-width digits, letters and spaces typed with a Chinese IME.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


# --- Resident ID number, GB 11643-1999 -------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37}
    | {41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65}
    | {71, 81, 82, 83}
)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


def id_number_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_id_number(value: str) -> str:
    """Return the normalised 18-character ID number or raise IdentityError."""
    number = _clean(value)
    if not number:
        raise IdentityError(ID_REQUIRED)
    if len(number) != 18:
        raise IdentityError(ID_LENGTH)
    if not _ID_PATTERN.fullmatch(number):
        raise IdentityError(ID_FORMAT)
    if int(number[:2]) not in PROVINCE_CODES:
        raise IdentityError(ID_REGION)
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(ID_BIRTH_DATE) from None
    if birth < EARLIEST_BIRTH_DATE:
        raise IdentityError(ID_BIRTH_TOO_EARLY)
    if birth > clock.china_today():
        raise IdentityError(ID_BIRTH_FUTURE)
    if id_number_check_char(number[:17]) != number[17]:
        raise IdentityError(ID_CHECK_DIGIT)
    return number


def id_number_birth_date(value: str) -> date:
    number = validate_id_number(value)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_gender(value: str) -> str:
    return "male" if int(validate_id_number(value)[16]) % 2 else "female"


# --- Unified social credit code, GB 32100-2015 ------------------------------

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管(工商),
# A 军队编制, N 农业, Y 其他.
CREDIT_AUTHORITIES = frozenset("123456789ANY")


def credit_code_check_char(first17: str) -> str:
    """GB 32100 check character (modulus 31) for the first 17 characters."""
    if len(first17) != 17 or any(char not in CREDIT_ALPHABET for char in first17):
        raise ValueError("first17 must be 17 characters of the credit code alphabet")
    total = sum(CREDIT_ALPHABET.index(char) * weight for char, weight in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalised 18-character credit code or raise IdentityError."""
    code = _clean(value)
    if not code:
        raise IdentityError(CREDIT_REQUIRED)
    if len(code) != 18:
        raise IdentityError(CREDIT_LENGTH)
    if any(char not in CREDIT_ALPHABET for char in code):
        raise IdentityError(CREDIT_CHARACTERS)
    if code[0] not in CREDIT_AUTHORITIES:
        raise IdentityError(CREDIT_AUTHORITY)
    if not code[2:8].isdigit():
        raise IdentityError(CREDIT_REGION)
    if credit_code_check_char(code[:17]) != code[17]:
        raise IdentityError(CREDIT_CHECK_CHAR)
    return code


# --- Mainland mobile number -------------------------------------------------

_MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")


def validate_mobile(value: str) -> str:
    """Return the bare 11-digit mobile number or raise IdentityError."""
    number = re.sub(r"[-\s]", "", unicodedata.normalize("NFKC", value))
    if not number:
        raise IdentityError(MOBILE_REQUIRED)
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
            break
    if not re.fullmatch(r"[0-9]+", number):
        raise IdentityError(MOBILE_CHARACTERS)
    if len(number) != 11:
        raise IdentityError(MOBILE_LENGTH)
    if not _MOBILE_PATTERN.fullmatch(number):
        raise IdentityError(MOBILE_PREFIX)
    return number
