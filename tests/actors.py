"""The cast of the access tests, and the one place a test client signs one of them in.

Signing in may gain steps (a second factor for staff); `sign_in` is the function to adapt.
"""

from dataclasses import dataclass

from services.models import Role, User
from tests.factories import make_citizen, make_company, make_staff

ANONYMOUS = "anonymous"
CITIZEN_A = "citizen_a"
CITIZEN_B = "citizen_b"
COMPANY = "company"
FRONT_DESK = "front_desk"
CLERK_HRSS = "clerk_hrss"  # social security
CLERK_AMR = "clerk_amr"  # market regulation
SUPERVISOR_AMR = "supervisor_amr"
SUPERVISOR_CITY = "supervisor_city"
ACTORS = (ANONYMOUS, CITIZEN_A, CITIZEN_B, COMPANY, FRONT_DESK, CLERK_HRSS, CLERK_AMR, SUPERVISOR_AMR, SUPERVISOR_CITY)


@dataclass(frozen=True)
class Cast:
    users: dict[str, User]

    def __getitem__(self, name: str) -> User:
        return self.users[name]


def make_cast(session) -> Cast:
    return Cast(
        {
            CITIZEN_A: make_citizen(session),
            CITIZEN_B: make_citizen(session),
            COMPANY: make_company(session),
            FRONT_DESK: make_staff(session, Role.FRONT_DESK),
            CLERK_HRSS: make_staff(session, Role.CLERK, "HRSS"),
            CLERK_AMR: make_staff(session, Role.CLERK, "AMR"),
            SUPERVISOR_AMR: make_staff(session, Role.SUPERVISOR, "AMR"),
            SUPERVISOR_CITY: make_staff(session, Role.SUPERVISOR, None),
        }
    )


def sign_in(browser, user: User) -> None:
    """Sign `user` in through the real form, as a person would."""
    browser.login(user.login_name)
