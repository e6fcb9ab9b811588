"""People: applicants, staff and the certificates in their wallets."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services import clock
from services.models.keys import new_key

CERTIFICATE_DATA = JSON().with_variant(JSONB(), "postgresql")


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
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=300)
    department: str | None = Field(default=None, index=True, max_length=20)
    is_active: bool = True
    created_at: datetime = Field(default_factory=clock.now)
    # Staff second factor (RFC 6238); the last accepted time step refuses a replayed code.
    totp_secret: str | None = Field(default=None, max_length=32)
    totp_last_step: int | None = None
    # 长辈版: larger type, higher contrast and fewer choices on every page, remembered across sign-ins.
    elder_mode: bool = False

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

    # The benefit sweep reads one type's certificates grouped by owner (services/benefits/columns.py). On PostgreSQL
    # the index holds their data too, so that it reads the index alone, not a row of the table for each
    # certificate (migration 0024).
    __table_args__ = (Index("ix_certificate_type_owner", "cert_type", "owner_id", postgresql_include=["data"]),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    cert_type: str = Field(index=True, max_length=64)
    number: str = Field(unique=True, max_length=64)
    # JSONB on PostgreSQL: the sweep reads keys of a million certificates, and each key of a JSON (text) value is
    # read by parsing the whole text again (migration 0023).
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(CERTIFICATE_DATA, nullable=False))
    issued_by: str = Field(max_length=20)
    issued_on: date
    application_id: int | None = Field(default=None, foreign_key="application.id")
