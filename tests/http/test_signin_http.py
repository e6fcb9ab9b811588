"""Sign-in through the Flask test client: throttling, server-side sessions, caps (issue #12: 1, 2, 8, 12)."""

import re
from datetime import timedelta

from sqlmodel import select

from services import clock
from services.models import SignInAttempt
from tests.factories import PASSWORD, make_citizen, make_staff

WRONG = "wrong-password-123"


def _try(web, login, password, **headers):
    return web.post("/login", {"login": login, "password": password}, environ_base=headers)


def _signed_in_as(web, user) -> bool:
    return user.full_name in web.get("/applications" if user.is_applicant else "/").get_data(as_text=True)


def test_a_burst_of_wrong_passwords_locks_the_account_and_the_right_one_no_longer_gets_in(web, db):
    citizen = make_citizen(db, mobile="13800000001")
    for _ in range(5):
        _try(web, "13800000001", WRONG)
    page = _try(web, "13800000001", PASSWORD)
    assert page.status_code == 200
    assert "Try again in 15 minutes" in page.get_data(as_text=True) or "15 分钟后再试" in page.get_data(as_text=True)
    assert not _signed_in_as(web, citizen)


def test_a_locked_account_and_an_unknown_one_answer_alike(web, other_web, db):
    make_citizen(db, mobile="13800000001")
    answers = []
    for browser, login in ((web, "13800000001"), (other_web, "13899999999")):
        for _ in range(5):
            _try(browser, login, WRONG)
        page = _try(browser, login, WRONG)
        answers.append(
            (page.status_code, re.findall(r'<div class="alert[^>]*>[^<]*</div>', page.get_data(as_text=True)))
        )
    assert answers[0] == answers[1]
    assert "15" in answers[0][1][0]


def test_the_lock_lifts_after_the_window_on_the_wall_clock(web, db, wall):
    citizen = make_citizen(db)
    for _ in range(5):
        _try(web, citizen.login_name, WRONG)
    wall.advance(timedelta(minutes=16))
    web.login(citizen.login_name)
    assert _signed_in_as(web, citizen)


def test_failed_sign_ins_are_recorded_with_who_from_where_and_when(web, db, wall):
    _try(web, "Nobody.Here", WRONG, REMOTE_ADDR="203.0.113.7")
    attempt = db.exec(select(SignInAttempt)).one()
    assert (attempt.login_name, attempt.address, attempt.outcome) == ("nobody.here", "203.0.113.7", "failed")
    assert clock.to_china(attempt.at) == clock.to_china(wall.now())


def test_a_flood_from_one_address_answers_429_with_retry_after(app, web, db):
    app.config["SIGNIN_ADDRESS_FAILURES"] = 10
    citizen = make_citizen(db)
    for n in range(10):
        assert _try(web, f"someone{n}", WRONG, REMOTE_ADDR="198.51.100.1").status_code == 200
    refused = _try(web, citizen.login_name, PASSWORD, REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert _try(web, citizen.login_name, PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_a_successful_sign_in_does_not_reset_the_address_counter(app, web, db):
    app.config["SIGNIN_ADDRESS_FAILURES"] = 4
    citizen = make_citizen(db)
    for n in range(3):
        _try(web, f"someone{n}", WRONG)
    assert _try(web, citizen.login_name, PASSWORD).status_code == 302
    web.post("/logout")
    _try(web, "someone9", WRONG)
    assert _try(web, citizen.login_name, PASSWORD).status_code == 429


def test_logout_ends_the_session_even_for_a_saved_cookie(web, db):
    citizen = make_citizen(db)
    web.login(citizen.login_name)
    saved = web.client.get_cookie("session").value
    web.post("/logout")
    web.client.set_cookie("session", saved)
    assert not _signed_in_as(web, citizen)
    assert web.get("/applications").status_code == 302


def test_the_session_id_is_new_at_sign_in(web, other_web, db):
    citizen = make_citizen(db)
    web.get("/login")
    before = web.client.get_cookie("session").value
    web.login(citizen.login_name)
    other_web.client.set_cookie("session", before)  # planted before sign-in: gains nothing
    assert web.client.get_cookie("session").value != before
    assert not _signed_in_as(other_web, citizen)


def test_staff_are_signed_out_after_30_idle_minutes_and_applicants_after_2_hours(web, other_web, db, wall):
    clerk, citizen = make_staff(db, "clerk", "PSB"), make_citizen(db)
    web.login(clerk.login_name)
    other_web.login(citizen.login_name)
    wall.advance(timedelta(minutes=29))
    assert _signed_in_as(web, clerk) and _signed_in_as(other_web, citizen)
    wall.advance(timedelta(minutes=30))
    assert _signed_in_as(other_web, citizen)
    assert not _signed_in_as(web, clerk)
    wall.advance(timedelta(hours=2))
    assert not _signed_in_as(other_web, citizen)


def test_a_busy_staff_session_still_ends_after_its_lifetime(web, db, wall):
    clerk = make_staff(db, "clerk", "PSB")
    web.login(clerk.login_name)
    for _ in range(12 * 3 - 1):
        wall.advance(timedelta(minutes=20))
        assert _signed_in_as(web, clerk)
    wall.advance(timedelta(minutes=20))
    assert not _signed_in_as(web, clerk)


def test_moving_the_business_clock_by_days_signs_nobody_out(web, db, frozen):
    clerk = make_staff(db, "clerk", "PSB")
    web.login(clerk.login_name)
    frozen.advance(timedelta(days=3))
    assert _signed_in_as(web, clerk)


def test_sign_out_everywhere_ends_every_session_of_the_account(web, other_web, db):
    citizen, neighbour = make_citizen(db), make_citizen(db)
    web.login(citizen.login_name)
    other_web.login(citizen.login_name)
    third = type(web)(web.client.application.test_client())
    third.login(neighbour.login_name)
    assert "Sign out everywhere" in web.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert web.post("/account/sign-out-everywhere").status_code == 302
    assert not _signed_in_as(web, citizen) and not _signed_in_as(other_web, citizen)
    assert _signed_in_as(third, neighbour)


def test_an_overlong_login_or_password_is_refused_by_the_form_before_anything_else(web, db):
    page = _try(web, "1" * 65, WRONG)
    assert 'id="login-error"' in page.get_data(as_text=True)
    page = _try(web, "13800000001", "x" * 129)
    assert 'id="password-error"' in page.get_data(as_text=True)
    assert db.exec(select(SignInAttempt)).all() == []


def test_login_folds_full_width_digits_and_letters(web, db):
    citizen = make_citizen(db)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in citizen.login_name)
    response = web.post("/login", {"login": full_width, "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(web, citizen)
