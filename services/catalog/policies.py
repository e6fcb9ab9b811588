"""The benefit policies of the catalogue (免申即享): their YAML shape, their checks, their values.

A policy names its issuing department, its audience, the days it is in force, its budget, its
amount and its eligibility (services/catalog/policy_rules.py reads the last two); see docs/benefits.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StrictBool

from .policy_model import AcceptedBy, AllOf, Audience, Compare, FixedAmount, Policy, Rule
from .policy_rules import RuleContext, RuleProblem, read_amount, read_rule
from .schema import ServiceCode, SnakeKey, TextIn, UpperCode, _Entry
from .text import Text

Report = Callable[[str, str | None, str], None]
Known = Callable[[str, str], bool]
# The applicant type of a policy's audience, which its amount-review item must serve.
AUDIENCE_APPLICANTS = {"citizens": "citizen", "companies": "company"}


class ExcludeIn(_Entry):
    # Other policies whose receipt excludes a subject (this one's always does).
    received: tuple[SnakeKey, ...] = ()
    blacklisted: StrictBool = True


class PolicyIn(_Entry):
    code: SnakeKey
    name: TextIn
    department: UpperCode
    audience: Audience
    starts_on: date
    ends_on: date
    budget: Annotated[Decimal, Field(gt=0, allow_inf_nan=False, decimal_places=2)]
    amount: dict[str, Any]
    eligible: dict[str, Any]
    exclude: ExcludeIn = ExcludeIn()
    # An accepted offer above this many yuan waits for a clerk's check before it is paid.
    review_above: Annotated[Decimal, Field(gt=0, allow_inf_nan=False, decimal_places=2)] | None = None
    accepted_by: AcceptedBy = "subject"
    amount_review_item: ServiceCode | None = None


def check_policies(parsed: Mapping[str, Mapping[str, Any]], known: Known, report: Report) -> None:
    """Report each policy's unknown department or excluded policy, empty period, and every problem of its rules."""
    context_of = _contexts(parsed)
    for located in parsed["policies"].values():
        spec: PolicyIn = located.spec

        def say(message: str, located: Any = located) -> None:
            report(located.file, located.entry, message)

        if not known("departments", spec.department):
            say(f"department {spec.department!r} is not defined")
        if spec.ends_on < spec.starts_on:
            say(f"ends_on {spec.ends_on} is before starts_on {spec.starts_on}")
        for code in spec.exclude.received:
            if not known("policies", code):
                say(f"exclude.received: policy {code!r} is not defined")
        try:
            policy = _policy(spec, context_of(spec.audience))
        except RuleProblem as problem:
            say(str(problem))
            continue
        if isinstance(policy.amount, FixedAmount) and policy.amount.yuan > policy.budget_yuan:
            say(f"the fixed amount {policy.amount.yuan} is more than the budget {policy.budget_yuan}")
        if spec.accepted_by == "employer" and (
            spec.audience != "citizens" or not _requires_employment(policy.eligible)
        ):
            say("accepted_by: employer is for a citizens' policy whose eligibility requires employed = true")
        if spec.amount_review_item is not None:
            _check_review_item(spec, spec.amount_review_item, parsed, say)


def _requires_employment(rule: Rule) -> bool:
    """Every eligible subject has an employer of record: `employed = true` holds at the top or in an `all`."""
    if isinstance(rule, Compare):
        return rule.field == "employed" and rule.op == "=" and rule.value is True
    return isinstance(rule, AllOf) and any(_requires_employment(part) for part in rule.rules)


def _check_review_item(
    spec: PolicyIn, code: str, parsed: Mapping[str, Mapping[str, Any]], say: Callable[[str], None]
) -> None:
    """The review application is an item of the policy's own department, open to the policy's audience."""
    located = parsed["items"].get(code)
    if located is None:
        say(f"amount_review_item: item {code!r} is not defined")
        return
    item = located.spec
    if item.department != spec.department:
        say(f"amount_review_item: item {item.code!r} belongs to {item.department}, not to {spec.department}")
    if AUDIENCE_APPLICANTS[spec.audience] not in item.applicant_types:
        say(f"amount_review_item: item {item.code!r} is not open to {spec.audience}")


def build_policies(parsed: Mapping[str, Mapping[str, Any]]) -> dict[str, Policy]:
    context_of = _contexts(parsed)
    return {
        located.spec.code: _policy(located.spec, context_of(located.spec.audience))
        for located in parsed["policies"].values()
    }


def _contexts(parsed: Mapping[str, Mapping[str, Any]]) -> Callable[[Audience], RuleContext]:
    keys = {code: located.spec.data_keys for code, located in parsed["certificate_types"].items()}
    return lambda audience: RuleContext(audience, keys)


def _policy(spec: PolicyIn, context: RuleContext) -> Policy:
    return Policy(
        code=spec.code,
        name=Text(spec.name.zh, spec.name.en),
        department=spec.department,
        audience=spec.audience,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        amount=read_amount(spec.amount, "amount", context),
        budget_yuan=spec.budget,
        eligible=read_rule(spec.eligible, "eligible", context),
        excluded_if_received=tuple(code for code in spec.exclude.received if code != spec.code),
        excludes_blacklisted=spec.exclude.blacklisted,
        review_above_yuan=spec.review_above,
        accepted_by=spec.accepted_by,
        amount_review_item=spec.amount_review_item,
    )
