"""Compile a policy to ONE set-based query: every eligible subject and the amount, in fen.

The set-based half of the engine (services/benefits/judge.py is the per-subject half; tests hold
them to the same answers). Each fact a policy names becomes a column of the subject's row: a
register is outer-joined, an aggregate (months paid, lay-offs, filings…) is a grouped subquery
outer-joined by subject, a flag is a semi-join. Rules become one WHERE clause in which a missing
text or day satisfies no comparison, as in Python. Arithmetic is on integers only (fen, fixed
point) and division is SQL's integer division, which truncates toward zero on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Select
from sqlmodel import Session

from services.catalog.policy_model import (
    DEGREE_RANKS,
    FACT_FIELDS,
    FILING_KINDS,
    TALENT_RANKS,
    AllOf,
    AnyOf,
    BinOp,
    Certificates,
    Compare,
    DataCompare,
    Expr,
    FixedAmount,
    Formula,
    Not,
    Num,
    PerHead,
    Policy,
    Rule,
    Tiered,
    Var,
    YearsAgo,
)
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

from .facts import INSURANCE_KINDS, TAX_KINDS, months_window
from .judge import DIVISION_PLACES, decimal_fixed

ROLES = {"citizens": Role.CITIZEN, "companies": Role.COMPANY}
# SQLModel sets __table__; its stubs do not say so.
_USER = User.__table__  # type: ignore[attr-defined]
_CERT = Certificate.__table__  # type: ignore[attr-defined]
_CONTRIBUTION = Contribution.__table__  # type: ignore[attr-defined]
_EMPLOYMENT = Employment.__table__  # type: ignore[attr-defined]
_GRANT = BenefitGrant.__table__  # type: ignore[attr-defined]
_LISTED = BlacklistEntry.__table__  # type: ignore[attr-defined]
_RESIDENT = ResidentRecord.__table__  # type: ignore[attr-defined]
_COMPANY = CompanyRecord.__table__  # type: ignore[attr-defined]
_FILING = CompanyFiling.__table__  # type: ignore[attr-defined]


def eligible_subjects(*, session: Session, policy: Policy, today: date) -> dict[int, int]:
    """Every subject eligible for `policy` on `today`, with the amount in fen."""
    rows = session.execute(eligible_query(policy, today))
    return {subject_id: amount for subject_id, amount in rows}


def eligible_query(policy: Policy, today: date) -> Select[Any]:
    compiler = _Compiler(today)
    subject = compiler.subject
    conditions: list[ColumnElement[bool]] = [
        subject.c.role == ROLES[policy.audience],
        subject.c.is_active.is_(True),
        true() if policy.in_force(today) else false(),
        compiler.rule(policy.eligible),
        subject.c.id.not_in(
            select(_GRANT.c.subject_id).where(_GRANT.c.policy.in_([policy.code, *policy.excluded_if_received]))
        ),
    ]
    if policy.excludes_blacklisted:
        listed = _LISTED
        conditions.append(
            subject.c.id.not_in(
                select(listed.c.subject_id).where(
                    listed.c.listed_on <= today, or_(listed.c.lifted_on.is_(None), listed.c.lifted_on > today)
                )
            )
        )
    # Materialised, so that each eligible subject's amount is worked once and only for them: merged into
    # the outer query, SQLite would test "amount > 0" first, working the amount's lookups for everyone.
    eligible = (
        select(subject.c.id.label("subject_id"), compiler.amount(policy).label("amount_fen"))
        .select_from(compiler.joined)
        .where(*conditions)
        .cte("eligible")
        .prefix_with("MATERIALIZED")
    )
    return (
        select(eligible.c.subject_id, eligible.c.amount_fen)
        .where(eligible.c.amount_fen > 0)
        .order_by(eligible.c.subject_id)
    )


def _int(value: int) -> ColumnElement[int]:
    """An integer written into the statement as a BIGINT: the arithmetic stays integral whatever the driver
    binds, and PostgreSQL does not overflow a 32-bit product."""
    return cast(literal_column(str(int(value))), BigInteger)


def _divide(numerator: ColumnElement[Any], denominator: ColumnElement[Any]) -> ColumnElement[int]:
    # A custom operator binds above everything, so its operands are parenthesised: (a + b) / 10.
    return numerator.op("/", precedence=100, return_type=BigInteger)(denominator)


class _Compiler:
    def __init__(self, today: date):
        self.today = today
        self.window = months_window(today)
        self.subject = _USER.alias("subject")
        self.joined: FromClause = self.subject
        self.sources: dict[str, FromClause] = {}
        self.lookups = 0  # correlated lookups compiled so far (see AllOf)

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

    def ranked(self, name: str, cert_type: str, key: str, ranks: dict[str, int]) -> ColumnElement[int]:
        cert = _CERT.alias()
        rank = case(*((cert.c.data[key].as_string() == v, n) for v, n in ranks.items()), else_=0)
        table = self.grouped(
            name,
            select(cert.c.owner_id.label("subject"), func.max(rank).label("value"))
            .where(cert.c.cert_type == cert_type, self.valid(cert))
            # Grouped by the type too, so that SQLite reads the type's certificates by its index, not all by owner.
            .group_by(cert.c.cert_type, cert.c.owner_id),
        )
        return func.coalesce(table.c.value, 0)

    def contributions(self, measure: str, keep: Callable[[FromClause], ColumnElement[bool]]) -> ColumnElement[int]:
        """Months paid or the sum paid in the window: a lookup of the subject's months on the (subject, month)
        index, made only for the rows the cheaper rules let through (a grouping of the whole table would
        read every subject's contributions for a policy that wants a few)."""
        self.lookups += 1
        c = _CONTRIBUTION.alias()
        value = func.count(c.c.month.distinct()) if measure == "months" else cast(func.sum(c.c.amount_fen), BigInteger)
        looked_up = select(value).where(c.c.subject_id == self.subject.c.id, self.in_window(c.c.month), keep(c))
        return func.coalesce(looked_up.scalar_subquery(), 0)

    def spells(self, name: str, keep: Callable[[FromClause], ColumnElement[bool]]) -> ColumnElement[int]:
        e = _EMPLOYMENT.alias()
        table = self.grouped(
            name,
            select(e.c.employer_id.label("subject"), func.count().label("value"))
            .where(keep(e))
            .group_by(e.c.employer_id),
        )
        return func.coalesce(table.c.value, 0)

    def filing(self, name: str, kind: str) -> ColumnElement[int]:
        f = _FILING.alias()
        table = self.grouped(
            name,
            select(f.c.company_id.label("subject"), cast(func.sum(f.c.amount_fen), BigInteger).label("value"))
            .where(f.c.year == self.today.year - 1, f.c.kind == kind)
            .group_by(f.c.company_id),
        )
        return func.coalesce(table.c.value, 0)

    def age(self) -> ColumnElement[int]:
        # Whole years as the difference of YYYYMMDD numbers: 20261207 - 19460315 = 800892 -> 80.
        born = cast(func.substr(self.subject.c.id_number, 7, 8), Integer)
        return func.coalesce(_divide(_int(int(self.today.strftime("%Y%m%d"))) - born, _int(10000)), 0)

    def household_size(self) -> ColumnElement[int]:
        resident = self.resident()
        r = _RESIDENT.alias()
        counted = select(r.c.household_number.label("household"), func.count().label("value")).group_by(
            r.c.household_number
        )
        derived = counted.subquery("household")
        table = self.source("household", lambda: (derived, lambda t: t.c.household == resident.c.household_number))
        return func.coalesce(table.c.value, 0)

    def graduation_date(self) -> ColumnElement[str]:
        cert = _CERT.alias()
        table = self.grouped(
            "graduation",
            select(
                cert.c.owner_id.label("subject"), func.max(cert.c.data["graduation_date"].as_string()).label("value")
            )
            .where(cert.c.cert_type == "degree_certificate", self.valid(cert))
            .group_by(cert.c.owner_id),
        )
        return table.c.value

    def holds(self, cert_type: str) -> ColumnElement[bool]:
        cert = _CERT.alias()
        return self.subject.c.id.in_(select(cert.c.owner_id).where(cert.c.cert_type == cert_type, self.valid(cert)))

    def employed(self) -> ColumnElement[bool]:
        e = _EMPLOYMENT.alias()
        today = literal(self.today, Date)
        return self.subject.c.id.in_(
            select(e.c.employee_id).where(e.c.started_on <= today, or_(e.c.ended_on.is_(None), e.c.ended_on > today))
        )

    # --- rules ---

    def rule(self, rule: Rule) -> ColumnElement[bool]:
        if isinstance(rule, AllOf):
            parts: list[ColumnElement[bool]] = []
            for part in rule.rules:
                lookups = self.lookups
                compiled = self.rule(part)
                if self.lookups > lookups and parts:
                    # SQLite runs a lookup that names only the subject as soon as it reads the subject, before
                    # the joins the earlier rules need; guarded by them it runs only where they hold. Every
                    # rule is true or false, never NULL, so the guard changes no answer.
                    compiled = case((and_(*parts), compiled), else_=false())
                parts.append(compiled)
            return and_(*parts)
        if isinstance(rule, AnyOf):
            return or_(*(self.rule(part) for part in rule.rules))
        if isinstance(rule, Not):
            return not_(self.rule(rule.rule))
        if isinstance(rule, Certificates):
            cert = _CERT.alias()
            return self.subject.c.id.in_(select(cert.c.owner_id).where(*self.certificate_conditions(cert, rule)))
        return self.compare(rule)

    def certificate_conditions(self, cert: FromClause, rule: Certificates) -> list[ColumnElement[bool]]:
        return [cert.c.cert_type == rule.cert_type, self.valid(cert), *(self.data(cert, c) for c in rule.where)]

    def data(self, cert: FromClause, condition: DataCompare) -> ColumnElement[bool]:
        value = cert.c.data[condition.key].as_string()
        return and_(value.is_not(None), _texts(value, condition.op, self.text(condition.value)))

    def text(self, value: object) -> Any:
        if isinstance(value, YearsAgo):
            return value.on(self.today).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return value

    def compare(self, rule: Compare) -> ColumnElement[bool]:
        kind = FACT_FIELDS[rule.field].kind
        column = self.fact(rule.field)
        if kind == "flag":
            return column if (rule.value is True) == (rule.op == "=") else not_(column)
        if kind in ("number", "money"):
            assert not isinstance(rule.value, tuple | str | bool | date | YearsAgo)
            target = int(rule.value * 100) if kind == "money" else int(rule.value)
            return _ordered(column, rule.op, _int(target))
        if rule.field == "founded_on":  # a DATE column; the other days are ISO texts from certificates
            day = rule.value.on(self.today) if isinstance(rule.value, YearsAgo) else rule.value
            return and_(column.is_not(None), _ordered(column, rule.op, literal(day, Date)))
        return and_(column.is_not(None), _texts(column, rule.op, self.text(rule.value)))

    # --- amounts ---

    def amount(self, policy: Policy) -> ColumnElement[Any]:
        amount = policy.amount
        if isinstance(amount, FixedAmount):
            return _int(int(amount.yuan * 100))
        if isinstance(amount, PerHead):
            heads = self.count(amount.count) if isinstance(amount.count, Certificates) else self.fact(amount.count)
            return _int(int(amount.yuan * 100)) * heads
        if isinstance(amount, Tiered):
            value = self.fact(amount.field)
            scale = 100 if FACT_FIELDS[amount.field].kind == "money" else 1
            whens = []
            for tier in amount.tiers:
                bounds = []
                if tier.lower is not None:
                    bounds.append(value >= _int(int(tier.lower * scale)))
                if tier.upper is not None:
                    bounds.append(value < _int(int(tier.upper * scale)))
                whens.append((and_(true(), *bounds), _int(int(tier.yuan * 100))))
            return case(*whens, else_=None)
        assert isinstance(amount, Formula)
        value, places = self.worked(amount.expr)
        if places <= 2:
            return value * _int(10 ** (2 - places))
        return _divide(value, _int(10 ** (places - 2)))

    def count(self, rule: Certificates) -> ColumnElement[int]:
        cert = _CERT.alias()
        table = self.grouped(
            f"counted_{len(self.sources)}",
            select(cert.c.owner_id.label("subject"), func.count().label("value"))
            .where(*self.certificate_conditions(cert, rule))
            .group_by(cert.c.cert_type, cert.c.owner_id),
        )
        return func.coalesce(table.c.value, 0)

    def worked(self, expr: Expr) -> tuple[ColumnElement[Any], int]:
        if isinstance(expr, Num):
            number, places = decimal_fixed(expr.value)
            return _int(number), places
        if isinstance(expr, Var):
            return cast(self.fact(expr.field), BigInteger), (2 if FACT_FIELDS[expr.field].kind == "money" else 0)
        if isinstance(expr, BinOp):
            left, left_places = self.worked(expr.left)
            if expr.op == "/":
                assert isinstance(expr.right, Num)
                numerator, places = decimal_fixed(expr.right.value)
                scaled = left * _int(10 ** (places + DIVISION_PLACES))
                return _divide(scaled, _int(numerator)), left_places + DIVISION_PLACES
            right, right_places = self.worked(expr.right)
            if expr.op == "*":
                return left * right, left_places + right_places
            places = max(left_places, right_places)
            a, b = _scaled(left, left_places, places), _scaled(right, right_places, places)
            return (a + b if expr.op == "+" else a - b), places
        worked = [self.worked(arg) for arg in expr.args]
        places = max(p for _, p in worked)
        values = [_scaled(v, p, places) for v, p in worked]
        best = values[0]
        for value in values[1:]:
            # CASE, not LEAST/GREATEST: SQLite has neither, and no argument is ever NULL here.
            keep_best = best <= value if expr.function == "min" else best >= value
            best = case((keep_best, best), else_=value)
        return best, places


def _scaled(value: ColumnElement[Any], places: int, target: int) -> ColumnElement[Any]:
    return value if places == target else value * _int(10 ** (target - places))


def _ordered(column: ColumnElement[Any], op: str, target: Any) -> ColumnElement[bool]:
    return {
        "=": lambda: column == target,
        "!=": lambda: column != target,
        "<": lambda: column < target,
        "<=": lambda: column <= target,
        ">": lambda: column > target,
        ">=": lambda: column >= target,
    }[op]()


def _texts(column: ColumnElement[Any], op: str, target: Any) -> ColumnElement[bool]:
    if op == "in":
        return column.in_(list(target))
    if op == "not_in":
        return column.not_in(list(target))
    if op == "prefix":
        # substr, not LIKE: SQLite's LIKE ignores case and the prefix must match exactly.
        return or_(*(func.substr(column, 1, len(prefix)) == literal(prefix, String) for prefix in target))
    return _ordered(column, op, literal(target, String))


def _kinds(*kinds: str) -> Callable[[FromClause], ColumnElement[bool]]:
    return lambda c: c.c.kind.in_(kinds)


def _flexible(c: FromClause) -> ColumnElement[bool]:
    return c.c.paid_as == "flexible"


def _filing(name: str, kind: str) -> Callable[[_Compiler], ColumnElement[Any]]:
    return lambda q: q.filing(name, kind)


_FACTS: dict[str, Callable[[_Compiler], ColumnElement[Any]]] = {
    "age": lambda q: q.age(),
    "residence_district": lambda q: q.resident().c.district,
    "hangzhou_hukou": lambda q: q.holds("hukou_booklet"),
    "household_size": lambda q: q.household_size(),
    "degree_rank": lambda q: q.ranked("degree", "degree_certificate", "degree", DEGREE_RANKS),
    "graduation_date": lambda q: q.graduation_date(),
    "talent_rank": lambda q: q.ranked("talent", "talent_certificate", "talent_category", TALENT_RANKS),
    "pension_months_12": lambda q: q.contributions("months", _kinds("pension")),
    "flexible_months_12": lambda q: q.contributions("months", _flexible),
    "flexible_paid_12": lambda q: q.contributions("paid", _flexible),
    "employed": lambda q: q.employed(),
    "founded_on": lambda q: q.company().c.founded_on,
    "headcount": lambda q: func.coalesce(q.company().c.headcount, 0),
    "size": lambda q: q.company().c.size,
    "industry_code": lambda q: q.company().c.industry_code,
    "company_district": lambda q: q.company().c.district,
    "unemployment_paid_12": lambda q: q.contributions("paid", _kinds("unemployment")),
    "insured_months_12": lambda q: q.contributions("months", _kinds(*INSURANCE_KINDS)),
    "layoffs_12": lambda q: q.spells("layoffs", lambda e: and_(e.c.end_reason == "layoff", q.in_window(e.c.ended_on))),
    "first_job_hires_12": lambda q: q.spells(
        "first_job_hires", lambda e: and_(e.c.first_job.is_(True), q.in_window(e.c.started_on))
    ),
    "tax_paid_12": lambda q: q.contributions("paid", _kinds(*TAX_KINDS)),
    **{name: _filing(name, kind) for name, kind in FILING_KINDS.items()},
}
QUERIED_FACTS = frozenset(_FACTS)
