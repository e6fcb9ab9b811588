"""Benefit policies as immutable values (免申即享): who qualifies, how much, from which department.

A policy's eligibility is a tree of rules over named facts the government holds (FACT_FIELDS)
and over the certificates in a subject's wallet; its amount is fixed, per head, tiered on a fact,
or a formula over facts. services.benefits evaluates them, one subject in Python or everyone in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, get_args

from .text import Text

Audience = Literal["citizens", "companies"]
# Who answers an offer: its subject, or (a citizen's policy paid through the job) the employer of record.
AcceptedBy = Literal["subject", "employer"]
AUDIENCES: tuple[Audience, ...] = get_args(Audience)
# number: a whole count or age; money: yuan to the fen; flag: true or false, never missing.
FactKind = Literal["number", "money", "date", "text", "flag"]


@dataclass(frozen=True)
class FactField:
    name: str
    audience: Audience
    kind: FactKind


def _fields(audience: Audience, **kinds: FactKind) -> dict[str, FactField]:
    return {name: FactField(name, audience, kind) for name, kind in kinds.items()}


# The facts a rule may name; services.benefits reads each from its record. Numbers and money
# are 0 when nothing is recorded; a text or date with no record satisfies no comparison.
# "_12" counts the twelve whole months before the day of evaluation.
FACT_FIELDS: dict[str, FactField] = {
    **_fields(
        "citizens",
        age="number",  # whole years, from the ID number's birth date
        residence_district="text",  # resident_record
        hangzhou_hukou="flag",  # holds a hukou_booklet
        household_size="number",  # people on the register with the same household number
        degree_rank="number",  # highest degree_certificate: 1 bachelor, 2 master, 3 doctor
        graduation_date="date",  # latest graduation_date on a degree_certificate
        talent_rank="number",  # highest valid talent_certificate: 1 class E … 5 class A
        pension_months_12="number",  # months with a pension contribution
        flexible_months_12="number",  # months paying social insurance as a flexible worker
        flexible_paid_12="money",  # what they paid as a flexible worker
        employed="flag",  # an open employment spell
    ),
    **_fields(
        "companies",
        founded_on="date",  # company_record
        headcount="number",
        size="text",  # micro, small, medium, large
        industry_code="text",  # GB/T 4754-2017
        company_district="text",
        unemployment_paid_12="money",  # the employer's unemployment-insurance contributions
        insured_months_12="number",  # months with any social-insurance contribution
        layoffs_12="number",  # spells ended by a lay-off
        first_job_hires_12="number",  # hires whose job was the employee's first
        tax_paid_12="money",
        revenue_last_year="money",  # company_filing of the year before
        rd_expense_last_year="money",
        export_revenue_last_year="money",
        credit_insurance_premium_last_year="money",
    ),
}
DEGREE_RANKS = {"bachelor": 1, "master": 2, "doctor": 3}
TALENT_RANKS = {"class_e": 1, "class_d": 2, "class_c": 3, "class_b": 4, "class_a": 5}
FILING_KINDS = {
    "revenue_last_year": "revenue",
    "rd_expense_last_year": "rd_expense",
    "export_revenue_last_year": "export_revenue",
    "credit_insurance_premium_last_year": "credit_insurance_premium",
}

Op = Literal["=", "!=", "<", "<=", ">", ">=", "in", "not_in", "prefix"]
OPS: tuple[Op, ...] = get_args(Op)
ORDERED_OPS = frozenset({"<", "<=", ">", ">="})
SET_OPS = frozenset({"in", "not_in", "prefix"})


@dataclass(frozen=True)
class YearsAgo:
    """A day relative to the day of evaluation: `years` whole years and `months` months before it."""

    years: int = 0
    months: int = 0

    def on(self, today: date) -> date:
        months = today.year * 12 + today.month - 1 - self.years * 12 - self.months
        year, month = divmod(months, 12)
        day = today.day
        while True:  # the 29th-31st of a shorter month is its last day
            try:
                return date(year, month + 1, day)
            except ValueError:
                day -= 1


# What a comparison compares with: a number (yuan for money), a text, a flag, a day, or a list of texts.
Value = Decimal | str | bool | date | YearsAgo | tuple[str, ...]


@dataclass(frozen=True)
class Compare:
    field: str
    op: Op
    value: Value


@dataclass(frozen=True)
class DataCompare:
    """A comparison on one data key of a certificate (its data are texts; days are ISO texts)."""

    key: str
    op: Op
    value: str | date | YearsAgo | tuple[str, ...]


@dataclass(frozen=True)
class Certificates:
    """The subject's certificates of one type, still valid, whose data satisfy every comparison."""

    cert_type: str
    where: tuple[DataCompare, ...] = ()


@dataclass(frozen=True)
class AllOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    rule: Rule


Rule = Compare | Certificates | AllOf | AnyOf | Not


# --- amounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Var:
    field: str


@dataclass(frozen=True)
class BinOp:
    op: Literal["+", "-", "*", "/"]
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Call:
    function: Literal["min", "max"]
    args: tuple[Expr, ...]


Expr = Num | Var | BinOp | Call


@dataclass(frozen=True)
class FixedAmount:
    yuan: Decimal


@dataclass(frozen=True)
class PerHead:
    yuan: Decimal
    count: str | Certificates  # a number fact, or the certificates to count


@dataclass(frozen=True)
class Tier:
    lower: Decimal | None  # inclusive; None: no lower bound
    upper: Decimal | None  # exclusive; None: no upper bound
    yuan: Decimal


@dataclass(frozen=True)
class Tiered:
    field: str
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class Formula:
    source: str
    expr: Expr


Amount = FixedAmount | PerHead | Tiered | Formula


@dataclass(frozen=True)
class Policy:
    code: str
    name: Text
    department: str
    audience: Audience
    starts_on: date
    ends_on: date
    amount: Amount
    budget_yuan: Decimal
    eligible: Rule
    # Policies whose receipt excludes a subject besides this one (a policy pays each subject once).
    excluded_if_received: tuple[str, ...] = ()
    excludes_blacklisted: bool = True
    review_above_yuan: Decimal | None = None  # an offer above it waits for a clerk's check before payment
    accepted_by: AcceptedBy = "subject"
    # The catalogue item of the application that reviews a disputed amount; None: the amount cannot be disputed.
    amount_review_item: str | None = None

    def in_force(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on
