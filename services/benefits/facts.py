"""One subject's facts, read in Python from the records that hold them, each with its evidence.

This is the per-person half of the engine: it reads the rows of one citizen or firm and works out
every fact a rule may name (services.catalog.policy_model.FACT_FIELDS) without SQL arithmetic, so
that the set-based half (services/benefits/query.py) has an independent answer to agree with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from services.catalog.policy_model import DEGREE_RANKS, FILING_KINDS, TALENT_RANKS
from services.models import (
    BenefitGrant,
    BlacklistEntry,
    Certificate,
    CompanyFiling,
    CompanyRecord,
    Contribution,
    Employment,
    ResidentRecord,
    Role,
    User,
)

INSURANCE_KINDS = ("pension", "unemployment", "medical")
TAX_KINDS = ("income_tax", "corporate_tax")


@dataclass(frozen=True)
class Evidence:
    """Where a fact comes from: a table, the row's id and what it says."""

    table: str
    row: Any
    says: str


@dataclass(frozen=True)
class Fact:
    name: str
    value: Any  # int (numbers; money in fen), str (texts; days as ISO text), bool, or None when unrecorded
    evidence: tuple[Evidence, ...] = ()


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s (0: `day`'s own month)."""
    year, month = divmod(day.year * 12 + day.month - 1 - back, 12)
    return date(year, month + 1, 1)


def months_window(today: date) -> tuple[date, date]:
    """The twelve whole months before `today`'s month: [first day, first day of today's month)."""
    end = today.replace(day=1)
    return end.replace(year=end.year - 1), end


def still_valid(certificate: Certificate, today: date) -> bool:
    until = certificate.data.get("valid_until")
    return not isinstance(until, str) or until >= today.isoformat()


def data_text(certificate: Certificate, key: str) -> str | None:
    value = certificate.data.get(key)
    return value if isinstance(value, str) else None


@dataclass
class Subject:
    """The rows the government holds on one citizen or firm, as of one day."""

    user: User
    today: date
    resident: ResidentRecord | None = None
    household: list[ResidentRecord] = field(default_factory=list)
    company: CompanyRecord | None = None
    certificates: list[Certificate] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)  # within the twelve months only
    spells: list[Employment] = field(default_factory=list)  # as employee (citizens) or employer (firms)
    filings: list[CompanyFiling] = field(default_factory=list)  # of last year
    grants: list[BenefitGrant] = field(default_factory=list)
    listings: list[BlacklistEntry] = field(default_factory=list)  # in force today

    @property
    def audience(self) -> str:
        return "companies" if self.user.role == Role.COMPANY else "citizens"

    def valid_certificates(self, cert_type: str) -> list[Certificate]:
        return [c for c in self.certificates if c.cert_type == cert_type and still_valid(c, self.today)]

    def fact(self, name: str) -> Fact:
        return _READERS[name](self)


def read_subject(*, session: Session, subject_id: int, today: date) -> Subject:
    user = session.get(User, subject_id)
    if user is None:
        raise LookupError(subject_id)
    start, end = months_window(today)
    subject = Subject(user=user, today=today)
    subject.certificates = list(session.exec(select(Certificate).where(Certificate.owner_id == subject_id)))
    subject.contributions = list(
        session.exec(
            select(Contribution).where(
                Contribution.subject_id == subject_id, Contribution.month >= start, Contribution.month < end
            )
        )
    )
    subject.grants = list(session.exec(select(BenefitGrant).where(BenefitGrant.subject_id == subject_id)))
    subject.listings = [
        entry
        for entry in session.exec(select(BlacklistEntry).where(BlacklistEntry.subject_id == subject_id))
        if entry.listed_on <= today and (entry.lifted_on is None or entry.lifted_on > today)
    ]
    if user.role == Role.COMPANY:
        subject.company = session.get(CompanyRecord, subject_id)
        subject.spells = list(session.exec(select(Employment).where(Employment.employer_id == subject_id)))
        subject.filings = list(
            session.exec(
                select(CompanyFiling).where(
                    CompanyFiling.company_id == subject_id, CompanyFiling.year == today.year - 1
                )
            )
        )
    else:
        subject.resident = session.get(ResidentRecord, subject_id)
        if subject.resident is not None:
            subject.household = list(
                session.exec(
                    select(ResidentRecord).where(ResidentRecord.household_number == subject.resident.household_number)
                )
            )
        subject.spells = list(session.exec(select(Employment).where(Employment.employee_id == subject_id)))
    return subject


# --- citizens -------------------------------------------------------------------------------


def _age(s: Subject) -> Fact:
    number = s.user.id_number
    if not number:
        return Fact("age", 0)
    # Whole years as YYYYMMDD differences count them: the same arithmetic the query does.
    born = int(number[6:14])
    age = (int(s.today.strftime("%Y%m%d")) - born) // 10000
    return Fact("age", age, (Evidence("user_account", s.user.id, f"ID number {number}: born {number[6:14]}"),))


def _residence_district(s: Subject) -> Fact:
    if s.resident is None:
        return Fact("residence_district", None)
    return Fact(
        "residence_district",
        s.resident.district,
        (Evidence("resident_record", s.user.id, f"district {s.resident.district}"),),
    )


def _hangzhou_hukou(s: Subject) -> Fact:
    booklets = s.valid_certificates("hukou_booklet")
    return Fact("hangzhou_hukou", bool(booklets), _certificates(booklets, "hukou booklet"))


