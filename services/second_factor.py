"""The staff second factor: TOTP (RFC 6238) with one-time recovery codes.

After the password a staff member's session waits (SignInSession.complete is False);
a right code replaces it with a complete one under a new id. A code's time step is
remembered, so the same code cannot be used twice.
"""

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field

import pyotp
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from services import clock
from services.db import referenced, rows_matched, transactional
from services.errors import NotFound
from services.models import RecoveryCode, SignInSession, User
from services.signin import (
    FAILED,
    LOCKED,
    SUCCEEDED,
    SignInPolicy,
    account_lock,
    check_address,
    minutes_left,
    record_attempt,
    start_session,
    token_digest,
)

ISSUER = "AtMostOnce"
RECOVERY_CODES = 10
# A code of the step before or after the current one is accepted too (clock drift, slow typing).
DRIFT_STEPS = 1


@dataclass(frozen=True)
class SecondFactorResult:
    token: str | None = None  # the complete session's id, when the code was right
    retry_minutes: int | None = None
    recovery_codes: list[str] = field(default_factory=list)  # shown once, after enrolment


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str  # otpauth:// for the QR code


def _pending(session: Session, token: str | None) -> tuple[SignInSession, User]:
    row = session.exec(select(SignInSession).where(SignInSession.token_hash == token_digest(token or ""))).first()
    if row is None or row.complete or row.revoked_at is not None:
        raise NotFound("no sign-in waits for a second factor")
    return row, referenced(session, User, row.user_id)


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", code)).lower()


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step this code belongs to, if it is near now and later than the last one used."""
    totp = pyotp.TOTP(secret)
    now_step = int(clock.wall_now().timestamp()) // totp.interval
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def _recovery_digest(code: str) -> str:
    # The codes are 48 random bits each, so a plain hash is enough (no password stretching needed).
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def needs_enrolment(user: User) -> bool:
    return user.totp_secret is None


def enrolment(*, session: Session, token: str | None) -> Enrolment:
    """The secret to enrol, made with the waiting sign-in, so reloading shows the same QR code."""
    row, user = _pending(session, token)
    if user.totp_secret is not None or row.enrol_secret is None:
        raise NotFound("nothing to enrol")
    uri = pyotp.TOTP(row.enrol_secret).provisioning_uri(name=user.login_name, issuer_name=ISSUER)
    return Enrolment(row.enrol_secret, uri)


def _finish(session: Session, row: SignInSession, user: User, address: str, policy: SignInPolicy) -> str:
    record_attempt(session, user.login_name, address, SUCCEEDED)
    row.revoked_at = clock.wall_now()
    session.add(row)
    return start_session(session, user, policy, complete=True)


def _locked(session: Session, user: User, address: str, policy: SignInPolicy) -> SecondFactorResult | None:
    """A refusal without looking at the code while the account is locked (wrong codes count towards it)."""
    check_address(session, address, policy)
    locked = account_lock(session, user.login_name, policy)
    if locked is None:
        return None
    record_attempt(session, user.login_name, address, LOCKED)
    return SecondFactorResult(retry_minutes=minutes_left(locked))


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Record the step as used unless a simultaneous request used it (or a later one) first."""
    claimed = rows_matched(
        session,
        update(User)
        .where(col(User.id) == user.id, or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step))
        .values(totp_last_step=step),
    )
    return claimed == 1


def _claim_recovery_code(session: Session, user: User, typed: str) -> bool:
    """Use an unused recovery code; compare-and-set, so two requests cannot both use it."""
    used = rows_matched(
        session,
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == _recovery_digest(typed),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=clock.wall_now()),
    )
    return used == 1


def _refuse(session: Session, user: User, address: str, policy: SignInPolicy) -> SecondFactorResult:
    record_attempt(session, user.login_name, address, FAILED)
    locked = account_lock(session, user.login_name, policy)
    return SecondFactorResult(retry_minutes=minutes_left(locked) if locked else None)


@transactional
def confirm_enrolment(
    *, session: Session, token: str | None, code: str, address: str, policy: SignInPolicy
) -> SecondFactorResult:
    """The first code proves the app holds the secret: keep it and hand out fresh recovery codes."""
    row, user = _pending(session, token)
    refused = _locked(session, user, address, policy)
    if refused is not None:
        return refused
    step = _matching_step(row.enrol_secret, _clean(code), None) if row.enrol_secret else None
    if step is None:
        return _refuse(session, user, address, policy)
    user.totp_secret, user.totp_last_step = row.enrol_secret, step
    session.add(user)
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    assert user.id is not None  # a user signing in is a stored row
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(c)) for c in codes)
    return SecondFactorResult(token=_finish(session, row, user, address, policy), recovery_codes=codes)


@transactional
def verify_second_factor(
    *, session: Session, token: str | None, code: str, address: str, policy: SignInPolicy
) -> SecondFactorResult:
    """A code from the app, or an unused recovery code, completes the sign-in under the throttle."""
    row, user = _pending(session, token)
    refused = _locked(session, user, address, policy)
    if refused is not None:
        return refused
    typed = _clean(code)
    step = _matching_step(user.totp_secret, typed, user.totp_last_step) if user.totp_secret else None
    if (step is not None and _claim_step(session, user, step)) or _claim_recovery_code(session, user, typed):
        return SecondFactorResult(token=_finish(session, row, user, address, policy))
    return _refuse(session, user, address, policy)


@transactional
def reset_second_factor(*, session: Session, username: str) -> User:
    """For a staff member who lost both phone and recovery codes: every session ends, and the next
    sign-in enrols a new secret."""
    user = session.exec(select(User).where(User.login_name == username.strip().lower())).first()
    if user is None or not user.is_staff:
        raise NotFound("no staff member has this username")
    user.totp_secret = user.totp_last_step = None
    session.add(user)
    for code in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(code)
    session.execute(
        update(SignInSession)
        .where(col(SignInSession.user_id) == user.id, col(SignInSession.revoked_at).is_(None))
        .values(revoked_at=clock.wall_now())
    )
    return user


def current_code(secret: str, step: int | None = None) -> str:
    """The code an authenticator app shows now (or at a time step): for the demo's command and tests."""
    totp = pyotp.TOTP(secret)
    return totp.at(current_step(secret) * totp.interval if step is None else step * totp.interval)


def current_step(secret: str) -> int:
    return int(clock.wall_now().timestamp()) // pyotp.TOTP(secret).interval


def unused_code(user: User) -> str:
    """A code the server will take now: of the current step, or a later one when that was used already.

    For tools that sign staff in for a person (tests, benches), who may do so twice within 30 seconds.
    """
    assert user.totp_secret is not None, "only an enrolled user has codes"
    step = current_step(user.totp_secret)
    if user.totp_last_step is not None and user.totp_last_step >= step - DRIFT_STEPS:
        step = user.totp_last_step + 1
    return current_code(user.totp_secret, step)
