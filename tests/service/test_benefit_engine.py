"""The engine's two halves agree: one subject judged in Python, everyone at once in one SQL query."""

import random
from datetime import date

import pytest

from services.benefits import eligible_subjects, judge, judge_subject, read_subject
from services.benefits.facts import month_start
from services.models import BenefitGrant, BlacklistEntry, CompanyRecord, Contribution, Employment
from tests.benefit_world import PolicyMaker, World
from tests.factories import id_number, make_certificate, make_citizen, make_company

TODAY = date(2026, 12, 7)


def _read(session, subject_ids: list[int]) -> dict:
    return {subject_id: read_subject(session=session, subject_id=subject_id, today=TODAY) for subject_id in subject_ids}


def _disagreements(session, policy, subjects: dict) -> list[str]:
    by_query = eligible_subjects(session=session, policy=policy, today=TODAY)
    problems = []
    for subject_id, subject in subjects.items():
        verdict = judge(policy, subject)
        in_python = verdict.amount_fen if verdict.eligible else None
        if by_query.get(subject_id) != in_python:
            problems.append(f"subject {subject_id}: query {by_query.get(subject_id)}, python {in_python}: {verdict}")
    outsiders = set(by_query) - subjects.keys()
    problems += [f"query found {subject_id}, who is not in the world" for subject_id in sorted(outsiders)]
    return problems


@pytest.mark.parametrize("seed", range(1, 6))
def test_random_policies_find_the_same_subjects_and_amounts_both_ways(session, catalog, seed):
    rng = random.Random(seed)
    subjects = _read(session, sum(World(session, rng, TODAY).populate(citizens=70, firms=50), []))
    keys = {code: cert.data_keys for code, cert in catalog.certificate_types.items()}
    maker = PolicyMaker(rng, keys, TODAY)
    eligible_somewhere = 0
    for n in range(50):
        policy, raw = maker.policy(f"random_{'abc'[n % 3]}")
        problems = _disagreements(session, policy, subjects)
        assert problems == [], f"{raw}\n" + "\n".join(problems[:5])
        eligible_somewhere += bool(eligible_subjects(session=session, policy=policy, today=TODAY))
    # The random policies are not all empty: the comparison compared something.
    assert eligible_somewhere >= 8


def test_the_shipped_policies_find_the_same_subjects_and_amounts_both_ways(session, catalog):
    subjects = _read(session, sum(World(session, random.Random(7), TODAY).populate(citizens=120, firms=80), []))
    found = {}
    for policy in catalog.policies.values():
        assert _disagreements(session, policy, subjects) == [], policy.code
        found[policy.code] = len(eligible_subjects(session=session, policy=policy, today=TODAY))
    assert sum(found.values()) > 0, found


# --- one subject, explained ---------------------------------------------------------------


def _reason(verdict, rule):
    return next(reason for reason in verdict.reasons if reason.rule == rule)


def test_an_85_year_old_with_a_hangzhou_hukou_gets_the_old_age_allowance_and_is_told_why(session, catalog):
    elder = make_citizen(session, id_number=id_number(901, "19410310"))
    booklet = make_certificate(session, elder, "hukou_booklet", number="HK-1-000901")
    policy = catalog.policies["elderly_allowance_2026"]

    verdict = judge_subject(session=session, policy=policy, subject_id=elder.id, today=TODAY)

    assert verdict.eligible and verdict.amount_fen == 600_00
    age = _reason(verdict, "age >= 80")
    assert age.held and age.facts[0].value == 85
    assert age.facts[0].evidence[0].table == "user_account" and "19410310" in age.facts[0].evidence[0].says
    hukou = _reason(verdict, "hangzhou_hukou = True")
    assert hukou.held and hukou.facts[0].evidence[0].row == booklet.number
    assert eligible_subjects(session=session, policy=policy, today=TODAY) == {elder.id: 600_00}


def test_a_79_year_old_is_told_which_rule_failed(session, catalog):
    younger = make_citizen(session, id_number=id_number(902, "19461208"))  # 80 tomorrow
    make_certificate(session, younger, "hukou_booklet")
    verdict = judge_subject(
        session=session, policy=catalog.policies["elderly_allowance_2026"], subject_id=younger.id, today=TODAY
    )
    assert not verdict.eligible and verdict.amount_fen is None
    assert not _reason(verdict, "age >= 80").held
    assert _reason(verdict, "age >= 80").facts[0].value == 79


