"""Signing in: throttled password checks and server-side sessions.

Every time here is wall-clock time (clock.wall_now): journeys move the business clock
by days, which must neither sign people out nor lift a lock. Attempts are rows in the
database, so every worker of every app server counts the same ones.
"""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select

from services import clock
from services.accounts import LOGIN_MAX, check_password, normalise_login
from services.db import rows_matched, transactional
from services.errors import Throttled
from services.models import SignInAttempt, SignInSession, User
from services.models.signin import ADDRESS_MAX_LENGTH

SUCCEEDED, FAILED, LOCKED = "succeeded", "failed", "locked"


@dataclass(frozen=True)
class SignInPolicy:
    """Limits and lifetimes; the web layer builds one from its config."""

    account_failures: int = 5
    account_window: timedelta = timedelta(minutes=15)
    address_failures: int = 50
    address_window: timedelta = timedelta(minutes=15)
    staff_idle: timedelta = timedelta(minutes=30)
    staff_lifetime: timedelta = timedelta(hours=12)
    applicant_idle: timedelta = timedelta(hours=2)
    applicant_lifetime: timedelta = timedelta(days=7)
    # Reading pages refreshes "last seen" at most this often, so a page view rarely writes.
    seen_every: timedelta = timedelta(minutes=1)

    def idle(self, user: User) -> timedelta:
        return self.staff_idle if user.is_staff else self.applicant_idle

    def lifetime(self, user: User) -> timedelta:
        return self.staff_lifetime if user.is_staff else self.applicant_lifetime


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in step came to: a session token for the cookie, or a refusal (maybe a lock)."""

    user: User | None = None
    token: str | None = None
    retry_minutes: int | None = None  # set while the account is locked

    @property
    def second_factor_needed(self) -> bool:
        return self.user is not None and self.user.is_staff

    @property
    def enrolment_needed(self) -> bool:
        return self.second_factor_needed and self.user is not None and self.user.totp_secret is None


@dataclass(frozen=True)
class Resumed:
    user: User
    row: SignInSession

    @property
    def complete(self) -> bool:
        return self.row.complete


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def minutes_left(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds() / 60))


def record_attempt(session: Session, name: str, address: str, outcome: str) -> None:
    session.add(
        SignInAttempt(
            login_name=name[:LOGIN_MAX], address=address[:ADDRESS_MAX_LENGTH], outcome=outcome, at=clock.wall_now()
        )
    )


def account_lock(session: Session, name: str, policy: SignInPolicy) -> timedelta | None:
    """How long this login stays locked: `account_failures` failures within the window since its last success."""
    now = clock.wall_now()
    since = now - policy.account_window
    success = session.exec(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.login_name == name, SignInAttempt.outcome == SUCCEEDED, SignInAttempt.at >= since
        )
    ).one()
    if success is not None:
        since = max(since, success)
    failures = session.exec(
        select(SignInAttempt.at)
        .where(SignInAttempt.login_name == name, SignInAttempt.outcome == FAILED, SignInAttempt.at > since)
        .order_by(col(SignInAttempt.at).desc())
        .limit(policy.account_failures)
    ).all()
    if len(failures) < policy.account_failures:
        return None
    return failures[-1] + policy.account_window - now


def _address_flood(session: Session, address: str, policy: SignInPolicy) -> timedelta | None:
    """How long this address must wait: `address_failures` refusals within the window, successes or not."""
    now = clock.wall_now()
    refused = session.exec(
        select(SignInAttempt.at)
        .where(
            SignInAttempt.address == address[:ADDRESS_MAX_LENGTH],
            col(SignInAttempt.outcome).in_((FAILED, LOCKED)),
            SignInAttempt.at > now - policy.address_window,
        )
        .order_by(col(SignInAttempt.at).desc())
        .limit(policy.address_failures)
    ).all()
    if len(refused) < policy.address_failures:
        return None
    return refused[-1] + policy.address_window - now


def check_address(session: Session, address: str, policy: SignInPolicy) -> None:
    wait = _address_flood(session, address, policy)
    if wait is not None:
        raise Throttled("too many sign-in attempts from this address", retry_after=math.ceil(wait.total_seconds()))


def start_session(
    session: Session, user: User, policy: SignInPolicy, complete: bool, enrol_secret: str | None = None
) -> str:
    """A new random session id (the cookie's), stored only as its hash."""
    assert user.id is not None  # a user signing in is a stored row
    token = secrets.token_urlsafe(32)
    now = clock.wall_now()
    session.add(
        SignInSession(
            token_hash=token_digest(token),
            user_id=user.id,
            complete=complete,
            enrol_secret=enrol_secret,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.lifetime(user),
        )
    )
    return token


@transactional
def sign_in(*, session: Session, login: str, password: str, address: str, policy: SignInPolicy) -> SignInResult:
    """Check a password under the throttle; start a session (staff: one waiting for the second factor).

    A locked login is answered without checking the password, and the same way whether an
    account exists or not; a flooding address raises Throttled.
    """
    # No account has a longer login, so the cut one fails alike; it keeps the attempt's row within its column.
    name = normalise_login(login)[:LOGIN_MAX]
    check_address(session, address, policy)
    locked = account_lock(session, name, policy)
    if locked is not None:
        record_attempt(session, name, address, LOCKED)
        return SignInResult(retry_minutes=minutes_left(locked))
    user = check_password(session=session, name=name, password=password)
    if user is None:
        record_attempt(session, name, address, FAILED)
        locked = account_lock(session, name, policy)  # the failure that reaches the limit says so at once
        return SignInResult(retry_minutes=minutes_left(locked) if locked else None)
    if user.is_staff:
        # Not enrolled yet: the secret to enrol is made now, so the enrolment page only reads it.
        secret = pyotp.random_base32() if user.totp_secret is None else None
        return SignInResult(user=user, token=start_session(session, user, policy, complete=False, enrol_secret=secret))
    record_attempt(session, name, address, SUCCEEDED)
    return SignInResult(user=user, token=start_session(session, user, policy, complete=True))


_RESUME = (
    select(SignInSession, User)
    .join(User, col(User.id) == SignInSession.user_id)
    .where(col(SignInSession.token_hash) == bindparam("token_hash"))
)


def resume_session(*, session: Session, token: str | None, policy: SignInPolicy) -> Resumed | None:
    """The live session behind a cookie's id, or None once revoked, idle too long or past its lifetime.

    A read, like any other: it commits only when it refreshes "last seen". Every signed-in request
    starts with it, and committing a read would cost each of them a round trip for nothing.
    """
    if not token:
        return None
    # One statement for the session and its user, built once: every signed-in request runs it.
    found = session.execute(_RESUME, {"token_hash": token_digest(token)}).first()
    if found is None:
        return None
    row, user = found
    now = clock.wall_now()
    if (
        row.revoked_at is not None
        or not user.is_active
        or now >= row.expires_at
        or now - row.last_seen_at >= policy.idle(user)
    ):
        return None
    if now - row.last_seen_at >= policy.seen_every:
        _see_again(session=session, row=row, now=now)
    return Resumed(user, row)


@transactional
def _see_again(*, session: Session, row: SignInSession, now: datetime) -> None:
    row.last_seen_at = now
    session.add(row)


@transactional
def end_session(*, session: Session, token: str | None) -> None:
    if token:
        session.execute(
            update(SignInSession)
            .where(col(SignInSession.token_hash) == token_digest(token), col(SignInSession.revoked_at).is_(None))
            .values(revoked_at=clock.wall_now())
        )


@transactional
def end_all_sessions(*, session: Session, user: User) -> int:
    """Sign a user out everywhere; the number of sessions ended."""
    return rows_matched(
        session,
        update(SignInSession)
        .where(col(SignInSession.user_id) == user.id, col(SignInSession.revoked_at).is_(None))
        .values(revoked_at=clock.wall_now()),
    )
