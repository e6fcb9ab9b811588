"""Judge one subject against one policy in Python: whether they qualify, why, and how much.

Amounts are whole fen. A formula is worked in fixed point (an integer and its number of decimals)
and every division truncates toward zero, exactly as the SQL query does on SQLite and PostgreSQL,
so that the two halves of the engine agree to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.catalog.policy_model import (
    FACT_FIELDS,
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
from services.models import Certificate

from .facts import Evidence, Fact, Subject, data_text

# Extra decimals a division keeps before truncating (the query keeps as many).
DIVISION_PLACES = 4


@dataclass(frozen=True)
class Reason:
    """One rule or exclusion, whether it held, and the facts it read."""

    rule: str
    held: bool
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Verdict:
    policy: str
    subject_id: int
    eligible: bool
    amount_fen: int | None
    reasons: tuple[Reason, ...]


def judge(policy: Policy, subject: Subject) -> Verdict:
    reasons: list[Reason] = []
    today = subject.today
    qualified = policy.in_force(today) and subject.audience == policy.audience and subject.user.is_active
    reasons.append(Reason(f"in force {policy.starts_on}..{policy.ends_on} for active {policy.audience}", qualified))
    if qualified:
        qualified = _holds(policy.eligible, subject, reasons)
        qualified = _not_excluded(policy, subject, reasons) and qualified
    amount = amount_fen(policy, subject) if qualified else None
    if qualified:
        reasons.append(Reason(f"amount {amount} fen is more than 0", amount is not None and amount > 0))
    eligible = qualified and amount is not None and amount > 0
    return Verdict(policy.code, subject.user.id or 0, eligible, amount if eligible else None, tuple(reasons))


def _holds(rule: Rule, subject: Subject, reasons: list[Reason]) -> bool:
    """Whether `rule` holds; each comparison and certificate rule adds its reason."""
    if isinstance(rule, AllOf):
        results = [_holds(part, subject, reasons) for part in rule.rules]  # every part explained
        return all(results)
    if isinstance(rule, AnyOf):
        results = [_holds(part, subject, reasons) for part in rule.rules]
        return any(results)
    if isinstance(rule, Not):
        inner: list[Reason] = []
        held = not _holds(rule.rule, subject, inner)
        reasons.extend(Reason(f"not ({r.rule})", not r.held, r.facts) for r in inner)
        return held
    if isinstance(rule, Certificates):
        held_certs = matching(rule, subject)
        evidence = tuple(Evidence("certificate", c.number, c.cert_type) for c in held_certs)
        reasons.append(
            Reason(describe_certificates(rule), bool(held_certs), (Fact(rule.cert_type, len(held_certs), evidence),))
        )
        return bool(held_certs)
    fact = subject.fact(rule.field)
    held = compare(fact.value, rule, subject.today)
    reasons.append(Reason(f"{rule.field} {rule.op} {_shown(rule.value)}", held, (fact,)))
    return held


def _not_excluded(policy: Policy, subject: Subject, reasons: list[Reason]) -> bool:
    codes = {policy.code, *policy.excluded_if_received}
    received = [g for g in subject.grants if g.policy in codes]
    reasons.append(
        Reason(
            f"has not received {', '.join(sorted(codes))}",
            not received,
            tuple(
                Fact(g.policy, g.amount_fen, (Evidence("benefit_grant", g.id, f"granted {g.granted_on}"),))
                for g in received
            ),
        )
    )
    listed = subject.listings if policy.excludes_blacklisted else []
    if policy.excludes_blacklisted:
        reasons.append(
            Reason(
                "is not on the credit blacklist",
                not listed,
                tuple(
                    Fact(
                        "blacklisted",
                        True,
                        (Evidence("blacklist_entry", e.id, f"listed {e.listed_on} by {e.authority}"),),
                    )
                    for e in listed
                ),
            )
        )
    return not received and not listed


def matching(rule: Certificates, subject: Subject) -> list[Certificate]:
    return [
        c
        for c in subject.valid_certificates(rule.cert_type)
        if all(_data_holds(c, condition, subject.today) for condition in rule.where)
    ]


def _data_holds(certificate: Certificate, condition: DataCompare, today: date) -> bool:
    value = data_text(certificate, condition.key)
    if value is None:
        return False
    return _compare_texts(value, condition.op, _as_text(condition.value, today))


def compare(value: object, rule: Compare, today: date) -> bool:
    """A comparison of a fact; a text or day that is not recorded satisfies none."""
    kind = FACT_FIELDS[rule.field].kind
    if value is None:
        return False
    if kind == "flag":
        return (value == rule.value) == (rule.op == "=")
    if kind in ("number", "money"):
        assert isinstance(value, int) and isinstance(rule.value, Decimal)
        target = int(rule.value * 100) if kind == "money" else int(rule.value)
        return _ordered(value, rule.op, target)
    assert isinstance(value, str)
    return _compare_texts(value, rule.op, _as_text(rule.value, today))


def _as_text(value: object, today: date) -> str | tuple[str, ...]:
    if isinstance(value, YearsAgo):
        return value.on(today).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    assert isinstance(value, str | tuple)
    return value


def _compare_texts(value: str, op: str, target: str | tuple[str, ...]) -> bool:
    if op == "in":
        return value in target
    if op == "not_in":
        return value not in target
    if op == "prefix":
        return any(value.startswith(prefix) for prefix in target)
    assert isinstance(target, str)
    return _ordered(value, op, target)


def _ordered(value, op: str, target) -> bool:
    return {
        "=": value == target,
        "!=": value != target,
        "<": value < target,
        "<=": value <= target,
        ">": value > target,
        ">=": value >= target,
    }[op]


# --- amounts --------------------------------------------------------------------------------


def amount_fen(policy: Policy, subject: Subject) -> int | None:
    amount = policy.amount
    if isinstance(amount, FixedAmount):
        return _fen(amount.yuan)
    if isinstance(amount, PerHead):
        if isinstance(amount.count, Certificates):
            heads = len(matching(amount.count, subject))
        else:
            heads = subject.fact(amount.count).value
        return _fen(amount.yuan) * heads
    if isinstance(amount, Tiered):
        value = subject.fact(amount.field).value
        scale = 100 if FACT_FIELDS[amount.field].kind == "money" else 1
        for tier in amount.tiers:
            if (tier.lower is None or value >= tier.lower * scale) and (
                tier.upper is None or value < tier.upper * scale
            ):
                return _fen(tier.yuan)
        return None
    assert isinstance(amount, Formula)
    value, places = _worked(amount.expr, subject)
    return _rescale(value, places, 2)


def _fen(yuan: Decimal) -> int:
    return int(yuan * 100)


def _worked(expr: Expr, subject: Subject) -> tuple[int, int]:
    """The formula's value as an integer and its number of decimals."""
    if isinstance(expr, Num):
        return decimal_fixed(expr.value)
    if isinstance(expr, Var):
        places = 2 if FACT_FIELDS[expr.field].kind == "money" else 0
        return subject.fact(expr.field).value, places
    if isinstance(expr, BinOp):
        left = _worked(expr.left, subject)
        if expr.op == "/":
            assert isinstance(expr.right, Num)
            numerator, places = decimal_fixed(expr.right.value)
            return truncate(left[0] * 10 ** (places + DIVISION_PLACES), numerator), left[1] + DIVISION_PLACES
        right = _worked(expr.right, subject)
        if expr.op == "*":
            return left[0] * right[0], left[1] + right[1]
        (a, b), places = _aligned(left, right)
        return (a + b if expr.op == "+" else a - b), places
    values = [_worked(arg, subject) for arg in expr.args]
    places = max(p for _, p in values)
    scaled = [v * 10 ** (places - p) for v, p in values]
    return (min(scaled) if expr.function == "min" else max(scaled)), places


def _aligned(left: tuple[int, int], right: tuple[int, int]) -> tuple[tuple[int, int], int]:
    places = max(left[1], right[1])
    return (left[0] * 10 ** (places - left[1]), right[0] * 10 ** (places - right[1])), places


def decimal_fixed(value: Decimal) -> tuple[int, int]:
    """A literal as an integer and its decimals: 0.6 is (6, 1)."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    places = max(0, -exponent)
    return int(value.scaleb(places)), places


def truncate(numerator: int, denominator: int) -> int:
    """Integer division toward zero, as SQL's integer division does (Python's // floors)."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def _rescale(value: int, places: int, target: int) -> int:
    if places <= target:
        return value * 10 ** (target - places)
    return truncate(value, 10 ** (places - target))


def describe_certificates(rule: Certificates) -> str:
    where = " and ".join(f"{c.key} {c.op} {_shown(c.value)}" for c in rule.where)
    return f"holds a valid {rule.cert_type}" + (f" where {where}" if where else "")


def _shown(value: object) -> str:
    if isinstance(value, YearsAgo):
        return f"{value.years} years {value.months} months ago"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)
