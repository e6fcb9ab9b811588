"""The sweep judges many policies at once, and an incremental sweep judges only the subjects asked for:
both give each subject the answer the per-person judge gives."""

import random
from datetime import date

import pytest

from services.benefits import eligible_subjects, judge, read_subject, sweep_policies
from tests.benefit_world import POLICY_CODES, PolicyMaker, World

TODAY = date(2026, 12, 7)


def _in_python(policy, subjects: dict) -> dict[int, int]:
    verdicts = {subject_id: judge(policy, subject) for subject_id, subject in subjects.items()}
    return {subject_id: verdict.amount_fen for subject_id, verdict in verdicts.items() if verdict.eligible}


def _world(session, seed: int) -> tuple[random.Random, dict]:
    rng = random.Random(seed)
    ids = sum(World(session, rng, TODAY).populate(citizens=60, firms=40), [])
    return rng, {subject_id: read_subject(session=session, subject_id=subject_id, today=TODAY) for subject_id in ids}


def _policies(rng, catalog) -> list:
    """Three random policies (their codes are those the world's grants and exclusions name) and the shipped ones."""
    keys = {code: cert.data_keys for code, cert in catalog.certificate_types.items()}
    maker = PolicyMaker(rng, keys, TODAY)
    return [maker.policy(code)[0] for code in POLICY_CODES] + list(catalog.policies.values())


@pytest.mark.parametrize("seed", range(11, 15))
def test_policies_swept_together_find_what_the_judge_finds_for_each(session, catalog, seed):
    rng, subjects = _world(session, seed)
    for _ in range(6):
        policies = _policies(rng, catalog)
        swept = sweep_policies(session=session, policies=policies, today=TODAY)
        assert set(swept) == {policy.code for policy in policies}
        for policy in policies:
            assert swept[policy.code] == _in_python(policy, subjects), policy.code


@pytest.mark.parametrize("seed", range(21, 25))
def test_an_incremental_sweep_answers_for_the_subjects_asked_as_the_full_sweep_and_the_judge_do(session, catalog, seed):
    rng, subjects = _world(session, seed)
    unknown = max(subjects) + 1000  # no such subject: judged as no one
    for _ in range(6):
        policies = _policies(rng, catalog)
        everyone = sweep_policies(session=session, policies=policies, today=TODAY)
        among = set(rng.sample(sorted(subjects), rng.randint(0, len(subjects)))) | {unknown}
        some = sweep_policies(session=session, policies=policies, today=TODAY, among=among)
        asked = {subject_id: subject for subject_id, subject in subjects.items() if subject_id in among}
        for policy in policies:
            expected = {
                subject_id: amount for subject_id, amount in everyone[policy.code].items() if subject_id in among
            }
            assert some[policy.code] == expected, policy.code
            assert some[policy.code] == _in_python(policy, asked), policy.code


def test_incremental_sweeps_follow_one_another_in_one_transaction(session, catalog):
    rng, subjects = _world(session, 31)
    policies = _policies(rng, catalog)
    for _ in range(3):  # each leaves no table of subjects behind to trip the next
        among = rng.sample(sorted(subjects), 20)
        found = sweep_policies(session=session, policies=policies, today=TODAY, among=among)
        for policy in policies:
            expected = _in_python(policy, {subject_id: subjects[subject_id] for subject_id in among})
            assert found[policy.code] == expected, policy.code
    session.commit()


def test_no_subject_asked_is_no_one_found(session, catalog):
    policy = catalog.policies["elderly_allowance_2026"]
    assert eligible_subjects(session=session, policy=policy, today=TODAY, among=[]) == {}
