"""Read a policy's eligibility rules and amount from its YAML, naming the place of every problem.

eligible:                     # a rule, one of:
  all: [rule, ...]            #   every rule holds
  any: [rule, ...]            #   at least one holds
  not: rule
  field: age                  #   a fact compared: = != < <= > >= (numbers, money, days),
  op: ">="                    #   in / not_in / prefix (texts, with a list), = / != (flags)
  value: 80                   #   a day is a date or {years_ago: N, months_ago: N}
  certificate: degree_certificate          # holds a valid certificate of the type
  where: [{key: degree, op: in, value: [master, doctor]}]   # whose data keys compare so
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .formula import FormulaError, parse_formula
from .policy_model import (
    FACT_FIELDS,
    OPS,
    ORDERED_OPS,
    SET_OPS,
    AllOf,
    Amount,
    AnyOf,
    Audience,
    Certificates,
    Compare,
    DataCompare,
    FactField,
    FixedAmount,
    Formula,
    Not,
    PerHead,
    Rule,
    Tier,
    Tiered,
    Value,
    YearsAgo,
)


class RuleProblem(ValueError):
    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class RuleContext:
    audience: Audience
    # The data keys of each certificate type the catalogue defines.
    certificate_keys: Mapping[str, tuple[str, ...]]


def read_rule(raw: Any, where: str, context: RuleContext) -> Rule:
    if not isinstance(raw, dict):
        raise RuleProblem(where, "a rule is a mapping (all, any, not, field or certificate)")
    shapes = [key for key in ("all", "any", "not", "field", "certificate") if key in raw]
    if len(shapes) != 1:
        raise RuleProblem(where, "a rule has exactly one of all, any, not, field or certificate")
    shape = shapes[0]
    if shape in ("all", "any"):
        _only(raw, {shape}, where)
        rules = raw[shape]
        if not isinstance(rules, list) or not rules:
            raise RuleProblem(f"{where}.{shape}", "must list at least one rule")
        parts = tuple(read_rule(rule, f"{where}.{shape}[{i}]", context) for i, rule in enumerate(rules))
        return AllOf(parts) if shape == "all" else AnyOf(parts)
    if shape == "not":
        _only(raw, {"not"}, where)
        return Not(read_rule(raw["not"], f"{where}.not", context))
    if shape == "certificate":
        return read_certificates(raw, where, context)
    _only(raw, {"field", "op", "value"}, where)
    fact = _fact(raw["field"], where, context)
    op = _op(raw.get("op"), where)
    return Compare(fact.name, op, _value(fact, op, raw.get("value"), f"{where}.value"))


def read_certificates(raw: Any, where: str, context: RuleContext) -> Certificates:
    if not isinstance(raw, dict) or "certificate" not in raw:
        raise RuleProblem(where, "must be a certificate selector ({certificate: TYPE, where: [...]})")
    _only(raw, {"certificate", "where"}, where)
    cert_type = raw["certificate"]
    keys = context.certificate_keys.get(cert_type) if isinstance(cert_type, str) else None
    if keys is None:
        raise RuleProblem(where, f"certificate type {cert_type!r} is not defined")
    conditions = raw.get("where", [])
    if not isinstance(conditions, list):
        raise RuleProblem(f"{where}.where", "must be a list of {key, op, value}")
    compares = []
    for i, condition in enumerate(conditions):
        at = f"{where}.where[{i}]"
        if not isinstance(condition, dict):
            raise RuleProblem(at, "must be a mapping {key, op, value}")
        _only(condition, {"key", "op", "value"}, at)
        key = condition.get("key")
        if key not in keys:
            raise RuleProblem(at, f"data key {key!r} is not declared by certificate type {cert_type!r}")
        op = _op(condition.get("op"), at)
        compares.append(DataCompare(key, op, _data_value(op, condition.get("value"), f"{at}.value")))
    return Certificates(cert_type, tuple(compares))


def read_amount(raw: Any, where: str, context: RuleContext) -> Amount:
    kinds = [key for key in ("fixed", "per_head", "tiered", "formula") if isinstance(raw, dict) and key in raw]
    if len(kinds) != 1:
        raise RuleProblem(where, "an amount has exactly one of fixed, per_head, tiered or formula")
    kind = kinds[0]
    if kind == "fixed":
        _only(raw, {"fixed"}, where)
        return FixedAmount(_yuan(raw["fixed"], f"{where}.fixed"))
    if kind == "per_head":
        _only(raw, {"per_head", "count"}, where)
        count = raw.get("count")
        if isinstance(count, dict):
            counted: str | Certificates = read_certificates(count, f"{where}.count", context)
        else:
            counted = _fact(count, f"{where}.count", context, kinds=("number",)).name
        return PerHead(_yuan(raw["per_head"], f"{where}.per_head"), counted)
    if kind == "tiered":
        _only(raw, {"tiered", "tiers"}, where)
        return _tiered(raw, where, context)
    _only(raw, {"formula"}, where)
    source = raw["formula"]
    if not isinstance(source, str):
        raise RuleProblem(f"{where}.formula", "must be a text such as 'min(rd_expense_last_year * 0.1, 500000)'")

    def is_number_fact(name: str) -> bool:
        fact = FACT_FIELDS.get(name)
        return fact is not None and fact.audience == context.audience and fact.kind in ("number", "money")

    try:
        return Formula(source, parse_formula(source, is_number_fact))
    except FormulaError as problem:
        raise RuleProblem(f"{where}.formula", str(problem)) from None


def _tiered(raw: dict[str, Any], where: str, context: RuleContext) -> Tiered:
    fact = _fact(raw["tiered"], f"{where}.tiered", context, kinds=("number", "money"))
    tiers_raw = raw.get("tiers")
    if not isinstance(tiers_raw, list) or not tiers_raw:
        raise RuleProblem(f"{where}.tiers", "must list at least one tier {from, to, amount}")
    tiers = []
    for i, tier in enumerate(tiers_raw):
        at = f"{where}.tiers[{i}]"
        if not isinstance(tier, dict) or "amount" not in tier:
            raise RuleProblem(at, "a tier is {from, to, amount}; from or to may be left out")
        _only(tier, {"from", "to", "amount"}, at)
        lower = _bound(fact, tier.get("from"), f"{at}.from")
        upper = _bound(fact, tier.get("to"), f"{at}.to")
        if lower is not None and upper is not None and lower >= upper:
            raise RuleProblem(at, f"from {lower} is not below to {upper}")
        tiers.append(Tier(lower, upper, _yuan(tier["amount"], f"{at}.amount")))
    for i, one in enumerate(tiers):
        for j, other in enumerate(tiers[:i]):
            if _overlap(one, other):
                raise RuleProblem(f"{where}.tiers[{i}]", f"overlaps tier {j} ({_span(other)})")
    return Tiered(fact.name, tuple(tiers))


def _overlap(one: Tier, other: Tier) -> bool:
    def below(lower: Decimal | None, upper: Decimal | None) -> bool:
        return lower is None or upper is None or lower < upper

    return below(one.lower, other.upper) and below(other.lower, one.upper)


def _span(tier: Tier) -> str:
    return f"from {'-inf' if tier.lower is None else tier.lower} to {'inf' if tier.upper is None else tier.upper}"


def _bound(fact: FactField, raw: Any, where: str) -> Decimal | None:
    return None if raw is None else _number(fact, raw, where)


def _only(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in raw:
        if key not in allowed:
            raise RuleProblem(where, f"unknown key {key!r} (expected {', '.join(sorted(allowed))})")


def _fact(name: Any, where: str, context: RuleContext, kinds: tuple[str, ...] = ()) -> FactField:
    fact = FACT_FIELDS.get(name) if isinstance(name, str) else None
    mine = sorted(n for n, f in FACT_FIELDS.items() if f.audience == context.audience)
    if fact is None:
        raise RuleProblem(where, f"unknown field {name!r} (the {context.audience}' fields: {', '.join(mine)})")
    if fact.audience != context.audience:
        raise RuleProblem(where, f"field {name!r} is a fact about {fact.audience}, not {context.audience}")
    if kinds and fact.kind not in kinds:
        raise RuleProblem(where, f"field {name!r} is a {fact.kind}; this needs a {' or '.join(kinds)}")
    return fact


def _op(raw: Any, where: str) -> Any:
    if raw not in OPS:
        raise RuleProblem(where, f"op {raw!r} is not one of {', '.join(OPS)}")
    return raw


def _value(fact: FactField, op: str, raw: Any, where: str) -> Value:
    if fact.kind == "flag":
        if op not in ("=", "!=") or not isinstance(raw, bool):
            raise RuleProblem(where, f"flag {fact.name!r} compares with = or != to true or false")
        return raw
    if fact.kind == "text":
        if op in ORDERED_OPS:
            raise RuleProblem(where, f"text {fact.name!r} cannot be compared with {op!r}")
        return _texts(op, raw, where)
    if op in SET_OPS:
        raise RuleProblem(where, f"{fact.kind} {fact.name!r} cannot be compared with {op!r}")
    if fact.kind == "date":
        return _day(raw, where)
    return _number(fact, raw, where)


def _data_value(op: str, raw: Any, where: str) -> str | date | YearsAgo | tuple[str, ...]:
    if op in SET_OPS or isinstance(raw, str):
        return _texts(op, raw, where)
    return _day(raw, where)


def _texts(op: str, raw: Any, where: str) -> str | tuple[str, ...]:
    if op in SET_OPS:
        if not isinstance(raw, list) or not raw or not all(isinstance(v, str) and v for v in raw):
            raise RuleProblem(where, f"{op} needs a list of texts")
        return tuple(raw)
    if not isinstance(raw, str):
        raise RuleProblem(where, f"{op} needs a text, not {raw!r}")
    return raw


def _day(raw: Any, where: str) -> date | YearsAgo:
    if isinstance(raw, date):
        return raw
    if isinstance(raw, dict) and raw and set(raw) <= {"years_ago", "months_ago"}:
        years, months = raw.get("years_ago", 0), raw.get("months_ago", 0)
        if isinstance(years, int) and isinstance(months, int) and years >= 0 and months >= 0:
            return YearsAgo(years, months)
    raise RuleProblem(where, "a day is a date (2026-01-01) or {years_ago: N, months_ago: N}")


def _number(fact: FactField, raw: Any, where: str) -> Decimal:
    value = _decimal(raw, where)
    places = 2 if fact.kind == "money" else 0
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise RuleProblem(where, f"{fact.kind} {fact.name!r} compares with a number of at most {places} decimals")
    return value


def _yuan(raw: Any, where: str) -> Decimal:
    value = _decimal(raw, where)
    if value < 0:
        raise RuleProblem(where, f"an amount cannot be negative ({value})")
    if value != value.quantize(Decimal("0.01")):
        raise RuleProblem(where, f"an amount is in yuan to the fen, at most 2 decimals ({value})")
    return value


def _decimal(raw: Any, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RuleProblem(where, f"must be a number, not {raw!r}")
    value = Decimal(str(raw))
    if not value.is_finite():
        raise RuleProblem(where, f"must be a finite number, not {raw!r}")
    return value
