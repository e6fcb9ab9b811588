"""Journeys on cases other than applications: the loader's checks by kind, and the library's request paths."""

from pathlib import Path

import pytest

from journeys.loader import JourneyInvalid, journey_files, load_journey, read_journey
from journeys.vocabulary import APPLICATION, DISPUTE, OFFER, REQUEST, VERBS

LIBRARY = Path(__file__).resolve().parents[2] / "seed_data" / "journeys"

REQUEST_HEAD = """name: A small request
purpose: Raise and check.
seed: 6
start: 2026-03-02 09:00
actors:
  firm: {role: company}
  other: {role: company}
  urban: {role: clerk, department: URBAN}
steps:
  - as: firm
    raise_request: land_utilities
"""

INVALID = [
    (
        "not_the_office",
        REQUEST_HEAD + "  - as: urban\n    route_request: {lead: URBAN}\n",
        12,
        "'route_request' is done by the staff of BIZENV, not 'urban'",
    ),
    (
        "application_verb_on_a_request",
        REQUEST_HEAD + "  - as: urban\n    claim: 330100-PSB-001\n",
        13,
        "'claim' works on applications; 'main' is request",
    ),
    (
        "expectation_a_request_has_not",
        REQUEST_HEAD + "  - expect: {visits: 1}\n",
        12,
        "'visits' is not something 'main' (a request) has",
    ),
    (
        "unknown_category",
        REQUEST_HEAD.replace("land_utilities", "land_utility"),
        11,
        "unknown request category 'land_utility' (did you mean 'land_utilities'?)",
    ),
    (
        "unknown_department_of_a_task",
        REQUEST_HEAD + "  - expect: {tasks: {URBANE: ready}}\n",
        12,
        "tasks: unknown department 'URBANE' (did you mean 'URBAN'?)",
    ),
    (
        "not_the_firm_that_raised_it",
        REQUEST_HEAD + "  - as: other\n    confirm_solved:\n",
        13,
        "'other' did not open 'main'; 'firm' did",
    ),
    (
        "dispute_against_staff",
        REQUEST_HEAD + "  - as: firm\n    file_dispute: {against: urban, kind: contract, centre: HZ_XIHU, label: d}\n",
        13,
        "a dispute is against a person or a firm, not 'urban' (clerk)",
    ),
    (
        "dispute_against_oneself",
        REQUEST_HEAD + "  - as: firm\n    file_dispute: {against: firm, kind: contract, centre: HZ_XIHU, label: d}\n",
        13,
        "'firm' files a dispute against itself",
    ),
    (
        "expectation_a_dispute_has_not",
        REQUEST_HEAD.replace(
            "raise_request: land_utilities", "file_dispute: {against: other, kind: contract, centre: HZ_XIHU}"
        )
        + "  - as: urban\n    schedule_session: {at: '2026-03-04 10:00', place: online}\n"
        + "  - expect: {rating: 5}\n",
        14,
        "'rating' is not something 'main' (a dispute) has",
    ),
    (
        "confirmed_by_another_agency",
        REQUEST_HEAD.replace(
            "urban: {role: clerk, department: URBAN}", "mediator: {role: clerk, department: petition}"
        ).replace("raise_request: land_utilities", "file_dispute: {against: other, kind: neighbour, centre: HZ_XIHU}")
        + "  - as: mediator\n    confirm_agreement:\n",
        12,
        "'confirm_agreement' is done by the staff of court_mediation, not 'mediator'",
    ),
    (
        "unknown_policy",
        REQUEST_HEAD + "  - as: firm\n    find_offer: {policy: rent_relief_2026, label: o}\n",
        13,
        "unknown policy 'rent_relief_2026'",
    ),
    (
        "a_firm_finding_a_citizens_benefit",
        REQUEST_HEAD + "  - as: firm\n    find_offer: {policy: childcare_subsidy_2026, label: o}\n",
        13,
        "childcare_subsidy_2026 is for citizens, not 'firm' (company)",
    ),
    (
        "dispute_of_an_amount_nobody_reviews",
        REQUEST_HEAD
        + "  - as: firm\n    find_offer: {policy: rd_bonus_2026, label: o}\n"
        + "  - as: firm\n    case: o\n    dispute_offer: {amount: 100, reason: too little}\n",
        16,
        "policy 'rd_bonus_2026' names no review item: its amount cannot be disputed",
    ),
    (
        "offer_verb_on_a_request",
        REQUEST_HEAD + "  - as: firm\n    accept_offer:\n",
        13,
        "'accept_offer' works on offers; 'main' is request",
    ),
    (
        "records_of_staff",
        REQUEST_HEAD + "  - government_records: {of: urban, received: [rd_bonus_2026]}\n",
        12,
        "'urban' is staff: the government holds records of citizens and firms",
    ),
    (
        "budget_of_an_unknown_policy",
        REQUEST_HEAD + "  - budget_left: {policy: rd_bonus, yuan: 100}\n",
        12,
        "unknown policy 'rd_bonus' (did you mean 'rd_bonus_2026'?)",
    ),
    (
        "case_named_twice",
        REQUEST_HEAD + "  - as: firm\n    case: main\n    application: main\n    confirm_solved:\n",
        13,
        "name the case once",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "reason"), INVALID, ids=[case[0] for case in INVALID])
