"""Benefit policies as data: the shipped ten, and every bad input named by file and entry."""

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from services.catalog import CatalogError, default_catalog, validate_catalog
from services.catalog.policy_model import (
    AllOf,
    Certificates,
    Compare,
    Formula,
    PerHead,
    Tiered,
    YearsAgo,
)


@pytest.fixture(scope="module")
def real():
    return default_catalog()


# --- the shipped policies -------------------------------------------------------------------


def test_the_ten_policies_of_the_issue_are_shipped_with_departments_of_the_catalogue(real):
    assert {
        "childcare_subsidy_2026",
        "elderly_allowance_2026",
        "graduate_living_allowance",
        "talent_housing_subsidy",
        "flexible_employment_insurance_subsidy_2026",
        "sme_rent_relief_2026",
        "job_stabilisation_refund_sme_2026",
        "first_hire_subsidy_2026",
        "rd_bonus_2026",
        "export_credit_insurance_support_2026",
    } <= set(real.policies)
    for policy in real.policies.values():
        assert policy.department in real.departments
        assert policy.budget_yuan > 0 and policy.starts_on <= policy.ends_on
    assert {p.audience for p in real.policies.values()} == {"citizens", "companies"}
    # Each kind of amount is used by some policy.
    kinds = {type(p.amount) for p in real.policies.values()}
    assert {PerHead, Tiered, Formula} <= kinds


def test_the_childcare_subsidy_pays_3600_a_year_for_each_child_under_three(real):
    policy = real.policies["childcare_subsidy_2026"]
    assert policy.department == "HEALTH" and policy.audience == "citizens"
    assert policy.amount == PerHead(
        Decimal(3600),
        Certificates("birth_medical_certificate", (policy.amount.count.where[0],)),
    )
    under_three = policy.amount.count.where[0]
    assert (under_three.key, under_three.op, under_three.value) == ("child_birth_date", ">", YearsAgo(3))


def test_the_elderly_allowance_is_tiered_by_age_from_80(real):
    policy = real.policies["elderly_allowance_2026"]
    assert isinstance(policy.amount, Tiered) and policy.amount.field == "age"
    assert [(t.lower, t.upper, t.yuan) for t in policy.amount.tiers] == [
        (80, 90, 600),
        (90, 100, 1200),
        (100, None, 6000),
    ]
    assert isinstance(policy.eligible, AllOf)
    assert Compare("age", ">=", Decimal(80)) in policy.eligible.rules
    # The old-age allowance is not withheld for a credit listing; firms' subsidies are.
    assert not policy.excludes_blacklisted
    assert real.policies["job_stabilisation_refund_sme_2026"].excludes_blacklisted


def test_the_job_stabilisation_refund_returns_60_percent_to_firms_without_lay_offs(real):
    policy = real.policies["job_stabilisation_refund_sme_2026"]
    assert isinstance(policy.amount, Formula) and policy.amount.source == "unemployment_paid_12 * 0.6"
    assert Compare("layoffs_12", "=", Decimal(0)) in policy.eligible.rules


def test_the_new_certificate_types_and_departments_are_in_the_catalogue(real):
    assert real.certificate_types["unemployment_registration"].external
    assert "disability_grade" in real.certificate_types["disability_certificate"].data_keys
    assert {"ECON", "SCITECH", "COMMERCE"} <= set(real.departments)
    assert real.counts()["policies"] == len(real.policies)


# --- bad input: each names the file and the policy ----------------------------------------


def _text(zh, en):
    return {"zh": zh, "en": en}


def minimal():
    return {
        "departments": [{"code": "HRSS", "name": _text("人社局", "Human Resources Bureau")}],
        "certificate_types": [
            {
                "code": "degree_certificate",
                "name": _text("学位证书", "Degree certificate"),
                "external": True,
                "data_keys": ["degree"],
            }
        ],
        "data_labels": [{"code": "degree", "name": _text("学位", "Degree")}],
        "policies": [
            {
                "code": "allowance",
                "name": _text("补贴", "Allowance"),
                "department": "HRSS",
                "audience": "citizens",
                "starts_on": date(2026, 1, 1),
                "ends_on": date(2026, 12, 31),
                "budget": 1000000,
                "amount": {
                    "tiered": "age",
                    "tiers": [{"from": 80, "to": 90, "amount": 600}, {"from": 90, "amount": 1200}],
                },
                "eligible": {
                    "all": [
                        {"field": "age", "op": ">=", "value": 80},
                        {
                            "certificate": "degree_certificate",
                            "where": [{"key": "degree", "op": "=", "value": "master"}],
                        },
                    ]
                },
            }
        ],
    }


