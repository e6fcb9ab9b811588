"""The staff second factor through the real pages: enrolment, codes, replay, recovery codes."""

import re

from sqlmodel import select

from services.models import RecoveryCode, User
from services.second_factor import current_code, current_step
from tests.factories import PASSWORD, STAFF_TOTP_SECRET, make_citizen, make_staff

EN = {"Accept-Language": "en"}


def _password(web, login):
    return web.post("/login", {"login": login, "password": PASSWORD})


def test_after_the_password_every_staff_page_leads_to_the_second_factor(web, db):
    clerk = make_staff(db, "clerk", "PSB")
    assert _password(web, clerk.login_name).headers["Location"] == "/login/code"
    for path in ("/", "/clerk/tasks", "/supervisor", "/account", "/desk"):
        response = web.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/login/code", path
    assert clerk.full_name not in web.get("/login/code").get_data(as_text=True)


def test_a_wrong_code_keeps_the_staff_member_out(web, db):
    clerk = make_staff(db, "clerk", "PSB")
    _password(web, clerk.login_name)
    page = web.post("/login/code", {"code": "000000" if current_code(STAFF_TOTP_SECRET) != "000000" else "111111"})
    assert 'id="code-error"' in page.get_data(as_text=True)
    assert web.get("/clerk/tasks").headers["Location"] == "/login/code"


def test_a_code_is_refused_the_second_time(web, other_web, db):
    clerk = make_staff(db, "clerk", "PSB")
    code = current_code(STAFF_TOTP_SECRET)
    _password(web, clerk.login_name)
    assert web.post("/login/code", {"code": code}).status_code == 302
    _password(other_web, clerk.login_name)
    replay = other_web.post("/login/code", {"code": code})
    assert replay.status_code == 200 and 'id="code-error"' in replay.get_data(as_text=True)


def test_enrolment_shows_a_qr_code_and_the_key_then_hands_out_ten_recovery_codes_once(web, db):
    clerk = make_staff(db, "clerk", "PSB", totp_secret=None)
    assert _password(web, clerk.login_name).headers["Location"] == "/login/enrol"
    assert web.get("/login/code").headers["Location"] == "/login/enrol"
    assert web.get("/desk").headers["Location"] == "/login/code"
    page = web.get("/login/enrol", headers=EN).get_data(as_text=True)
    assert "<svg" in page and "<script" not in page.split("<main")[1].split("</main>")[0]
    secret = re.search(r'id="otp-secret">([A-Z2-7]+)<', page).group(1)
    assert secret == re.search(r'id="otp-secret">([A-Z2-7]+)<', web.get("/login/enrol").get_data(as_text=True)).group(1)
    done = web.post("/login/enrol", {"code": current_code(secret)}).get_data(as_text=True)
    codes = re.findall(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>", done)
    assert len(set(codes)) == 10
    assert clerk.full_name in web.get("/").get_data(as_text=True)
    db.expire_all()
    stored = db.exec(select(RecoveryCode).where(RecoveryCode.user_id == clerk.id)).all()
    assert len(stored) == 10 and not {row.code_hash for row in stored} & set(codes)
    assert db.get(User, clerk.id).totp_secret == secret


def test_enrolment_refuses_a_wrong_first_code(web, db):
    clerk = make_staff(db, "clerk", "PSB", totp_secret=None)
    _password(web, clerk.login_name)
    page = web.post("/login/enrol", {"code": "12345"}).get_data(as_text=True)
    assert 'id="code-error"' in page
    db.expire_all()
    assert db.get(User, clerk.id).totp_secret is None


def test_a_recovery_code_signs_in_once(web, other_web, db):
    clerk = make_staff(db, "clerk", "PSB", totp_secret=None)
    _password(web, clerk.login_name)
    secret = re.search(r'id="otp-secret">([A-Z2-7]+)<', web.get("/login/enrol").get_data(as_text=True)).group(1)
    codes = re.findall(
        r"<li>([0-9a-f-]{13})</li>", web.post("/login/enrol", {"code": current_code(secret)}).get_data(as_text=True)
    )
    web.post("/logout")
    _password(web, clerk.login_name)
    assert web.post("/login/code", {"code": codes[0].upper()}).status_code == 302
    _password(other_web, clerk.login_name)
    assert other_web.post("/login/code", {"code": codes[0]}).status_code == 200


def test_wrong_codes_count_towards_the_account_lock(web, db):
    clerk = make_staff(db, "clerk", "PSB")
    wrong = current_code(STAFF_TOTP_SECRET, current_step(STAFF_TOTP_SECRET) + 5)
    _password(web, clerk.login_name)
    for _ in range(5):
        web.post("/login/code", {"code": wrong})
    page = web.post("/login/code", {"code": current_code(STAFF_TOTP_SECRET)}, headers=EN).get_data(as_text=True)
    assert "Try again in" in page
    assert web.get("/").headers.get("Location") == "/login/code"


def test_applicants_need_no_second_factor(web, db):
    citizen = make_citizen(db)
    assert _password(web, citizen.login_name).headers["Location"] == "/applications"
