"""The engine's two halves agree: one subject judged in Python, everyone at once in one SQL query."""

import random
from datetime import date

import pytest

from services.benefits import eligible_subjects, judge, read_subject
from tests.benefit_world import PolicyMaker, World

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
