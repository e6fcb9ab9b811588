"""A journey's staff are made by the staff service, so they obey the same rules as any staff account."""

import pytest

from app import create_app
from journeys.testbed import add_staff
from services import clock
from services.db import create_schema
from services.errors import Invalid
from services.passwords import password_matches

GOOD_PASSWORD = "quiet-harbour-lantern-42"


def test_a_journey_clerk_is_enrolled_and_signs_in_with_its_password(session, catalog):
    clerk = add_staff(
        session=session,
        catalog=catalog,
        username="Journey.Clerk",
        full_name="",
        role="clerk",
        department="TRANSPORT",
        password=GOOD_PASSWORD,
    )
    assert (clerk.login_name, clerk.full_name, clerk.department) == ("journey.clerk", "Journey.Clerk", "TRANSPORT")
    assert clerk.totp_secret
    assert password_matches(clerk.password_hash, GOOD_PASSWORD)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"password": "password"}, "password"),
        ({"username": "no spaces"}, "username"),
        ({"department": None}, "department"),
        ({"role": "citizen", "department": None}, "role"),
    ],
)
def test_a_journey_cannot_make_staff_the_service_refuses(session, catalog, changes, field):
    asked = (
        dict(username="journey_clerk", full_name="", role="clerk", department="TRANSPORT", password=GOOD_PASSWORD)
        | changes
    )
    with pytest.raises(Invalid) as refused:
        add_staff(session=session, catalog=catalog, **asked)
    assert field in refused.value.errors


def test_a_journey_cannot_make_the_same_staff_member_twice(session, catalog):
    asked = dict(username="journey_clerk", full_name="", role="clerk", department="TRANSPORT", password=GOOD_PASSWORD)
    add_staff(session=session, catalog=catalog, **asked)
    with pytest.raises(Invalid) as refused:
        add_staff(session=session, catalog=catalog, **asked)
    assert "username" in refused.value.errors


def test_the_test_mode_endpoint_answers_a_refused_staff_member_in_plain_json(tmp_path):
    previous = clock.current_clock()  # test mode installs the virtual clock for the whole process
    app = create_app(
        {
            "APP_ENV": "test",
            "SECRET_KEY": "testbed-key-long-enough-for-any-environment",
            "DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}",
            "UPLOAD_FOLDER": str(tmp_path / "up"),
            "VIRTUAL_CLOCK_FILE": str(tmp_path / "clock"),
        }
    )
    create_schema(app.extensions["engine"])
    try:
        answer = app.test_client().post(
            "/_test/staff",
            json={"username": "journey_clerk", "role": "clerk", "department": "TRANSPORT", "password": "short"},
        )
        assert answer.status_code == 422
        assert answer.get_json()["errors"] == {"password": "Password must be at least 12 characters."}
    finally:
        app.extensions["engine"].dispose()
        clock.use_clock(previous)
