"""The sign-in services on a temporary database: the throttle and the sessions, on the wall clock."""

from datetime import timedelta

import pytest
from sqlmodel import select

from services import accounts, signin
from services.errors import Throttled
from services.models import SignInSession
from services.signin import SignInPolicy, end_session, resume_session, sign_in
from tests.factories import PASSWORD, make_citizen, make_staff

POLICY = SignInPolicy()


def _sign_in(session, login, password=PASSWORD, address="192.0.2.1"):
    return sign_in(session=session, login=login, password=password, address=address, policy=POLICY)


def test_a_locked_login_is_answered_without_checking_the_password(session, monkeypatch):
    citizen = make_citizen(session)
    for _ in range(5):
        _sign_in(session, citizen.login_name, "wrong-password-1")
    checked = []
    monkeypatch.setattr(signin, "check_password", lambda **kwargs: checked.append(kwargs))
    result = _sign_in(session, citizen.login_name)
    assert result.user is None and result.retry_minutes == 15 and checked == []


def test_the_lock_counts_only_failures_since_the_last_success(session, wall):
    citizen = make_citizen(session)
    for _ in range(4):
        _sign_in(session, citizen.login_name, "wrong-password-1")
    wall.advance(timedelta(seconds=1))
    assert _sign_in(session, citizen.login_name).user.id == citizen.id
    wall.advance(timedelta(seconds=1))
    assert _sign_in(session, citizen.login_name, "wrong-password-1").retry_minutes is None


def test_locked_attempts_do_not_extend_the_lock(session, wall):
    citizen = make_citizen(session)
    for _ in range(5):
        _sign_in(session, citizen.login_name, "wrong-password-1")
    for _ in range(10):
        wall.advance(timedelta(minutes=1))
        _sign_in(session, citizen.login_name, "wrong-password-1")
    wall.advance(timedelta(minutes=5, seconds=1))
    assert _sign_in(session, citizen.login_name).user.id == citizen.id


def test_an_address_flood_raises_throttled_with_the_seconds_to_wait(session):
    policy = SignInPolicy(address_failures=3)
    for n in range(3):
        sign_in(session=session, login=f"nobody{n}", password="x", address="192.0.2.9", policy=policy)
    with pytest.raises(Throttled) as refused:
        sign_in(session=session, login="nobody", password="x", address="192.0.2.9", policy=policy)
    assert 0 < refused.value.retry_after <= 15 * 60


def test_only_the_hash_of_the_session_id_is_stored(session):
    token = _sign_in(session, make_citizen(session).login_name).token
    row = session.exec(select(SignInSession)).one()
    assert token not in row.token_hash and row.token_hash == signin.token_digest(token)


def test_last_seen_is_written_at_most_once_a_minute(session, wall):
    token = _sign_in(session, make_citizen(session).login_name).token
    first = session.exec(select(SignInSession)).one().last_seen_at
    wall.advance(timedelta(seconds=50))
    resume_session(session=session, token=token, policy=POLICY)
    assert session.exec(select(SignInSession)).one().last_seen_at == first
    wall.advance(timedelta(seconds=20))
    resume_session(session=session, token=token, policy=POLICY)
    assert session.exec(select(SignInSession)).one().last_seen_at > first


def test_a_staff_password_alone_gives_a_session_that_is_not_complete(session):
    clerk = make_staff(session, "clerk", "PSB")
    result = _sign_in(session, clerk.login_name)
    assert result.second_factor_needed
    assert not resume_session(session=session, token=result.token, policy=POLICY).complete


def test_an_ended_session_does_not_resume(session):
    token = _sign_in(session, make_citizen(session).login_name).token
    end_session(session=session, token=token)
    assert resume_session(session=session, token=token, policy=POLICY) is None


def test_the_login_is_normalised_as_registration_normalises_numbers():
    assert accounts.normalise_login(" ３３０１０６１９９００１０１００１x ") == "33010619900101001X"
    assert accounts.normalise_login("Clerk.PSB") == "clerk.psb"