def _write(folder: Path, data) -> Path:
    path = folder / "policies.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _policy(data):
    return data["policies"][0]


def test_the_minimal_policy_passes(tmp_path):
    _write(tmp_path, minimal())
    assert validate_catalog(tmp_path) == []


def _rule(data, index):
    return _policy(data)["eligible"]["all"][index]


BROKEN = [
    pytest.param(
        lambda d: _rule(d, 0).update(field="agee"),
        "eligible.all[0]: unknown field 'agee' (the citizens' fields: age,",
        id="unknown-field",
    ),
    pytest.param(
        lambda d: _rule(d, 0).update(field="headcount"),
        "eligible.all[0]: field 'headcount' is a fact about companies, not citizens",
        id="field-of-the-other-audience",
    ),
    pytest.param(
        lambda d: _rule(d, 1).update(certificate="wizard_licence"),
        "eligible.all[1]: certificate type 'wizard_licence' is not defined",
        id="unknown-certificate",
    ),
    pytest.param(
        lambda d: _rule(d, 1)["where"][0].update(key="grade"),
        "eligible.all[1].where[0]: data key 'grade' is not declared by certificate type 'degree_certificate'",
        id="unknown-data-key",
    ),
    pytest.param(
        lambda d: _rule(d, 0).update(op="~"),
        "eligible.all[0]: op '~' is not one of",
        id="unknown-op",
    ),
    pytest.param(
        lambda d: _rule(d, 0).update(op="prefix", value=["8"]),
        "eligible.all[0].value: number 'age' cannot be compared with 'prefix'",
        id="op-for-another-kind",
    ),
    pytest.param(
        lambda d: _rule(d, 0).update(value=79.5),
        "eligible.all[0].value: number 'age' compares with a number of at most 0 decimals",
        id="fractional-age",
    ),
    pytest.param(
        lambda d: _policy(d).update(amount={"fixed": -100}),
        "amount.fixed: an amount cannot be negative (-100)",
        id="negative-amount",
    ),
    pytest.param(
        lambda d: _policy(d)["amount"]["tiers"][1].update(amount=-1),
        "amount.tiers[1].amount: an amount cannot be negative (-1)",
        id="negative-tier",
    ),
    pytest.param(
        lambda d: _policy(d)["amount"]["tiers"][1].update({"from": 85}),
        "amount.tiers[1]: overlaps tier 0 (from 80 to 90)",
        id="overlapping-tiers",
    ),
    pytest.param(
        lambda d: _policy(d)["amount"]["tiers"].append({"to": 81, "amount": 5}),
        "amount.tiers[2]: overlaps tier 0 (from 80 to 90)",
        id="overlapping-open-tier",
    ),
    pytest.param(
        lambda d: _policy(d).update(department="MAGIC"),
        "department 'MAGIC' is not defined",
        id="unknown-department",
    ),
    pytest.param(
        lambda d: _policy(d).update(amount={"formula": "min(age * 100, 5000"}),
        "amount.formula: the formula ends where ')' was expected",
        id="formula-unclosed",
    ),
    pytest.param(
        lambda d: _policy(d).update(amount={"formula": "__import__('os').system('true')"}),
        'amount.formula: unexpected character "\'"',
        id="formula-is-never-python",
    ),
    pytest.param(
        lambda d: _policy(d).update(amount={"formula": "1000 / age"}),
        "amount.formula: a divisor must be a number greater than 0",
        id="formula-divides-by-a-fact",
    ),
    pytest.param(
        lambda d: _policy(d).update(amount={"formula": "age * residence_district"}),
        "amount.formula: 'residence_district' is not a number or money fact of the policy's audience",
        id="formula-names-a-text",
    ),
    pytest.param(
        lambda d: _policy(d).update(ends_on=date(2025, 12, 31)),
        "ends_on 2025-12-31 is before starts_on 2026-01-01",
        id="period-ends-before-it-starts",
    ),
    pytest.param(
        lambda d: _policy(d).update(exclude={"received": ["no_such_policy"]}),
        "exclude.received: policy 'no_such_policy' is not defined",
        id="excludes-an-unknown-policy",
    ),
    pytest.param(
        lambda d: _policy(d).update(budget=-5),
        "budget: Input should be greater than 0",
        id="negative-budget",
    ),
    pytest.param(
        lambda d: _policy(d).update(amount={"fixed": 2000000}),
        "the fixed amount 2000000 is more than the budget 1000000",
        id="amount-beyond-budget",
    ),
    pytest.param(
        lambda d: _policy(d).update(audience="pets"),
        "audience: 'pets' is not one of",
        id="unknown-audience",
    ),
    pytest.param(
        lambda d: _policy(d).update(accepted_by="employer"),
        "accepted_by: employer is for a citizens' policy whose eligibility requires employed = true",
        id="employer-accepts-without-employment",
    ),
    pytest.param(
        lambda d: (
            _policy(d).update(accepted_by="employer"),
            _policy(d)["eligible"]["all"].append(
                {"any": [{"field": "employed", "op": "=", "value": True}, {"field": "age", "op": ">", "value": 90}]}
            ),
        ),
        "accepted_by: employer is for a citizens' policy whose eligibility requires employed = true",
        id="employer-accepts-when-employment-is-only-one-way-in",
    ),
    pytest.param(
        lambda d: _policy(d).update(accepted_by="boss"),
        "accepted_by: 'boss' is not one of",
        id="unknown-answerer",
    ),
    pytest.param(
        lambda d: _policy(d).update(amount_review_item="330100-HRSS-099"),
        "amount_review_item: item '330100-HRSS-099' is not defined",
        id="unknown-review-item",
    ),
]


