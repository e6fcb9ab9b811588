"""Compile the policies of one audience to ONE set-based query: every eligible subject and the amounts, in fen.

The set-based half of the engine (services/benefits/judge.py is the per-subject half; tests hold
them to the same answers). Each fact a policy names becomes a column of the subject's row
(services/benefits/columns.py), joined once however many policies read it; each policy's rules become
one condition in which a missing text or day satisfies no comparison, as in Python, and its amount
one integer expression in fen.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Collection, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Select
from sqlmodel import Session

from services.catalog.policy_model import (
    FACT_FIELDS,
    AllOf,
    AnyOf,
    BinOp,
    Call,
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
    Role,
)

from .columns import AMONG, RECORDED_IN, FactColumns, divide, integer
from .functions import Greatest, Least, StartsWith
from .judge import DIVISION_PLACES, decimal_fixed

ROLES = {"citizens": Role.CITIZEN, "companies": Role.COMPANY}
# SQLModel sets __table__; its stubs do not say so.
_CERT = Certificate.__table__  # type: ignore[attr-defined]
_GRANT = BenefitGrant.__table__  # type: ignore[attr-defined]
_LISTED = BlacklistEntry.__table__  # type: ignore[attr-defined]


def eligible_subjects(
    *, session: Session, policy: Policy, today: date, among: Collection[int] | None = None
) -> dict[int, int]:
    """Every subject eligible for `policy` on `today`, with the amount in fen; only those `among`, if given."""
    return sweep_policies(session=session, policies=[policy], today=today, among=among)[policy.code]


def sweep_policies(
    *, session: Session, policies: Iterable[Policy], today: date, among: Collection[int] | None = None
) -> dict[str, dict[int, int]]:
    """For each policy's code, every eligible subject and the amount in fen. With `among`, only those subjects
    are judged, by their ids (an incremental sweep after their facts changed)."""
    policies = list(policies)
    found: dict[str, dict[int, int]] = {policy.code: {} for policy in policies}
    judged = [policy for policy in policies if policy.in_force(today)]
    if among is not None and not among or not judged:
        return found
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # For the rest of the caller's transaction, in one round trip: PostgreSQL would JIT-compile each policy's
        # long expressions, seconds of compiling for queries that run in less; and at the default work_mem
        # (4 MB) the hash aggregates of a type's certificates spilled to disk (EXPLAIN ANALYZE, bench/BENEFITS.md).
        # And a random page is priced as a read from memory, not a disk seek (the default, 4): the planner read
        # every citizen to find the 21,000 holders of a birth certificate rather than look them up (the full
        # sweep took 6-9% more CPU), and read whole tables for the few subjects of an incremental sweep (93 ms
        # of the server's CPU instead of 66).
        session.execute(
            select(
                func.set_config("jit", "off", True),
                func.set_config("work_mem", "64MB", True),
                func.set_config("random_page_cost", "1.1", True),
            )
        )
    if among is not None:
        _fill_subjects_table(session, among, postgres)
    if among is None:
        for policy in judged:
            result = session.connection().execute(eligible_query(policy, today, postgres))
            # The driver's (id, amount) tuples, as they come: a Row made of each of 400,000 pairs cost more of the
            # client's CPU than the database spent finding a third of them (bench/BENEFITS.md).
            found[policy.code] = dict(result.cursor.fetchall())
            result.close()
        return found
    for audience in ROLES:
        alike = tuple(policy for policy in judged if policy.audience == audience)
        for subject_id, *amounts in _judge_among(session, alike, today, postgres) if alike else []:
            for policy, amount in zip(alike, amounts, strict=True):
                if amount is not None and amount > 0:
                    found[policy.code][subject_id] = amount
    return found


def _judge_among(session: Session, policies: tuple[Policy, ...], today: date, postgres: bool) -> list[Any]:
    """The rows of among_query for the subjects in AMONG.

    PostgreSQL: the statement's text, written once with its values in it, run as a statement psycopg keeps
    prepared on the connection (PostgreSQL plans it again when the subjects' table's statistics change).
    SQLAlchemy compiled the long statement, and psycopg parsed a text too long for its cache, at every
    sweep: most of a one-subject sweep's 17 ms, more than judging 300 subjects takes (bench/BENEFITS.md)."""
    if not postgres:
        return list(session.execute(among_query(policies, today)))
    driver = session.connection().connection.driver_connection
    assert driver is not None  # a live connection
    return driver.execute(_among_text(policies, today), prepare=True).fetchall()