def test_a_step_that_does_not_fit_its_case_names_the_line_and_reason(catalog, name, text, line, reason):
    with pytest.raises(JourneyInvalid) as raised:
        read_journey(text, f"{name}.yaml", catalog)
    assert f"{name}.yaml:{line}: {reason}" in str(raised.value)


def test_a_second_case_is_addressed_by_its_label(catalog):
    text = REQUEST_HEAD + (
        "  - as: other\n    raise_request: {category: finance, label: second}\n"
        "  - as: other\n    case: second\n    confirm_solved:\n"
        "  - case: second\n    expect: {status: solved, escalated: false}\n"
    )
    journey = read_journey(text, "two.yaml", catalog)
    assert {label: case.kind for label, case in journey.applications.items()} == {"main": REQUEST, "second": REQUEST}
    assert [step.application for step in journey.steps] == ["main", "second", "second", "second"]


def test_the_library_tells_each_path_of_an_enterprise_request_with_every_request_verb(catalog):
    journeys = {path.stem: load_journey(path, catalog) for path in journey_files([LIBRARY])}
    assert {
        "request_solved_first_answer",
        "request_reopened_once",
        "request_escalated_when_late",
        "request_common_problem",
    } <= set(journeys)
    used = {step.verb for journey in journeys.values() for step in journey.steps if step.verb}
    request_verbs = {name for name, verb in VERBS.items() if verb.kinds == (REQUEST,)}
    assert request_verbs - used == set()


def test_the_library_tells_each_path_of_a_dispute_with_every_dispute_verb(catalog):
    journeys = {path.stem: load_journey(path, catalog) for path in journey_files([LIBRARY])}
    assert {
        "dispute_agreement_confirmed",
        "dispute_no_agreement_arbitration",
        "dispute_escalated_to_county",
        "dispute_other_party_never_answers",
    } <= set(journeys)
    used = {step.verb for journey in journeys.values() for step in journey.steps if step.verb}
    assert {name for name, verb in VERBS.items() if verb.kinds == (DISPUTE,)} - used == set()


def test_the_library_tells_each_path_of_an_offer_with_every_offer_verb(catalog):
    journeys = {path.stem: load_journey(path, catalog) for path in journey_files([LIBRARY])}
    assert {
        "benefit_newborn_childcare_paid",
        "benefit_firm_job_stabilisation",
        "benefit_withdrawn_no_longer_eligible",
        "benefit_budget_exhausted_wait_in_order",
        "benefit_amount_disputed_review",
    } <= set(journeys)
    used = {step.verb for journey in journeys.values() for step in journey.steps if step.verb}
    offer_verbs = {name for name, verb in VERBS.items() if verb.kinds == (OFFER,) or not verb.needs_case}
    assert offer_verbs - used == set()


def test_the_benefit_jobs_need_no_case_and_may_come_first(catalog):
    text = REQUEST_HEAD.replace(
        "  - as: firm\n    raise_request: land_utilities\n",
        "  - government_records: {of: firm, company: {size: small, headcount: 3}, insured_months: 12}\n"
        "  - benefits_sweep:\n"
        "  - as: firm\n    find_offer: job_stabilisation_refund_sme_2026\n"
        "  - expect: {status: offered, amount: 2160}\n",
    )
    journey = read_journey(text, "first.yaml", catalog)
    assert {label: case.kind for label, case in journey.applications.items()} == {"main": OFFER}


def test_a_disputed_amount_opens_the_policys_review_application_under_its_label(catalog):
    text = REQUEST_HEAD.replace(
        "  - as: firm\n    raise_request: land_utilities\n",
        "  - benefits_sweep:\n"
        "  - as: firm\n    find_offer: job_stabilisation_refund_sme_2026\n"
        "  - as: firm\n    dispute_offer: {amount: 3000, reason: twelve months insured, review: check}\n"
        "  - as: firm\n    case: check\n    withdraw: not needed after all\n",
    )
    journey = read_journey(text, "review.yaml", catalog)
    review = journey.applications["check"]
    assert (review.kind, review.service, review.applicant) == (APPLICATION, "330100-HRSS-012", "firm")
    assert [step.application for step in journey.steps][-1] == "check"
