"""Password rules: long, not guessable, not built from the account's own numbers.

zxcvbn estimates guessability offline (its dictionaries of common passwords, names
and keyboard patterns ship with the package); nothing is sent anywhere.

Test mode (APP_ENV=test) hashes cheaply: a journey run registers and signs in hundreds of
throwaway accounts, and scrypt was a third of its time. Such a hash carries a mark and
verifies only while test-mode hashing is on, so one that reaches any other database opens nothing.
"""

from contextvars import ContextVar

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

TEST_MODE_MARK = "test-mode:"
TEST_MODE_METHOD = "pbkdf2:sha256:1000"
# On only for the length of a test-mode app's request (journeys/testing.py), never process-wide.
_test_mode = ContextVar("test_mode_hashing", default=False)

# Dummy hashes checked when a login name is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
_TEST_MODE_DUMMY_HASH = generate_password_hash("not-a-real-password", method=TEST_MODE_METHOD)


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


def use_test_mode_hashing(on: bool) -> None:
    """Cheap, marked hashes from now on in this context (on), or the production hash again (off)."""
    _test_mode.set(on)


def hash_password(password: str) -> str:
    """With werkzeug's default method; in test mode, the cheap method under the test-mode mark."""
    if _test_mode.get():
        return TEST_MODE_MARK + generate_password_hash(password, method=TEST_MODE_METHOD)
    return generate_password_hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash to check against; a test-mode hash matches in test mode only."""
    test_mode = _test_mode.get()
    if password_hash is None:
        check_password_hash(_TEST_MODE_DUMMY_HASH if test_mode else _DUMMY_HASH, password)
        return False
    if password_hash.startswith(TEST_MODE_MARK):
        if not test_mode:
            check_password_hash(_DUMMY_HASH, password)
            return False
        password_hash = password_hash.removeprefix(TEST_MODE_MARK)
    return check_password_hash(password_hash, password)
