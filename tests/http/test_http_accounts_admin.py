"""The city supervisor administers staff accounts through the pages, CSRF on."""

import re

import pytest
from sqlmodel import select

from services.models import AuditEvent, Role, User
from tests.factories import make_staff


@pytest.fixture(autouse=True)
def in_english(web):
    web.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_a_city_supervisor_adds_a_clerk_who_signs_in_with_the_password_shown_once(web, other_web, db):
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    added = web.post(
        "/supervisor/accounts",
        {"username": "chen.clerk", "full_name": "陈办事", "role": "clerk", "department": "HRSS"},
    )
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    password = re.search(r'<code class="fs-5">([^<]+)</code>', html).group(1)
    clerk = db.exec(select(User).where(User.login_name == "chen.clerk")).one()
    assert password not in (clerk.password_hash or "")
    # The new clerk's first sign-in: the password works, then the second step is set up.
    response = other_web.post("/login", {"login": "chen.clerk", "password": password})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/")
    assert [e.event for e in db.exec(select(AuditEvent).where(AuditEvent.chain == f"staff:{clerk.id}"))] == [
        "staff.add"
    ]


def test_bad_account_details_name_each_field_and_keep_what_was_typed(web, db):
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    response = web.post(
        "/supervisor/accounts", {"username": "bad name!", "full_name": "王五", "role": "clerk", "department": ""}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Username may hold letters, digits, dots and underscores." in html
    assert "A department clerk needs a department." in html
    assert 'value="bad name!"' in html and 'value="王五"' in html
    assert db.exec(select(User).where(User.full_name == "王五")).first() is None


def test_closing_the_last_city_supervisor_is_refused_in_words(web, db):
    me = make_staff(db, Role.SUPERVISOR)
    web.login(me.login_name)
    response = web.post(f"/supervisor/accounts/{me.id}/close", {"reason": "退休"}, follow_redirects=True)
    assert "the city needs at least one active city supervisor" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, me.id).is_active


def test_a_department_supervisor_may_not_administer_accounts(web, db):
    web.login(make_staff(db, Role.SUPERVISOR, "HRSS").login_name)
    assert web.get("/supervisor/accounts").status_code == 403