@functools.lru_cache(maxsize=64)
def _among_text(policies: tuple[Policy, ...], today: date) -> str:
    # The values are the policies' own, from the catalogue: nothing a user typed is written into the text.
    statement = among_query(policies, today, postgres=True)
    return str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def _fill_subjects_table(session: Session, among: Collection[int], postgres: bool) -> None:
    """The temporary table AMONG holding just the subjects `among`.

    Kept for the connection's life and emptied before it is filled, not dropped: Python's sqlite3 opens no
    transaction for DDL, so a table created by a sweep that writes nothing first would outlive its errors.
    On PostgreSQL it is also emptied at every commit (columns.py): no autovacuum visits a temporary table,
    and the rows DELETE leaves dead would pile up there for as long as the connection lives.
    Filled by one statement with the ids as one parameter (an array on PostgreSQL, a JSON list SQLite's
    json_each reads), not a row of parameters each: the rows cost 15 ms for 1,300 ids on PostgreSQL, and on
    SQLite building their parameters about 5 ms of a 30 ms incremental sweep."""
    session.execute(CreateTable(AMONG, if_not_exists=True))
    session.execute(delete(AMONG))
    ids = sorted(set(among))
    if postgres:
        listed = select(func.unnest(literal(ids, ARRAY(Integer))))
    else:
        listed = select(func.json_each(json.dumps(ids)).table_valued("value").c.value)
    session.execute(insert(AMONG).from_select(["subject_id"], listed))
    if postgres:
        # No autovacuum analyzes a temporary table. Guessing its size from its pages (2,550 rows for 1,307), the
        # planner hashed the whole employment register for "employed" instead of looking up 1,307 people: 219 ms
        # instead of 27. The new statistics make the prepared statement plan again, for 2 ms each audience.
        session.execute(text(f"ANALYZE {AMONG.name}"))


def eligible_query(policy: Policy, today: date, postgres: bool = False) -> Select[tuple[int, int]]:
    """The policy's one query: every eligible subject and the amount in fen.

    One query per policy, not one per audience for all its policies: each policy's query can start from the
    index of the few subjects its rules allow (the holders of a certificate, the firms with a filing), where a
    query for all would visit every subject and work every policy's rules for each (measured in
    bench/BENEFITS.md)."""
    compiler = _Compiler(today, postgres=postgres, named=named_facts([policy]))
    subject = compiler.subject
    conditions = [
        subject.c.role == ROLES[policy.audience],
        subject.c.is_active.is_(True),
        # Each set once, though two rules imply it (the degree's rank and its graduation day): the same object.
        *{id(implied): implied for implied in compiler.implied(policy.eligible)}.values(),
        compiler.eligible(policy),
    ]
    # Behind OFFSET 0 the amount is worked once and only for the eligible: merged into the outer query (SQLite
    # flattens it or pushes the filter down, PostgreSQL pulls it up) "amount > 0" would be tested first,
    # working the amount's lookups for everyone. A tiered amount's value is worked there once and its tiers
    # outside: each tier compared it anew, and the old-age allowance worked out each old person's age from the
    # ID number five times.
    tiered = policy.amount if isinstance(policy.amount, Tiered) else None
    worked = compiler.fact(tiered.field) if tiered else compiler.amount(policy)
    eligible = (
        select(subject.c.id.label("subject_id"), worked.label("worked"))
        .select_from(compiler.joined)
        .where(*conditions)
        .offset(0)
        .subquery("eligible")
    )
    amount = compiler.tiers(tiered, eligible.c.worked) if tiered else eligible.c.worked
    return select(eligible.c.subject_id, amount.label("amount_fen")).where(amount > 0)