def test_two_children_under_three_bring_two_childcare_subsidies(session, catalog):
    parent = make_citizen(session)
    for born in ("2024-12-08", "2026-03-01", "2023-12-07"):  # the last turned three today: not counted
        make_certificate(session, parent, "birth_medical_certificate", data={"child_birth_date": born})
    policy = catalog.policies["childcare_subsidy_2026"]
    verdict = judge_subject(session=session, policy=policy, subject_id=parent.id, today=TODAY)
    assert verdict.amount_fen == 2 * 3600_00
    assert eligible_subjects(session=session, policy=policy, today=TODAY) == {parent.id: 2 * 3600_00}


def _firm_without_lay_offs(session, **register):
    firm = make_company(session)
    fields = dict(founded_on=date(2015, 5, 1), headcount=40, size="small", industry_code="I65", district="xihu")
    session.add(CompanyRecord(user_id=firm.id, **(fields | register)))
    for back in range(12):
        session.add(
            Contribution(
                subject_id=firm.id,
                month=month_start(date(2026, 11, 1), back),
                kind="unemployment",
                paid_as="employer",
                amount_fen=1000_00,
            )
        )
    session.commit()
    return firm


def test_a_small_firm_without_lay_offs_gets_60_percent_of_its_unemployment_insurance_back(session, catalog):
    firm = _firm_without_lay_offs(session)
    policy = catalog.policies["job_stabilisation_refund_sme_2026"]
    verdict = judge_subject(session=session, policy=policy, subject_id=firm.id, today=TODAY)
    assert verdict.eligible and verdict.amount_fen == 12 * 1000_00 * 6 // 10
    months = _reason(verdict, "insured_months_12 >= 12").facts[0]
    assert months.value == 12 and {e.table for e in months.evidence} == {"contribution"}
    assert eligible_subjects(session=session, policy=policy, today=TODAY) == {firm.id: 7200_00}


def test_a_lay_off_or_a_credit_listing_or_an_earlier_refund_keeps_the_refund_away(session, catalog):
    policy = catalog.policies["job_stabilisation_refund_sme_2026"]
    laid_off, listed, refunded = (_firm_without_lay_offs(session) for _ in range(3))
    worker = make_citizen(session)
    spell = Employment(
        employer_id=laid_off.id,
        employee_id=worker.id,
        started_on=date(2020, 1, 1),
        ended_on=date(2026, 6, 30),
        end_reason="layoff",
    )
    session.add(spell)
    session.add(BlacklistEntry(subject_id=listed.id, listed_on=date(2026, 3, 1), authority="AMR"))
    session.add(BenefitGrant(policy=policy.code, subject_id=refunded.id, granted_on=date(2026, 5, 1), amount_fen=1))
    session.commit()

    assert eligible_subjects(session=session, policy=policy, today=TODAY) == {}
    lay_off = _reason(
        judge_subject(session=session, policy=policy, subject_id=laid_off.id, today=TODAY), "layoffs_12 = 0"
    )
    assert not lay_off.held and lay_off.facts[0].evidence[0].row == spell.id
    listing = judge_subject(session=session, policy=policy, subject_id=listed.id, today=TODAY)
    assert not _reason(listing, "is not on the credit blacklist").held
    again = judge_subject(session=session, policy=policy, subject_id=refunded.id, today=TODAY)
    assert not _reason(again, f"has not received {policy.code}").held


def test_nobody_qualifies_outside_the_days_a_policy_is_in_force(session, catalog):
    firm = _firm_without_lay_offs(session)
    policy = catalog.policies["job_stabilisation_refund_sme_2026"]
    next_year = date(2027, 1, 4)
    assert eligible_subjects(session=session, policy=policy, today=next_year) == {}
    verdict = judge_subject(session=session, policy=policy, subject_id=firm.id, today=next_year)
    assert not verdict.eligible and not verdict.reasons[0].held
