"""A journey's staff are made by the staff service, so they obey the same rules as any staff account."""
import pytest

from services.errors import Invalid
from services.journeys.testbed import add_staff
from services.passwords import password_matches

GOOD_PASSWORD = "quiet-harbour-lantern-42"


def test_a_journey_clerk_is_enrolled_and_signs_in_with_its_password(session, catalog):
    clerk = add_staff(session=session, catalog=catalog, username="Journey.Clerk", full_name="", role="clerk",
                      department="TRANSPORT", password=GOOD_PASSWORD)
    assert (clerk.login_name, clerk.full_name, clerk.department) == ("journey.clerk", "Journey.Clerk", "TRANSPORT")
    assert clerk.totp_secret
    assert password_matches(clerk.password_hash, GOOD_PASSWORD)


@pytest.mark.parametrize("changes, field", [
    ({"password": "password"}, "password"),
    ({"username": "no spaces"}, "username"),
    ({"department": None}, "department"),
    ({"role": "citizen", "department": None}, "role"),
])
def test_a_journey_cannot_make_staff_the_service_refuses(session, catalog, changes, field):
    asked = dict(username="journey_clerk", full_name="", role="clerk", department="TRANSPORT",
                 password=GOOD_PASSWORD) | changes
    with pytest.raises(Invalid) as refused:
        add_staff(session=session, catalog=catalog, **asked)
    assert field in refused.value.errors


def test_a_journey_cannot_make_the_same_staff_member_twice(session, catalog):
    asked = dict(username="journey_clerk", full_name="", role="clerk", department="TRANSPORT", password=GOOD_PASSWORD)
    add_staff(session=session, catalog=catalog, **asked)
    with pytest.raises(Invalid) as refused:
        add_staff(session=session, catalog=catalog, **asked)
    assert "username" in refused.value.errors