# Cached: the statement is the same for the policies on a day, and building it costs more in Python than
# the database spends judging a thousand subjects with it.
@functools.lru_cache(maxsize=64)
def among_query(policies: tuple[Policy, ...], today: date, postgres: bool = False) -> Select[Any]:
    """The incremental sweep's one query for policies of one audience, over the subjects in the temporary
    table AMONG: per subject eligible for any, its id, then one amount in fen per policy (NULL or not above
    0 where it is not eligible for that one). One query for all: the few subjects are the way in, so there
    is no candidate set to start from, and a query per policy would cost its fixed price eleven times."""
    compiler = _Compiler(today, restricted=True, postgres=postgres, named=named_facts(policies))
    subject = compiler.subject
    verdicts = [(compiler.eligible(policy), compiler.amount(policy)) for policy in policies]
    # Behind OFFSET 0 (see eligible_query) each rule is worked once, each amount only where its rule holds.
    judged = (
        select(
            subject.c.id.label("subject_id"),
            *(case((yes, amount), else_=None).label(f"amount_{n}") for n, (yes, amount) in enumerate(verdicts)),
        )
        .select_from(compiler.joined)
        .where(
            subject.c.role == ROLES[policies[0].audience],
            subject.c.is_active.is_(True),
            *compiler.only(subject.c.id),
        )
        .offset(0)
        .subquery("judged")
    )
    amounts = [judged.c[f"amount_{n}"] for n in range(len(policies))]
    return select(judged.c.subject_id, *amounts).where(or_(*(amount > 0 for amount in amounts)))


def named_facts(policies: Iterable[Policy]) -> frozenset[str]:
    """Every fact the policies' rules and amounts name."""
    named: set[str] = set()

    def rule(part: Rule) -> None:
        if isinstance(part, Compare):
            named.add(part.field)
        elif isinstance(part, AllOf | AnyOf):
            for each in part.rules:
                rule(each)
        elif isinstance(part, Not):
            rule(part.rule)

    def expr(part: Expr) -> None:
        if isinstance(part, Var):
            named.add(part.field)
        elif isinstance(part, BinOp):
            expr(part.left)
            expr(part.right)
        elif isinstance(part, Call):
            for each in part.args:
                expr(each)

    for policy in policies:
        rule(policy.eligible)
        amount = policy.amount
        if isinstance(amount, Tiered):
            named.add(amount.field)
        elif isinstance(amount, PerHead) and isinstance(amount.count, str):
            named.add(amount.count)
        elif isinstance(amount, Formula):
            expr(amount.expr)
    return frozenset(named)


