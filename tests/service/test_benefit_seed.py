"""The seeded city holds the data the policies read, and each policy finds some of it, both ways alike."""

import functools
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select
from werkzeug.security import generate_password_hash

from seeding import SeedOptions, seed_city
from services import passwords
from services.benefits import eligible_subjects, judge, read_subject
from services.catalog import default_catalog
from services.db import create_schema, make_engine, new_session
from services.models import CompanyRecord, ResidentRecord, Role, User

AS_OF = date(2026, 11, 22)
OPTIONS = SeedOptions(applications=60, slow_cases=12, citizens=500, companies=90, seed=11, as_of=AS_OF)


@pytest.fixture(scope="module")
def city_folder(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        quick = functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
        patch.setattr(passwords, "generate_password_hash", quick)
        folder = tmp_path_factory.mktemp("benefit-city")
        engine = make_engine(f"sqlite:///{folder / 'seed.db'}")
        create_schema(engine)
        seed_city(engine=engine, catalog=default_catalog(), upload_folder=folder / "uploads", options=OPTIONS)
        engine.dispose()
    return folder


@pytest.fixture(scope="module")
def city(city_folder):
    engine = make_engine(f"sqlite:///{city_folder / 'seed.db'}")
    with new_session(engine) as session:
        yield session
    engine.dispose()


def _ids(session, role):
    return list(session.exec(select(User.id).where(User.role == role)))


def test_every_citizen_and_firm_is_on_its_register(city):
    assert set(_ids(city, Role.CITIZEN)) == set(city.exec(select(ResidentRecord.user_id)))
    assert set(_ids(city, Role.COMPANY)) == set(city.exec(select(CompanyRecord.user_id)))
    sizes = dict(city.exec(select(CompanyRecord.size, func.count()).group_by(CompanyRecord.size)).all())
    assert sizes["micro"] > sizes["small"] > sizes.get("large", 0)


def test_each_policy_finds_some_but_not_most_of_its_audience(city, catalog):
    audience = {"citizens": len(_ids(city, Role.CITIZEN)), "companies": len(_ids(city, Role.COMPANY))}
    shares = {}
    for policy in catalog.policies.values():
        found = eligible_subjects(session=city, policy=policy, today=AS_OF)
        shares[policy.code] = len(found) / audience[policy.audience]
    assert all(0 < share < 0.6 for share in shares.values()), shares


def test_on_the_seeded_city_the_query_and_the_python_judge_agree_on_everyone(city, catalog):
    subjects = [
        read_subject(session=city, subject_id=subject_id, today=AS_OF)
        for subject_id in _ids(city, Role.CITIZEN) + _ids(city, Role.COMPANY)
    ]
    for policy in catalog.policies.values():
        by_query = eligible_subjects(session=city, policy=policy, today=AS_OF)
        in_python = {}
        for subject in subjects:
            verdict = judge(policy, subject)
            if verdict.eligible:
                in_python[subject.user.id] = verdict.amount_fen
        assert by_query == in_python, policy.code
