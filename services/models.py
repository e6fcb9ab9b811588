"""Database tables. Statuses are stored as readable strings."""
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from services import clock


def new_key() -> str:
    """Unguessable identifier used in URLs instead of row ids."""
    return secrets.token_urlsafe(12)


class Role:
    CITIZEN = "citizen"
    COMPANY = "company"
    FRONT_DESK = "front_desk"
    CLERK = "clerk"
    SUPERVISOR = "supervisor"

    APPLICANTS = (CITIZEN, COMPANY)
    STAFF = (FRONT_DESK, CLERK, SUPERVISOR)
    ALL = APPLICANTS + STAFF


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    role: str = Field(index=True, max_length=20)
    # ID number for citizens, credit code for companies, a username for staff.
    login_name: str = Field(unique=True, index=True, max_length=64)
    password_hash: str = Field(max_length=255)
    full_name: str = Field(max_length=200)
    id_number: str | None = Field(default=None, max_length=18)
    credit_code: str | None = Field(default=None, max_length=18)
    legal_representative: str | None = Field(default=None, max_length=100)
    mobile: str | None = Field(default=None, index=True, max_length=11)
    address: str | None = Field(default=None, max_length=300)
    department: str | None = Field(default=None, index=True, max_length=20)
    is_active: bool = True
    created_at: datetime = Field(default_factory=clock.now)

    # The three members Flask-Login reads; kept here so sessions need no wrapper object.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.key

    @property
    def is_applicant(self) -> bool:
        return self.role in Role.APPLICANTS

    @property
    def is_staff(self) -> bool:
        return self.role in Role.STAFF


class Certificate(SQLModel, table=True):
    """An e-certificate in an applicant's wallet (电子证照)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    cert_type: str = Field(index=True, max_length=64)
    number: str = Field(unique=True, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    issued_by: str = Field(max_length=20)
    issued_on: date
    application_id: int | None = Field(default=None, foreign_key="application.id")


class ApplicationStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    NEEDS_CORRECTION = "needs_correction"
    NOT_ACCEPTED = "not_accepted"
    ACCEPTED = "accepted"
    IN_REVIEW = "in_review"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Application(SQLModel, table=True):
    """One request for one item or one bundle (办件)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    number: str | None = Field(default=None, unique=True, max_length=32)
    applicant_id: int = Field(foreign_key="user_account.id", index=True)
    service_code: str = Field(index=True, max_length=64)
    status: str = Field(default=ApplicationStatus.DRAFT, index=True, max_length=24)
    channel: str = Field(default="online", max_length=12)
    form_data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)
    submitted_at: datetime | None = None
    closed_at: datetime | None = None


class Attachment(SQLModel, table=True):
    """A material of an application: an uploaded file or a wallet certificate."""

    __table_args__ = (UniqueConstraint("application_id", "material_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    application_id: int = Field(foreign_key="application.id", index=True)
    material_key: str = Field(max_length=64)
    source: str = Field(max_length=12)  # "upload" or "wallet"
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id")
    filename: str = Field(default="", max_length=255)
    content_type: str = Field(default="", max_length=64)
    size: int = 0
    sha256: str = Field(default="", max_length=64)
    storage_name: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=clock.now)


class AuditEvent(SQLModel, table=True):
    """One recorded change, hash-chained to the previous one."""

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: datetime
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_role: str = Field(max_length=20)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    event: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    reason: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """Single row holding the chain's tip; updating it first serialises writers."""

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)


class Counter(SQLModel, table=True):
    """Named sequences, e.g. the daily public-number counter."""

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0
