"""What the government holds that benefit policies read (免申即享), beyond accounts and wallets.

Registers of people and firms, social-insurance and tax contributions by month, employment
spells (hires and lay-offs), firms' annual filings, the credit blacklist, and the benefits a
subject has already received. Money is in fen (1/100 yuan), whole numbers, so that a policy's
amount comes out the same in Python and in SQL on every database.
"""

from datetime import date

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class ResidentRecord(SQLModel, table=True):
    """A citizen's entry in the population register: where they live and their household."""

    __tablename__ = "resident_record"

    user_id: int = Field(primary_key=True, foreign_key="user_account.id")
    district: str = Field(max_length=20)  # a district code of the city, e.g. "xihu"
    household_number: str = Field(index=True, max_length=32)


class CompanyRecord(SQLModel, table=True):
    """A firm's entry in the market-regulation register."""

    __tablename__ = "company_record"

    user_id: int = Field(primary_key=True, foreign_key="user_account.id")
    founded_on: date
    headcount: int
    size: str = Field(max_length=8)  # micro, small, medium, large (工信部联企业〔2011〕300号)
    industry_code: str = Field(max_length=8)  # GB/T 4754-2017: a section letter and up to four digits
    district: str = Field(max_length=20)


class Contribution(SQLModel, table=True):
    """One month's social-insurance or tax payment by a person or an employer."""

    # Every column the benefit sweep's monthly look-ups read, so that they read the index alone.
    __table_args__ = (
        Index("ix_contribution_subject_month_paid", "subject_id", "month", "kind", "paid_as", "amount_fen"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="user_account.id")
    month: date  # the first day of the month paid for
    kind: str = Field(max_length=16)  # pension, unemployment, medical, income_tax, corporate_tax
    paid_as: str = Field(max_length=12)  # employee, employer, flexible (self-employed, 灵活就业)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))


class Employment(SQLModel, table=True):
    """One employment spell as the employment register (就业登记) holds it."""

    # Every column the benefit sweep counts an employer's spells by, so that it reads the index alone.
    __table_args__ = (
        Index("ix_employment_employer_spell", "employer_id", "started_on", "ended_on", "end_reason", "first_job"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="user_account.id")
    employee_id: int = Field(foreign_key="user_account.id", index=True)
    started_on: date
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=12)  # quit, contract_end, layoff
    first_job: bool = False  # the employee's first registered employment


class CompanyFiling(SQLModel, table=True):
    """A figure a firm declared for a year: revenue, R&D expense, export revenue, credit-insurance premium."""

    __tablename__ = "company_filing"
    __table_args__ = (UniqueConstraint("company_id", "year", "kind", name="uq_company_filing_year_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="user_account.id", index=True)
    year: int
    kind: str = Field(max_length=24)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))


class BlacklistEntry(SQLModel, table=True):
    """A listing on the credit blacklist (失信名单); lifted entries stay as history."""

    __tablename__ = "blacklist_entry"

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="user_account.id", index=True)
    listed_on: date
    lifted_on: date | None = None
    authority: str = Field(max_length=20)


class BenefitGrant(SQLModel, table=True):
    """A benefit a subject has received under a policy: a policy pays each subject once."""

    __tablename__ = "benefit_grant"
    __table_args__ = (UniqueConstraint("policy", "subject_id", name="uq_benefit_grant_policy_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    policy: str = Field(max_length=48)
    subject_id: int = Field(foreign_key="user_account.id", index=True)
    granted_on: date
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
