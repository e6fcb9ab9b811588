"""Each fact a rule may name as a column of the subject's row, for the eligibility query.

A register is outer-joined; a small aggregate (certificates of a type, lay-offs, filings) is a grouped
subquery outer-joined by subject; months and sums paid are looked up on the (subject, month) index;
a flag is a semi-join. Restricted to some subjects (AMONG), every subquery reads only their rows,
by the subject indexes, so that re-judging a few subjects reads no whole table.
Numbers and money are never NULL; a text or day is NULL when unrecorded.
Arithmetic is on integers only (fen, fixed point), and division is SQL's integer division, which
truncates toward zero on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Select

from services.catalog.policy_model import DEGREE_RANKS, FILING_KINDS, TALENT_RANKS
from services.models import (
    BlacklistEntry,
    Certificate,
    CompanyFiling,
    CompanyRecord,
    Contribution,
    Employment,
    ResidentRecord,
    User,
)

from .facts import INSURANCE_KINDS, TAX_KINDS, months_window

# The subjects an incremental sweep judges, in a temporary table it fills (query.py's sweep_policies): every
# subquery reads only their rows through it, with no list of ids in the statement to build or expand, and
# the statements stay the same whichever subjects are judged. Its own metadata: no model, no migration.
AMONG = Table(
    "benefit_sweep_among",
    MetaData(),
    Column("subject_id", Integer, primary_key=True, autoincrement=False),
    prefixes=["TEMPORARY"],
    # PostgreSQL empties it at each commit, cheaply, so that the rows each sweep deletes are not left dead there.
    postgresql_on_commit="DELETE ROWS",
)
# SQLModel sets __table__; its stubs do not say so.
_USER = User.__table__  # type: ignore[attr-defined]
_CERT = Certificate.__table__  # type: ignore[attr-defined]
_CONTRIBUTION = Contribution.__table__  # type: ignore[attr-defined]
_EMPLOYMENT = Employment.__table__  # type: ignore[attr-defined]
_RESIDENT = ResidentRecord.__table__  # type: ignore[attr-defined]
_COMPANY = CompanyRecord.__table__  # type: ignore[attr-defined]
_FILING = CompanyFiling.__table__  # type: ignore[attr-defined]
_LISTED = BlacklistEntry.__table__  # type: ignore[attr-defined]


def integer(value: int) -> ColumnElement[int]:
    """An integer written into the statement as a BIGINT: the arithmetic stays integral whatever the driver
    binds, and PostgreSQL does not overflow a 32-bit product."""
    return cast(literal_column(str(int(value))), BigInteger)


def divide(numerator: ColumnElement[Any], denominator: ColumnElement[Any]) -> ColumnElement[int]:
    # A custom operator binds above everything, so its operands are parenthesised: (a + b) / 10.
    return numerator.op("/", precedence=100, return_type=BigInteger)(denominator)


class FactColumns:
    """The FROM clause of one query and the facts' columns on it, each source joined once."""

    def __init__(
        self, today: date, restricted: bool = False, postgres: bool = False, named: frozenset[str] = frozenset()
    ):
        self.today = today
        self.restricted = restricted
        self.postgres = postgres
        self.named = named  # every fact the policies compiled name (PostgreSQL reads their contributions at once)
        self.window = months_window(today)
        self.subject = _USER.alias("subject")
        self.joined: FromClause = self.subject
        self.sources: dict[str, FromClause] = {}
        self.semi_joins: dict[str, ColumnElement[bool]] = {}
        self.lookups = 0  # correlated lookups compiled so far (see AllOf)
        self.judged_certificates: FromClause | None = None

    # --- the FROM clause: each source joined once, when a fact first needs it ---

    def source(self, name: str, build: Callable[[], tuple[FromClause, Callable[[FromClause], Any]]]) -> FromClause:
        if name not in self.sources:
            table, on = build()
            self.joined = self.joined.outerjoin(table, on(table))
            self.sources[name] = table
        return self.sources[name]

    def resident(self) -> FromClause:
        table = _RESIDENT.alias("resident")
        return self.source("resident", lambda: (table, lambda t: t.c.user_id == self.subject.c.id))

    def company(self) -> FromClause:
        table = _COMPANY.alias("company")
        return self.source("company", lambda: (table, lambda t: t.c.user_id == self.subject.c.id))

    def only(self, column: ColumnElement[Any]) -> list[ColumnElement[bool]]:
        """The condition keeping a subquery's rows to the subjects judged: none in a full sweep."""
        return [column.in_(select(AMONG.c.subject_id))] if self.restricted else []

    def grouped(self, name: str, query: Select[Any]) -> FromClause:
        """A subquery of one row per subject (its first column), outer-joined on the subject."""
        derived = query.subquery(name)
        return self.source(name, lambda: (derived, lambda t: t.c.subject == self.subject.c.id))

    def valid(self, cert: FromClause) -> ColumnElement[bool]:
        until = cert.c.data["valid_until"].as_string()
        return or_(until.is_(None), until >= self.today.isoformat())

    def in_window(self, column: ColumnElement[Any]) -> ColumnElement[bool]:
        start, end = self.window
        return and_(column >= literal(start, Date), column < literal(end, Date))

    # --- facts ---

    def fact(self, name: str) -> ColumnElement[Any]:
        """The fact's column: numbers and money never NULL, a flag true or false, a text or day NULL if unrecorded."""
        return _FACTS[name](self)

    def certificates(self) -> FromClause:
        """The certificates a grouping reads: the table; judging a few subjects, theirs, read once by the owner
        index into a CTE that every grouping reads, not once a grouping (five of them for the citizens)."""
        if not self.restricted:
            return _CERT.alias()
        if self.judged_certificates is None:
            cert = _CERT.alias()
            self.judged_certificates = (
                select(cert.c.owner_id, cert.c.cert_type, cert.c.data)
                .where(*self.only(cert.c.owner_id))
                .cte("judged_certificates")
                .prefix_with("MATERIALIZED")
            )
        return self.judged_certificates

    def ranked(self, name: str, cert_type: str, key: str, ranks: dict[str, int]) -> ColumnElement[int]:
        cert = self.certificates()
        table = self.grouped(
            name,
            select(cert.c.owner_id.label("subject"), func.max(_rank(cert, key, ranks)).label("value"))
            .where(cert.c.cert_type == cert_type, self.valid(cert))
            # Grouped by the type too, so that the databases read the type's certificates in owner order on the
            # (type, owner) index, not the whole table by owner.
            .group_by(cert.c.cert_type, cert.c.owner_id),
        )
        return func.coalesce(table.c.value, 0)

    def degrees(self) -> FromClause:
        """The degree certificates grouped once for both facts they hold, the best degree and the latest
        graduation: a policy naming both reads the certificates once (twice, it read them twice, bench/BENEFITS.md)."""
        cert = self.certificates()
        return self.grouped(
            "degree",
            select(
                cert.c.owner_id.label("subject"),
                func.max(_rank(cert, "degree", DEGREE_RANKS)).label("rank"),
                func.max(cert.c.data["graduation_date"].as_string()).label("graduated"),
            )
            .where(cert.c.cert_type == "degree_certificate", self.valid(cert))
            .group_by(cert.c.cert_type, cert.c.owner_id),
        )

    def contribution(self, name: str) -> ColumnElement[int]:
        """Months paid or the sum paid in the window, never NULL.

        A lookup on the (subject, month) index, made only for the rows the cheaper rules let through (a
        grouping of the whole table would read every subject's contributions for a policy that wants a few).
        On PostgreSQL, where the policies name two such facts or more, a column of one lateral subquery that
        reads the subject's contributions once for all of them: a firm's SME refund looked up its months for
        the rule and again its unemployment insurance for the amount, 5-7 µs a lookup (bench/BENEFITS.md).
        For one fact the lookup stays: it was a little faster; and so it does judging a few subjects, where each
        lookup is guarded by the rules before it and the lateral read every subject's contributions (41.5-43.5 ms
        against 44.7-47.6 for an incremental sweep's statements). SQLite has no lateral join."""
        if self.postgres and not self.restricted and len(self.named & CONTRIBUTION_FACTS.keys()) > 1:
            return func.coalesce(self.paid().c[name], 0)
        self.lookups += 1
        measure, keep = CONTRIBUTION_FACTS[name]
        c = _CONTRIBUTION.alias()
        looked_up = select(_measure(c, measure)).where(
            c.c.subject_id == self.subject.c.id, self.in_window(c.c.month), keep(c)
        )
        return func.coalesce(looked_up.scalar_subquery(), 0)

    def paid(self) -> FromClause:
        """The lateral subquery of the contribution facts named: one row per subject, a column per fact."""

        def build() -> tuple[FromClause, Callable[[FromClause], Any]]:
            c = _CONTRIBUTION.alias()
            named = sorted(self.named & CONTRIBUTION_FACTS.keys())
            # A FILTER per fact in place of its lookup's WHERE, and in the WHERE the rows any of them keeps.
            facts = [_measure(c, *CONTRIBUTION_FACTS[name]).label(name) for name in named]
            kept = or_(*(CONTRIBUTION_FACTS[name][1](c) for name in named))
            derived = select(*facts).where(c.c.subject_id == self.subject.c.id, self.in_window(c.c.month), kept)
            return derived.lateral("paid"), lambda t: true()

        return self.source("paid", build)

    def spells(self, name: str, keep: Callable[[FromClause], ColumnElement[bool]]) -> ColumnElement[int]:
        e = _EMPLOYMENT.alias()
        table = self.grouped(
            name,
            select(e.c.employer_id.label("subject"), func.count().label("value"))
            .where(keep(e), *self.only(e.c.employer_id))
            .group_by(e.c.employer_id),
        )
        return func.coalesce(table.c.value, 0)

    def filing(self, kind: str) -> ColumnElement[int]:
        """Last year's filings of the kind, summed: a lookup on the (company, year, kind) index for the firms the
        other rules let through. As a grouping joined to them, PostgreSQL, guessing a handful of firms where
        thousands both export and insure (it takes two filings as independent), re-read the grouping for each
        firm in a nested loop: 10 s of CPU for 0.1 (bench/BENEFITS.md)."""
        self.lookups += 1
        f = _FILING.alias()
        looked_up = select(cast(func.sum(f.c.amount_fen), BigInteger)).where(
            f.c.company_id == self.subject.c.id, f.c.year == self.today.year - 1, f.c.kind == kind
        )
        return func.coalesce(looked_up.scalar_subquery(), 0)

    def listed(self) -> ColumnElement[Any]:
        """The count of the subject's listings in force, NULL if none: one join for all the policies judged
        together, where each policy's NOT EXISTS read the listings again."""
        listed = _LISTED.alias()
        table = self.grouped(
            "listed",
            select(listed.c.subject_id.label("subject"), func.count().label("value"))
            .where(
                listed.c.listed_on <= self.today,
                or_(listed.c.lifted_on.is_(None), listed.c.lifted_on > self.today),
                *self.only(listed.c.subject_id),
            )
            .group_by(listed.c.subject_id),
        )
        return table.c.value

    def age(self) -> ColumnElement[int]:
        # Whole years as the difference of YYYYMMDD numbers: 20261207 - 19460315 = 800892 -> 80.
        born = cast(func.substr(self.subject.c.id_number, 7, 8), Integer)
        return func.coalesce(divide(integer(int(self.today.strftime("%Y%m%d"))) - born, integer(10000)), 0)

    def household_size(self) -> ColumnElement[int]:
        resident = self.resident()
        r, judged = _RESIDENT.alias(), _RESIDENT.alias()
        households = select(judged.c.household_number).where(*self.only(judged.c.user_id))
        counted = (
            select(r.c.household_number.label("household"), func.count().label("value"))
            .where(*([r.c.household_number.in_(households)] if self.restricted else []))
            .group_by(r.c.household_number)
        )
        derived = counted.subquery("household")
        table = self.source("household", lambda: (derived, lambda t: t.c.household == resident.c.household_number))
        return func.coalesce(table.c.value, 0)

    def member(self, subject: ColumnElement[Any], *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        """Whether the subject is one of the `subject` values of the rows meeting the conditions.

        EXISTS (correlated) on PostgreSQL and for a few subjects: PostgreSQL plans NOT EXISTS as an anti-join
        placed after the joins that keep few subjects, where NOT IN it probed for every row its scans read (a
        million citizens); judging a few subjects it is an index probe each. SQLite's full sweep keeps IN: it
        builds the set once and probes it, a third faster for 270,000 old people than a probe of the table's
        index each (bench/BENEFITS.md)."""
        if self.restricted or self.postgres:
            return select(subject).where(subject == self.subject.c.id, *conditions).exists()
        return self.subject.c.id.in_(select(subject).where(*conditions))

    def holds(self, cert_type: str) -> ColumnElement[bool]:
        cert = _CERT.alias()
        return self.member(cert.c.owner_id, cert.c.cert_type == cert_type, self.valid(cert))

    def semi_join(self, name: str, build: Callable[[], ColumnElement[bool]]) -> ColumnElement[bool]:
        """The same condition object for the same set, so that two rules implying it add it once (query.py)."""
        if name not in self.semi_joins:
            self.semi_joins[name] = build()
        return self.semi_joins[name]

    def holder(self, cert_type: str, grouping: str, build: Callable[[], Any]) -> ColumnElement[bool]:
        """Holds a certificate of the type, said so that the database can start from the holders. PostgreSQL: the
        subject has a row in the certificates' grouping (`build` joins it if no fact has yet), which in the
        WHERE clause makes its outer join an inner one, the grouping the way in (it cannot tell that
        coalesce(rank, 0) >= 1 needs a row; a semi-join on the holders grouped and hashed their ids again, 80 ms
        a policy). SQLite: the semi-join on the (type, owner) index, which it starts from where it would scan a
        grouping's rows (the full sweep took 45% longer)."""
        if not self.postgres:
            return self.holds_any(cert_type)
        build()
        return self.semi_join(f"recorded {grouping}", lambda: self.sources[grouping].c.subject.is_not(None))

    def holds_any(self, cert_type: str) -> ColumnElement[bool]:
        """Holds a certificate of the type, valid or not: read on the (type, owner) index alone."""
        cert = _CERT.alias()
        return self.semi_join(
            f"holds {cert_type}",
            lambda: self.subject.c.id.in_(select(cert.c.owner_id).where(cert.c.cert_type == cert_type)),
        )

    def has_spells(self, name: str, keep: Callable[[FromClause], ColumnElement[bool]]) -> ColumnElement[bool]:
        e = _EMPLOYMENT.alias()
        return self.semi_join(name, lambda: self.subject.c.id.in_(select(e.c.employer_id).where(keep(e))))

    def has_filing(self, kind: str) -> ColumnElement[bool]:
        f = _FILING.alias()
        return self.semi_join(
            f"filed {kind}",
            lambda: self.subject.c.id.in_(
                select(f.c.company_id).where(f.c.year == self.today.year - 1, f.c.kind == kind)
            ),
        )

    def employed(self) -> ColumnElement[bool]:
        e = _EMPLOYMENT.alias()
        today = literal(self.today, Date)
        return self.member(e.c.employee_id, e.c.started_on <= today, or_(e.c.ended_on.is_(None), e.c.ended_on > today))


def _rank(cert: FromClause, key: str, ranks: dict[str, int]) -> ColumnElement[int]:
    return case(*((cert.c.data[key].as_string() == value, n) for value, n in ranks.items()), else_=0)


def _measure(
    c: FromClause, measure: str, keep: Callable[[FromClause], ColumnElement[bool]] | None = None
) -> ColumnElement[int]:
    """The months paid (distinct) or the sum paid of the contributions read; of those `keep` keeps, if given."""
    if measure == "months":
        months = func.count(c.c.month.distinct())
        return months.filter(keep(c)) if keep else months
    paid = func.sum(c.c.amount_fen)
    return cast(paid.filter(keep(c)) if keep else paid, BigInteger)


def _kinds(*kinds: str) -> Callable[[FromClause], ColumnElement[bool]]:
    return lambda c: c.c.kind.in_(kinds)


def _flexible(c: FromClause) -> ColumnElement[bool]:
    return c.c.paid_as == "flexible"


def _filing(kind: str) -> Callable[[FactColumns], ColumnElement[Any]]:
    return lambda q: q.filing(kind)


def _contribution(name: str) -> Callable[[FactColumns], ColumnElement[Any]]:
    return lambda q: q.contribution(name)


def _has_filing(kind: str) -> Callable[[FactColumns], ColumnElement[bool]]:
    return lambda q: q.has_filing(kind)


def _laid_off(q: FactColumns) -> Callable[[FromClause], ColumnElement[bool]]:
    return lambda e: and_(e.c.end_reason == "layoff", q.in_window(e.c.ended_on))


def _first_job_hired(q: FactColumns) -> Callable[[FromClause], ColumnElement[bool]]:
    return lambda e: and_(e.c.first_job.is_(True), q.in_window(e.c.started_on))


# Months paid (distinct) or the sum paid in the window, of the contributions kept.
CONTRIBUTION_FACTS: dict[str, tuple[str, Callable[[FromClause], ColumnElement[bool]]]] = {
    "pension_months_12": ("months", _kinds("pension")),
    "flexible_months_12": ("months", _flexible),
    "flexible_paid_12": ("paid", _flexible),
    "unemployment_paid_12": ("paid", _kinds("unemployment")),
    "insured_months_12": ("months", _kinds(*INSURANCE_KINDS)),
    "tax_paid_12": ("paid", _kinds(*TAX_KINDS)),
}

_FACTS: dict[str, Callable[[FactColumns], ColumnElement[Any]]] = {
    "age": lambda q: q.age(),
    "residence_district": lambda q: q.resident().c.district,
    "hangzhou_hukou": lambda q: q.holds("hukou_booklet"),
    "household_size": lambda q: q.household_size(),
    "degree_rank": lambda q: func.coalesce(q.degrees().c.rank, 0),
    "graduation_date": lambda q: q.degrees().c.graduated,
    "talent_rank": lambda q: q.ranked("talent", "talent_certificate", "talent_category", TALENT_RANKS),
    "employed": lambda q: q.employed(),
    "founded_on": lambda q: q.company().c.founded_on,
    "headcount": lambda q: func.coalesce(q.company().c.headcount, 0),
    "size": lambda q: q.company().c.size,
    "industry_code": lambda q: q.company().c.industry_code,
    "company_district": lambda q: q.company().c.district,
    "layoffs_12": lambda q: q.spells("layoffs", _laid_off(q)),
    "first_job_hires_12": lambda q: q.spells("first_job_hires", _first_job_hired(q)),
    **{name: _filing(kind) for name, kind in FILING_KINDS.items()},
    **{name: _contribution(name) for name in CONTRIBUTION_FACTS},
}
QUERIED_FACTS = frozenset(_FACTS)

# The facts that only a subject with a row in a small set can have (a number is 0, a day none, without
# one), and that set as a semi-join: a rule that fails without the fact implies it (query.py's implied).
RECORDED_IN: dict[str, Callable[[FactColumns], ColumnElement[bool]]] = {
    "degree_rank": lambda q: q.holder("degree_certificate", "degree", q.degrees),
    "graduation_date": lambda q: q.holder("degree_certificate", "degree", q.degrees),
    "talent_rank": lambda q: q.holder("talent_certificate", "talent", lambda: q.fact("talent_rank")),
    "layoffs_12": lambda q: q.has_spells("laid off", _laid_off(q)),
    "first_job_hires_12": lambda q: q.has_spells("hired first jobs", _first_job_hired(q)),
    **{name: _has_filing(kind) for name, kind in FILING_KINDS.items()},
}
