"""The one access policy: who may see and do what, asked by every route and every service.

Applicants see their own applications, files and certificates. Staff never see a draft, and see
a certificate only through a case they may see that uses or issued it.
The front desk is the one window for every department, so it sees every submitted case.
A clerk or a supervisor with a department sees the cases that department handles, and
only its tasks, extensions and rectifications. A supervisor without a department works
for the city: every case, every department's lists, and the working-day calendar, which
moves every department's deadlines.

A row outside the actor's view is "not found", never "not allowed", so a key tells
nobody that a case exists. "Not allowed" is for a kind of account that may never do a thing.
"""

from dataclasses import dataclass

from services.catalog import Catalog
from services.catalog.editions import filed_catalog
from services.errors import NotAllowed, NotFound
from services.i18n import N_
from services.models import Application, ApplicationStatus, Certificate, Role, Task, User

# --- who is who ----------------------------------------------------------------------------


def is_city_supervisor(actor: User | None) -> bool:
    return actor is not None and actor.role == Role.SUPERVISOR and not actor.department


def is_supervisor_of(actor: User | None, department: str) -> bool:
    """A supervisor of `department`, or of the whole city."""
    return actor is not None and actor.role == Role.SUPERVISOR and actor.department in (None, department)


def is_clerk_of(actor: User | None, department: str) -> bool:
    return actor is not None and actor.role == Role.CLERK and bool(actor.department) and actor.department == department


def is_front_desk(actor: User | None) -> bool:
    return actor is not None and actor.role == Role.FRONT_DESK


def watched_department(actor: User) -> str | None:
    """The one department a supervisor's lists and figures are limited to; None for the city."""
    return actor.department if actor.role == Role.SUPERVISOR else None


# --- seeing rows ---------------------------------------------------------------------------


def owns(actor: User | None, application: Application) -> bool:
    """The applicant's own application: the only one they may edit, submit, withdraw or rate."""
    return actor is not None and actor.id == application.applicant_id


def may_apply_for(actor: User, service) -> bool:
    """Each service is for citizens, companies or both (its catalogue entry says which)."""
    return actor.role in service.applicant_types


def may_view_application(actor: User | None, application: Application, catalog: Catalog) -> bool:
    if actor is None:
        return False
    if owns(actor, application):
        return True
    if application.status == ApplicationStatus.DRAFT:
        return False
    if actor.role == Role.FRONT_DESK or is_city_supervisor(actor):
        return True
    if actor.role in (Role.CLERK, Role.SUPERVISOR):
        return (
            bool(actor.department)
            and actor.department in filed_catalog(catalog, application).service(application.service_code).departments
        )
    return False


def may_view_certificate(
    actor: User | None, certificate: Certificate, cases: list[Application], catalog: Catalog
) -> bool:
    """Its holder; staff only while a case they may see uses or issued it (`cases`)."""
    if actor is None:
        return False
    if actor.id == certificate.owner_id:
        return True
    return actor.is_staff and any(may_view_application(actor, case, catalog) for case in cases)


def may_view_task(actor: User | None, task: Task) -> bool:
    """Tasks are staff work: the front desk (deliveries, notices) and the task's own department."""
    return is_front_desk(actor) or is_clerk_of(actor, task.department) or is_supervisor_of(actor, task.department)


def may_decide_for(actor: User | None, department: str) -> bool:
    """Extensions and rectifications: a supervisor of that department, or of the city."""
    return is_supervisor_of(actor, department)


def may_edit_calendar(actor: User | None) -> bool:
    return is_city_supervisor(actor)


# --- raising -------------------------------------------------------------------------------


def require_role(actor: User | None, *roles: str) -> User:
    if actor is None or actor.role not in roles:
        raise NotAllowed(_ROLE_REFUSALS.get(roles, N_("your account may not do this")))
    return actor


_ROLE_REFUSALS: dict[tuple[str, ...], str] = {
    (Role.SUPERVISOR,): N_("only a supervisor may do this"),
    (Role.FRONT_DESK,): N_("only the front desk may do this"),
    (Role.CLERK,): N_("only a department clerk may do this"),
}


def require_department_clerk(actor: User) -> str:
    if actor.role != Role.CLERK or not actor.department:
        raise NotAllowed(N_("only a department clerk may do this"))
    return actor.department


def require_city_supervisor(actor: User) -> User:
    if not is_city_supervisor(actor):
        raise NotAllowed(N_("only a city-level supervisor may do this"))
    return actor


def require_visible(visible: bool, what: str) -> None:
    if not visible:
        raise NotFound(f"no such {what}")


# --- what a route declares -----------------------------------------------------------------


@dataclass(frozen=True)
class RouteRule:
    """Who may open a route at all; what they may see on it is for the functions above.

    `roles` None: anyone, signed in or not. `city` narrows supervisors to city level.
    """

    name: str
    roles: frozenset[str] | None
    city: bool = False

    @property
    def public(self) -> bool:
        return self.roles is None

    def admits(self, actor: User) -> bool:
        if self.roles is None:
            return True
        if actor.role not in self.roles:
            return False
        return not self.city or actor.role != Role.SUPERVISOR or is_city_supervisor(actor)


PUBLIC = RouteRule("public", None)
# Only in APP_ENV=test: the journeys' back door (virtual clock, fixtures), never registered elsewhere.
TEST_MODE = RouteRule("test mode", None)
SIGNED_IN = RouteRule("signed in", frozenset(Role.ALL))
APPLICANTS = RouteRule("applicants", frozenset(Role.APPLICANTS))
COMPANIES = RouteRule("companies", frozenset({Role.COMPANY}))
STAFF = RouteRule("staff", frozenset(Role.STAFF))
FRONT_DESK = RouteRule("front desk", frozenset({Role.FRONT_DESK}))
CLERKS = RouteRule("clerks", frozenset({Role.CLERK}))
# The business-environment office's pages: its clerks and supervisors (the services refuse other departments').
CLERKS_AND_SUPERVISORS = RouteRule("clerks and supervisors", frozenset({Role.CLERK, Role.SUPERVISOR}))
SUPERVISORS = RouteRule("supervisors", frozenset({Role.SUPERVISOR}))
CITY_SUPERVISORS = RouteRule("city supervisors", frozenset({Role.SUPERVISOR}), city=True)