def _household_size(s: Subject) -> Fact:
    if s.resident is None:
        return Fact("household_size", 0)
    return Fact(
        "household_size",
        len(s.household),
        tuple(
            Evidence("resident_record", member.user_id, f"household {member.household_number}")
            for member in s.household
        ),
    )


def _ranked(s: Subject, name: str, cert_type: str, key: str, ranks: dict[str, int]) -> Fact:
    held = s.valid_certificates(cert_type)
    best = max((ranks.get(data_text(c, key) or "", 0) for c in held), default=0)
    return Fact(name, best, _certificates(held, f"{key} {{{key}}}"))


def _graduation_date(s: Subject) -> Fact:
    held = s.valid_certificates("degree_certificate")
    days = [day for c in held if (day := data_text(c, "graduation_date")) is not None]
    return Fact("graduation_date", max(days, default=None), _certificates(held, "graduated {graduation_date}"))


def _months(s: Subject, name: str, keep: Callable[[Contribution], bool]) -> Fact:
    rows = [c for c in s.contributions if keep(c)]
    return Fact(name, len({c.month for c in rows}), _contributions(rows))


def _paid(s: Subject, name: str, keep: Callable[[Contribution], bool]) -> Fact:
    rows = [c for c in s.contributions if keep(c)]
    return Fact(name, sum(c.amount_fen for c in rows), _contributions(rows))


def _employed(s: Subject) -> Fact:
    open_spells = [e for e in s.spells if e.started_on <= s.today and (e.ended_on is None or e.ended_on > s.today)]
    return Fact(
        "employed",
        bool(open_spells),
        tuple(Evidence("employment", e.id, f"employed since {e.started_on}") for e in open_spells),
    )


# --- companies ------------------------------------------------------------------------------


def _register(name: str, attribute: str, default: Any = None) -> Callable[[Subject], Fact]:
    def read(s: Subject) -> Fact:
        if s.company is None:
            return Fact(name, default)
        value = getattr(s.company, attribute)
        shown = value.isoformat() if isinstance(value, date) else value
        return Fact(name, shown, (Evidence("company_record", s.user.id, f"{attribute} {shown}"),))

    return read


def _spells(s: Subject, name: str, keep: Callable[[Employment], bool], says: str) -> Fact:
    rows = [e for e in s.spells if keep(e)]
    return Fact(name, len(rows), tuple(Evidence("employment", e.id, says.format(e=e)) for e in rows))


def _in_window(day: date | None, s: Subject) -> bool:
    start, end = months_window(s.today)
    return day is not None and start <= day < end


def _filing(name: str, kind: str) -> Callable[[Subject], Fact]:
    def read(s: Subject) -> Fact:
        rows = [f for f in s.filings if f.kind == kind]
        return Fact(
            name,
            sum(f.amount_fen for f in rows),
            tuple(Evidence("company_filing", f.id, f"{f.kind} {f.year}: {f.amount_fen} fen") for f in rows),
        )

    return read


def _certificates(held: list[Certificate], says: str) -> tuple[Evidence, ...]:
    """One piece of evidence per certificate; `says` shows its data keys ({degree}), "?" for a missing one."""
    return tuple(
        Evidence("certificate", c.number, f"{c.cert_type}: " + says.format_map(_Missing(c.data))) for c in held
    )


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _contributions(rows: list[Contribution]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence("contribution", c.id, f"{c.month:%Y-%m} {c.kind} as {c.paid_as}: {c.amount_fen} fen") for c in rows
    )


_READERS: dict[str, Callable[[Subject], Fact]] = {
    "age": _age,
    "residence_district": _residence_district,
    "hangzhou_hukou": _hangzhou_hukou,
    "household_size": _household_size,
    "degree_rank": lambda s: _ranked(s, "degree_rank", "degree_certificate", "degree", DEGREE_RANKS),
    "graduation_date": _graduation_date,
    "talent_rank": lambda s: _ranked(s, "talent_rank", "talent_certificate", "talent_category", TALENT_RANKS),
    "pension_months_12": lambda s: _months(s, "pension_months_12", lambda c: c.kind == "pension"),
    "flexible_months_12": lambda s: _months(s, "flexible_months_12", lambda c: c.paid_as == "flexible"),
    "flexible_paid_12": lambda s: _paid(s, "flexible_paid_12", lambda c: c.paid_as == "flexible"),
    "employed": _employed,
    "founded_on": _register("founded_on", "founded_on"),
    "headcount": _register("headcount", "headcount", 0),
    "size": _register("size", "size"),
    "industry_code": _register("industry_code", "industry_code"),
    "company_district": _register("company_district", "district"),
    "unemployment_paid_12": lambda s: _paid(s, "unemployment_paid_12", lambda c: c.kind == "unemployment"),
    "insured_months_12": lambda s: _months(s, "insured_months_12", lambda c: c.kind in INSURANCE_KINDS),
    "layoffs_12": lambda s: _spells(
        s, "layoffs_12", lambda e: e.end_reason == "layoff" and _in_window(e.ended_on, s), "laid off {e.ended_on}"
    ),
    "first_job_hires_12": lambda s: _spells(
        s, "first_job_hires_12", lambda e: e.first_job and _in_window(e.started_on, s), "first job from {e.started_on}"
    ),
    "tax_paid_12": lambda s: _paid(s, "tax_paid_12", lambda c: c.kind in TAX_KINDS),
    **{name: _filing(name, kind) for name, kind in FILING_KINDS.items()},
}
READ_FACTS = frozenset(_READERS)