class _Compiler(FactColumns):
    """The rules and the amount of one policy, over the facts' columns."""

    def __init__(
        self, today: date, restricted: bool = False, postgres: bool = False, named: frozenset[str] = frozenset()
    ):
        super().__init__(today, restricted, postgres, named)
        self.counted: dict[Certificates, str] = {}  # each rule's grouping of certificates, by its name

    def eligible(self, policy: Policy) -> ColumnElement[bool]:
        """The policy's rule and exclusions: true or false for each subject, never NULL."""
        conditions = [
            self.rule(policy.eligible),
            not_(self.member(_GRANT.c.subject_id, _GRANT.c.policy.in_([policy.code, *policy.excluded_if_received]))),
        ]
        if policy.excludes_blacklisted and self.restricted:
            conditions.append(self.listed().is_(None))  # one join for the policies judged together
        elif policy.excludes_blacklisted:
            listed = _LISTED
            conditions.append(
                not_(
                    self.member(
                        listed.c.subject_id,
                        listed.c.listed_on <= self.today,
                        or_(listed.c.lifted_on.is_(None), listed.c.lifted_on > self.today),
                    )
                )
            )
        return and_(*conditions)

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
            # Counted, not a semi-join: an amount per head of the same certificates joins the same grouping, and a
            # rule repeated as a guard (AllOf) is a column there, not a second reading of the certificates.
            return self.count(rule) > integer(0)
        return self.compare(rule)

    def implied(self, rule: Rule) -> list[ColumnElement[bool]]:
        """Semi-joins on small sets that the rule implies: a subject outside them cannot qualify. In the WHERE
        clause they change no answer and let the database start from those rows' index instead of visiting
        every subject."""
        if isinstance(rule, AllOf):
            return [implied for part in rule.rules for implied in self.implied(part)]
        if isinstance(rule, Certificates):
            return [self.holder(rule.cert_type, self.grouping_of(rule), lambda: self.count(rule))]
        if isinstance(rule, Compare) and rule.field in RECORDED_IN and not _holds_unrecorded(rule):
            return [RECORDED_IN[rule.field](self)]
        return []

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
            return _ordered(column, rule.op, integer(target))
        if rule.field == "founded_on":  # a DATE column; the other days are ISO texts from certificates
            day = rule.value.on(self.today) if isinstance(rule.value, YearsAgo) else rule.value
            return and_(column.is_not(None), _ordered(column, rule.op, literal(day, Date)))
        return and_(column.is_not(None), _texts(column, rule.op, self.text(rule.value)))

    # --- amounts ---

    def amount(self, policy: Policy) -> ColumnElement[Any]:
        amount = policy.amount
        if isinstance(amount, FixedAmount):
            return integer(int(amount.yuan * 100))
        if isinstance(amount, PerHead):
            heads = self.count(amount.count) if isinstance(amount.count, Certificates) else self.fact(amount.count)
            return integer(int(amount.yuan * 100)) * heads
        if isinstance(amount, Tiered):
            return self.tiers(amount, self.fact(amount.field))
        assert isinstance(amount, Formula)
        value, places = self.worked(amount.expr)
        if places <= 2:
            return value * integer(10 ** (2 - places))
        return divide(value, integer(10 ** (places - 2)))

    def tiers(self, amount: Tiered, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """The amount in fen of the tier the value falls in; NULL in none."""
        scale = 100 if FACT_FIELDS[amount.field].kind == "money" else 1
        whens = []
        for tier in amount.tiers:
            bounds = []
            if tier.lower is not None:
                bounds.append(value >= integer(int(tier.lower * scale)))
            if tier.upper is not None:
                bounds.append(value < integer(int(tier.upper * scale)))
            whens.append((and_(true(), *bounds), integer(int(tier.yuan * 100))))
        return case(*whens, else_=None)

    def grouping_of(self, rule: Certificates) -> str:
        """The name of the rule's grouping of certificates: one per rule however often it is named."""
        return self.counted.setdefault(rule, f"counted_{len(self.counted)}")

    def count(self, rule: Certificates) -> ColumnElement[int]:
        """How many of the subject's certificates the rule counts, from the rule's one grouping."""
        cert = self.certificates()
        table = self.grouped(
            self.grouping_of(rule),
            select(cert.c.owner_id.label("subject"), func.count().label("value"))
            .where(*self.certificate_conditions(cert, rule))
            .group_by(cert.c.cert_type, cert.c.owner_id),
        )
        return func.coalesce(table.c.value, 0)

    def worked(self, expr: Expr) -> tuple[ColumnElement[Any], int]:
        if isinstance(expr, Num):
            number, places = decimal_fixed(expr.value)
            return integer(number), places
        if isinstance(expr, Var):
            return cast(self.fact(expr.field), BigInteger), (2 if FACT_FIELDS[expr.field].kind == "money" else 0)
        if isinstance(expr, BinOp):
            left, left_places = self.worked(expr.left)
            if expr.op == "/":
                assert isinstance(expr.right, Num)
                numerator, places = decimal_fixed(expr.right.value)
                scaled = left * integer(10 ** (places + DIVISION_PLACES))
                return divide(scaled, integer(numerator)), left_places + DIVISION_PLACES
            right, right_places = self.worked(expr.right)
            if expr.op == "*":
                return left * right, left_places + right_places
            places = max(left_places, right_places)
            a, b = _scaled(left, left_places, places), _scaled(right, right_places, places)
            return (a + b if expr.op == "+" else a - b), places
        worked = [self.worked(arg) for arg in expr.args]
        places = max(p for _, p in worked)
        values = [_scaled(v, p, places) for v, p in worked]
        if len(values) == 1:
            return values[0], places
        return (Least if expr.function == "min" else Greatest)(*values), places


_IN_PYTHON = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _holds_unrecorded(rule: Compare) -> bool:
    """Whether the comparison holds for a subject with no record of the fact: a number is then 0, a day none."""
    if FACT_FIELDS[rule.field].kind not in ("number", "money"):
        return False  # a missing text or day satisfies no comparison
    assert isinstance(rule.value, int | float | Decimal), rule.value
    return bool(_IN_PYTHON[rule.op](0, rule.value))


def _scaled(value: ColumnElement[Any], places: int, target: int) -> ColumnElement[Any]:
    return value if places == target else value * integer(10 ** (target - places))


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
        return or_(*(StartsWith(column, prefix) for prefix in target))
    return _ordered(column, op, literal(target, String))
