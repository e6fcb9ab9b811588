"""Accounts through the Flask test client, with CSRF on."""

import re

from tests.factories import PASSWORD, credit_code, id_number, make_citizen, make_company, make_staff

GOOD_ID = id_number(11)
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")


def _register(web, **overrides):
    data = {
        "full_name": "张小红",
        "id_number": GOOD_ID,
        "mobile": "13912345678",
        "address": "杭州市上城区解放路 1 号",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return web.post("/register", data)


def test_register_with_a_bad_check_digit_names_the_field_and_keeps_the_rest(web):
    page = _register(web, id_number=BAD_ID)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "check digit" in html or "校验码" in html
    assert 'value="张小红"' in html and 'value="13912345678"' in html and f'value="{BAD_ID}"' in html
    assert 'id="id_number-error"' in html


def test_register_then_log_in(web):
    registered = _register(web)
    assert registered.status_code == 302 and registered.headers["Location"] == "/login"
    web.login(GOOD_ID)
    assert "张小红" in web.get("/").get_data(as_text=True)


def _answer(browser, response) -> tuple:
    """What a visitor learns from a registration: status, where it leads, the message shown there."""
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.headers["Location"], re.findall(r'<div class="alert[^>]*>[^<]*</div>', page)


def test_registration_answers_the_same_for_a_taken_and_a_free_number_and_tells_the_owner(web, other_web, db):
    from sqlmodel import select

    from services.models import Notification, User

    owner = make_citizen(db, id_number=GOOD_ID)
    taken = _register(web)
    free = _register(other_web, id_number=id_number(12))
    assert _answer(web, taken) == _answer(other_web, free)
    assert "已注册" not in str(_answer(web, taken)) and "already" not in str(_answer(web, taken))
    assert owner.full_name not in web.get("/").get_data(as_text=True)
    assert db.exec(select(User).where(User.id_number == GOOD_ID)).one().id == owner.id
    told = db.exec(select(Notification).where(Notification.user_id == owner.id)).all()
    assert {n.channel for n in told} >= {"in_app", "sms"}


def test_company_registration_checks_the_credit_code(web):
    code = credit_code(5)
    bad = code[:-1] + ("1" if code[-1] != "1" else "2")
    page = web.post(
        "/register/company",
        {
            "company_name": "杭州某某有限公司",
            "credit_code": bad,
            "legal_representative": "李四",
            "mobile": "13712345678",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert 'id="credit_code-error"' in page.get_data(as_text=True)
    ok = web.post(
        "/register/company",
        {
            "company_name": "杭州某某有限公司",
            "credit_code": code,
            "legal_representative": "李四",
            "mobile": "13712345678",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert ok.status_code == 302


def test_each_role_logs_in_through_the_real_form(web, db):
    users = [
        make_citizen(db),
        make_company(db),
        make_staff(db, "front_desk"),
        make_staff(db, "clerk", "PSB"),
        make_staff(db, "supervisor"),
    ]
    for user in users:
        web.login(user.login_name)
        assert user.full_name in web.get("/").get_data(as_text=True)
        assert web.post("/logout").status_code == 302
        assert user.full_name not in web.get("/").get_data(as_text=True)


def test_a_citizen_can_log_in_with_the_mobile_number(web, db):
    citizen = make_citizen(db)
    web.login(citizen.mobile)


def test_login_failure_does_not_say_which_part_was_wrong(web, db):
    citizen = make_citizen(db)
    wrong_password = web.post("/login", {"login": citizen.login_name, "password": "nope-nope-nope"}).get_data(
        as_text=True
    )
    unknown_user = web.post("/login", {"login": "330106190001010000", "password": PASSWORD}).get_data(as_text=True)

    # CSRF tokens carry a timestamp, so two pages a second apart differ there and nowhere else.
    def strip(html, login):
        html = re.sub(r'(csrf[-_]token"[^>]*?(?:content|value)=)"[^"]*"', r"\1T", html)
        return html.replace(login, "X")

    assert strip(wrong_password, citizen.login_name) == strip(unknown_user, "330106190001010000")


def test_next_goes_only_to_local_paths(web, db):
    citizen = make_citizen(db)
    for target, expected in [
        ("/wallet", "/wallet"),
        ("https://evil.example/", "/applications"),
        ("//evil.example/", "/applications"),
        ("/\\evil.example", "/applications"),
    ]:
        response = web.post("/login", {"login": citizen.login_name, "password": PASSWORD, "next": target})
        assert response.headers["Location"] == expected
        web.post("/logout")


def test_logout_is_a_post(web, db):
    web.login(make_citizen(db).login_name)
    assert web.get("/logout").status_code == 405


def test_a_post_without_csrf_token_is_refused(web, db):
    citizen = make_citizen(db)
    response = web.post("/login", {"login": citizen.login_name, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    web.login(citizen.login_name)
    assert web.post("/logout", csrf=False).status_code == 400


def test_language_switch_and_browser_default(web):
    assert "Services" in web.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    chinese = web.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in chinese
    web.post("/language", {"lang": "en", "next": "/search?q=x"})
    assert 'lang="en"' in web.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_an_optional_email_is_checked_and_then_receives_messages(web, db, catalog):
    from sqlmodel import select

    from services.models import Notification, User
    from services.notifications import notify

    page = _register(web, email="not-an-address")
    assert 'id="email-error"' in page.get_data(as_text=True) and 'value="张小红"' in page.get_data(as_text=True)
    assert _register(web, email="xiaohong@example.cn").status_code == 302
    user = db.exec(select(User).where(User.id_number == GOOD_ID)).one()
    notify(db, user=user, template="hello")
    db.commit()
    channels = {n.channel for n in db.exec(select(Notification).where(Notification.user_id == user.id))}
    assert channels == {"in_app", "sms", "email"}
