"""Password rules: long, not guessable, not built from the account's own numbers.

zxcvbn estimates guessability offline (its dictionaries of common passwords, names
and keyboard patterns ship with the package); nothing is sent anywhere.
"""

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from services.i18n import N_
from services.requirements.fields import FieldError

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn scores 0-4; 3 means "safely unguessable: moderate protection from offline attacks".
MIN_SCORE = 3

TOO_SHORT = FieldError(N_("Password must be at least %(limit)s characters."), limit=MIN_LENGTH)
TOO_LONG = FieldError(N_("Password may be at most %(limit)s characters."), limit=MAX_LENGTH)
TOO_WEAK = N_("Password is too easy to guess: avoid common words, repeats and sequences, or add a few more words.")
PERSONAL = N_("Password must not contain your ID number, credit code, username or mobile number.")

# Dummy hash checked when a login name is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def password_problem(password: str, personal: tuple[str | None, ...] = ()) -> str | FieldError | None:
    """The message (a msgid, or one with its limit) saying what is wrong with this password, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    lowered = password.lower()
    own = [value.lower() for value in personal if value and len(value) >= 4]
    if any(value in lowered for value in own):
        return PERSONAL
    if zxcvbn(password, user_inputs=own)["score"] < MIN_SCORE:
        return TOO_WEAK
    return None


def hash_password(password: str, method: str | None = None) -> str:
    """With werkzeug's default method unless another is named."""
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash to check against."""
    if password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)