def test_an_employment_policy_may_be_accepted_by_the_employer(tmp_path):
    data = minimal()
    _policy(data).update(accepted_by="employer")
    _policy(data)["eligible"]["all"].append({"field": "employed", "op": "=", "value": True})
    _write(tmp_path, data)
    assert validate_catalog(tmp_path) == []


def test_the_shipped_employer_policy_and_review_items(real):
    policy = real.policies["graduate_social_insurance_subsidy_2026"]
    assert policy.accepted_by == "employer" and policy.audience == "citizens"
    assert Compare("employed", "=", True) in policy.eligible.rules
    for policy in real.policies.values():
        if policy.amount_review_item:
            item = real.items[policy.amount_review_item]
            assert item.department == policy.department and not item.materials
            assert {field.key for field in item.fields} == {
                "offer_number",
                "offered_amount",
                "claimed_amount",
                "dispute_reason",
            }
    assert real.policies["childcare_subsidy_2026"].amount_review_item == "330100-HEALTH-005"


@pytest.mark.parametrize(("mutate", "message"), BROKEN)
def test_a_broken_policy_is_named_by_file_and_entry(tmp_path, mutate, message):
    data = copy.deepcopy(minimal())
    mutate(data)
    path = _write(tmp_path, data)
    errors = validate_catalog(tmp_path)
    assert len(errors) == 1, errors
    error = errors[0]
    assert isinstance(error, CatalogError)
    assert Path(error.file).resolve() == path.resolve()
    assert error.entry == "policy allowance"
    assert message in error.message, error.message


def test_every_fact_a_rule_may_name_is_read_both_ways():
    from services.benefits.columns import QUERIED_FACTS
    from services.benefits.facts import READ_FACTS
    from services.catalog.policy_model import FACT_FIELDS

    assert READ_FACTS == QUERIED_FACTS == set(FACT_FIELDS)


def test_a_day_some_years_ago_falls_on_the_last_day_of_a_shorter_month():
    assert YearsAgo(3).on(date(2028, 2, 29)) == date(2025, 2, 28)
    assert YearsAgo(0, 1).on(date(2026, 3, 31)) == date(2026, 2, 28)
    assert YearsAgo(1, 2).on(date(2026, 1, 15)) == date(2024, 11, 15)
