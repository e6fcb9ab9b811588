"""Sign-in records: server-side sessions, attempts (throttling and audit), staff recovery codes.

Their times are wall-clock times (clock.wall_now), not the business clock.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel


class SignInSession(SQLModel, table=True):
    """One sign-in. The cookie carries a random id; only its SHA-256 is stored."""

    __tablename__ = "sign_in_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    # False until a staff member has passed the second factor.
    complete: bool = False
    # A staff member's secret while enrolling, until the first code confirms it.
    enrol_secret: str | None = Field(default=None, max_length=32)
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


# An IPv6 address with its zone fits; anything longer is a forged header, kept cut so it is still counted.
ADDRESS_MAX_LENGTH = 64


class SignInAttempt(SQLModel, table=True):
    """Every password or code tried: who (as typed, normalised), from where, when, and how it went."""

    __tablename__ = "sign_in_attempt"

    id: int | None = Field(default=None, primary_key=True)
    login_name: str = Field(index=True, max_length=64)
    address: str = Field(index=True, max_length=ADDRESS_MAX_LENGTH)
    outcome: str = Field(max_length=16)  # succeeded, failed, locked
    at: datetime = Field(index=True)


class RecoveryCode(SQLModel, table=True):
    """A staff member's one-time recovery code, hashed like a password."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=255)
    used_at: datetime | None = None
