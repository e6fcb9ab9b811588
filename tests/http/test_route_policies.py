"""Every route declares who may open it, and a routes × roles matrix made from the URL map checks them all.

The matrix signs in the whole cast (tests/actors.py) and sends every route, with the keys of real rows
owned by someone else, to every actor: the anonymous are sent to sign in (302), a kind of account
that may never use the route gets 403, a row the actor may not see is 404, and what is allowed works.
Who may do what is written here in the test's own words, not read back from the code under test.
"""

from dataclasses import dataclass, field
from datetime import date

import pytest
from flask import Flask
from sqlmodel import select

from services import policy
from services.applications.drafts import start_draft
from services.applications.submission import rate_application
from services.casework import desk, tasks
from services.catalog import CATALOG_DIR
from services.catalog_admin.versions import files_entry_text
from services.catalog_admin.versions import save_draft as save_catalogue_draft
from services.disputes.evidence import EvidenceFile
from services.disputes.filing import file_dispute
from services.disputes.handling import register_dispute
from services.enterprise import office, problems
from services.enterprise.raising import UploadedFile
from services.models import Attachment, Certificate, DisputeEvidence, Rectification, RequestAttachment, Role, Task
from services.workdays import WORKDAY, add_override
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from tests.actors import (
    ACTORS,
    ANONYMOUS,
    CITIZEN_A,
    CITIZEN_B,
    CLERK_AMR,
    CLERK_HRSS,
    COMPANY,
    FRONT_DESK,
    SUPERVISOR_AMR,
    SUPERVISOR_CITY,
    make_cast,
    sign_in,
)
from tests.conftest import PDF, Browser
from tests.factories import make_benefit_offer, make_offer_check, make_staff
from tests.sample import raised_request, submitted

NOT_ROUTES = {"static", "bootstrap.static"}  # files of the app and of Bootstrap-Flask, public by nature


def undeclared_endpoints(app: Flask) -> list[str]:
    return sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in NOT_ROUTES and not isinstance(getattr(view, "route_policy", None), policy.RouteRule)
    )


def test_every_route_declares_its_policy(app):
    assert undeclared_endpoints(app) == []


def test_the_test_mode_routes_declare_theirs_too():
    from journeys import testing

    bare = Flask(__name__)
    bare.register_blueprint(testing.bp)
    assert len(bare.view_functions) > 5 and undeclared_endpoints(bare) == []


def test_a_new_route_without_a_policy_is_named(app):
    app.add_url_rule("/new-page", "new_page", lambda: "hello")
    assert undeclared_endpoints(app) == ["new_page"]


def test_the_public_pages_say_they_are_public(app):
    public = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in NOT_ROUTES and view.route_policy.public
    }
    assert public == {
        "guide.index",
        "guide.search",
        "guide.life_event",
        "guide.department",
        "guide.service",
        "account.login",
        "account.register",
        "account.register_company_account",
        "account.language",
        "account.elder_mode",  # 长辈版 for visitors too, kept in their session
        # half-way through signing in (a second factor to give or enrol) is not signed in yet
        "account.second_factor",
        "account.enrol",
        "account.logout",
        # the transparency log's heads and verifier: for anyone to hold the government to its record
        "transparency.heads",
        "transparency.verifier",
    }


# --- the matrix --------------------------------------------------------------------------------

EVERYONE = frozenset(ACTORS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
APPLICANTS = frozenset({CITIZEN_A, CITIZEN_B, COMPANY})

# Who may open a route at all, by endpoint or by blueprint.
ROUTE_USERS = {
    "guide": EVERYONE,
    "account.login": EVERYONE,
    "account.register": EVERYONE,
    "account.register_company_account": EVERYONE,
    "account.language": EVERYONE,
    "account.elder_mode": EVERYONE,
    "account.logout": EVERYONE,
    "account.profile": SIGNED_IN,
    "account.sign_out_everywhere": SIGNED_IN,
    "files": SIGNED_IN,
    "inbox": SIGNED_IN,
    "transparency": EVERYONE,
    "transparency.receipt": SIGNED_IN,
    "citizen": APPLICANTS,
    "applying": APPLICANTS,
    "desk": frozenset({FRONT_DESK}),
    "assisted": frozenset({FRONT_DESK}),
    "clerk": frozenset({CLERK_HRSS, CLERK_AMR}),
    "supervisor": frozenset({SUPERVISOR_AMR, SUPERVISOR_CITY}),
    # The calendar moves every department's deadlines: the city's to change.
    "supervisor.add_day": frozenset({SUPERVISOR_CITY}),
    "supervisor.remove_day": frozenset({SUPERVISOR_CITY}),
    # Staff accounts are the city's to administer.
    "accounts_admin": frozenset({SUPERVISOR_CITY}),
    # So is the catalogue: a change reaches every department's applicants.
    "catalogue_admin": frozenset({SUPERVISOR_CITY}),
    # A certificate's card: its holder, or staff through a case; the counter's check is for staff alone.
    "wallet": SIGNED_IN,
    "wallet.verify": frozenset({FRONT_DESK, CLERK_HRSS, CLERK_AMR, SUPERVISOR_AMR, SUPERVISOR_CITY}),
    # Enterprise requests: the firm's pages are companies'; a request's files are for whoever may see the request.
    "firm": frozenset({COMPANY}),
    "firm.request_file": SIGNED_IN,
    # The business-environment office's pages: the city supervisor is the only one of the cast who works there;
    # a department's supervisor reads the lists, and the department's staff a request it has a task on.
    "office": frozenset({SUPERVISOR_CITY}),
    "office.index": frozenset({SUPERVISOR_AMR, SUPERVISOR_CITY}),
    "office.request_page": frozenset({CLERK_HRSS, CLERK_AMR, SUPERVISOR_AMR, SUPERVISOR_CITY}),
    "handling": frozenset({CLERK_HRSS, CLERK_AMR}),
    # Disputes: the parties' pages, the centre's window (the front desk), the agencies (clerks); a dispute's
    # own page and its evidence for whoever may see it.
    "disputes": APPLICANTS,
    "disputes.detail": SIGNED_IN,
    "disputes.evidence": SIGNED_IN,
    "centre": frozenset({FRONT_DESK}),
    "mediation": frozenset({CLERK_HRSS, CLERK_AMR}),
    # Benefit offers: the subject's pages; a flagged offer's check for the clerks and supervisors of its department.
    "benefits": APPLICANTS,
    "benefit_checks": frozenset({CLERK_HRSS, CLERK_AMR, SUPERVISOR_AMR, SUPERVISOR_CITY}),
    "benefit_checks.figures": frozenset({SUPERVISOR_AMR, SUPERVISOR_CITY}),
    # The cockpit and its read-only case view: supervisors; a department's sees the cases it has a part in.
    "cockpit": frozenset({SUPERVISOR_AMR, SUPERVISOR_CITY}),
}

# Citizen A's social security case (HRSS) is seen by her, the front desk, its clerks and the city supervisor;
# market regulation (AMR) has nothing to do with it.
SEE_A_CASE = frozenset({CITIZEN_A, FRONT_DESK, CLERK_HRSS, SUPERVISOR_CITY})


@dataclass(frozen=True)
class Target:
    """The URL parameters of a real row, who may see it, and who may never act on it (403)."""

    name: str
    values: dict
    seen_by: frozenset[str]
    refused: frozenset[str] = field(default_factory=frozenset)


NO_ROW = Target("-", {}, EVERYONE)

# Rows of which kind fill the parameters of each route with parameters.
ENDPOINT_TARGETS = {
    "guide.life_event": ("life_event",),
    "guide.department": ("department",),
    "guide.service": ("service",),
    "applying.start": ("citizen_service",),
    "applying.edit": ("a_draft",),
    "applying.save_all": ("a_draft",),
    "applying.step": ("a_draft_step",),
    "applying.save_step": ("a_draft_step",),
    "applying.check": ("a_draft",),
    "applying.submit": ("a_draft",),
    "applying.submitted": ("a_case",),
    "citizen.detail": ("a_case",),
    "citizen.rate": ("a_case",),
    "citizen.withdraw": ("a_case",),
    "citizen.supplement": ("a_case_material",),
    "files.download": ("a_photo", "a_certificate"),
    "transparency.receipt": ("a_case", "a_draft"),
    "desk.review": ("a_case", "a_draft"),
    "desk.accept": ("a_case", "a_draft"),
    "desk.notice": ("a_case", "a_draft"),
    "desk.refuse": ("a_case", "a_draft"),
    "desk.visit": ("a_case", "a_draft"),
    "desk.deliver": ("hrss_task_to_deliver",),
    "assisted.new": ("citizen_service",),
    "assisted.file": ("citizen_service",),
    "supervisor.decide": ("hrss_extension",),
    "supervisor.answer": ("hrss_rectification",),
    "supervisor.remove_day": ("recorded_day",),
    "supervisor.clerk_tasks": ("hrss_clerk",),
    "supervisor.hand_on_inbox": ("hrss_clerk",),
    "supervisor.hand_on_task": ("hrss_held_task",),
    "accounts_admin.member": ("a_staff_member",),
    "accounts_admin.move": ("a_staff_member",),
    "accounts_admin.close": ("a_staff_member",),
    "accounts_admin.reopen": ("a_staff_member",),
    "accounts_admin.new_password": ("a_staff_member",),
    "catalogue_admin.entry": ("an_item_entry",),
    "catalogue_admin.start_draft": ("an_item_entry",),
    "catalogue_admin.version": ("a_catalogue_draft",),
    "catalogue_admin.update_draft": ("a_catalogue_draft",),
    "catalogue_admin.preview": ("a_catalogue_draft",),
    "catalogue_admin.publish": ("a_catalogue_draft",),
    "catalogue_admin.discard": ("a_catalogue_draft",),
    "wallet.card": ("a_wallet_certificate",),
    "wallet.pdf": ("a_wallet_certificate",),
    "firm.request_file": ("a_request_file",),
    "office.problem": ("a_problem",),
    "office.answer_problem": ("a_problem",),
    "disputes.evidence": ("a_dispute_evidence",),
    "benefits.index": (),
    "benefit_checks.task": ("hrss_offer_check",),
    "benefit_checks.decide": ("hrss_offer_check_claim",),
    "cockpit.case": ("a_case_for_supervisors", "a_request_for_supervisors", "a_dispute_for_supervisors"),
}
# Every other route of these blueprints with a parameter names a dispute, or (the agencies') a task of one.
DISPUTE_BLUEPRINTS = {
    "disputes": ("a_dispute",),
    "centre": ("a_dispute",),
    "mediation": ("a_dispute_task",),
    "benefits": ("an_offer",),
}
CLERK_TASK_TARGETS = ("hrss_task",)

# What a form needs so that the route reaches its service (an empty form would stop at validation).
POST_DATA = {"supervisor.decide": {"decision": "grant"}, "supervisor.answer": {"answer": "已约谈窗口负责人。"}}


def targets_of(endpoint: str, arguments: set[str]) -> tuple[str, ...] | None:
    if not arguments:
        return ()
    if endpoint.startswith("clerk."):
        return CLERK_TASK_TARGETS
    if endpoint.startswith(("firm.", "office.")) and "key" in arguments:
        return ENDPOINT_TARGETS.get(endpoint, ("a_request",))
    if endpoint.startswith("handling."):
        return ("amr_request_task",)
    return ENDPOINT_TARGETS.get(endpoint) or DISPUTE_BLUEPRINTS.get(endpoint.partition(".")[0])


def route_users(endpoint: str) -> frozenset[str]:
    return ROUTE_USERS.get(endpoint) or ROUTE_USERS[endpoint.partition(".")[0]]


def build_targets(app, db, catalog, cast) -> dict[str, Target]:
    store = app.extensions["file_store"]
    _, case = submitted(db, catalog, store, "330100-HRSS-011", applicant=cast[CITIZEN_A])
    desk.accept_application(session=db, actor=cast[FRONT_DESK], key=case.key, catalog=catalog)
    photo = db.exec(
        select(Attachment).where(Attachment.application_id == case.id, Attachment.material_key == "id_photo")
    ).one()
    # Her ID card came from her wallet: a certificate, never served as a file, to her or anyone.
    certificate = db.exec(
        select(Attachment).where(Attachment.application_id == case.id, Attachment.material_key == "applicant_id_card")
    ).one()
    wallet_certificate = db.get(Certificate, certificate.certificate_id)
    task = db.exec(select(Task).where(Task.application_id == case.id)).one()
    tasks.claim_task(session=db, actor=cast[CLERK_HRSS], key=task.key, catalog=catalog)
    tasks.request_extension(
        session=db, actor=cast[CLERK_HRSS], key=task.key, catalog=catalog, days=3, reason="需现场核验"
    )
    draft = start_draft(session=db, actor=cast[CITIZEN_A], service_code="330100-AMR-002", catalog=catalog)
    # The company's same-day social security item, rated poorly: social security owes an answer.
    _, instant = submitted(db, catalog, store, "330100-HRSS-002", applicant=cast[COMPANY])
    desk.accept_application(session=db, actor=cast[FRONT_DESK], key=instant.key, catalog=catalog)
    rate_application(session=db, actor=cast[COMPANY], key=instant.key, catalog=catalog, score=1, comment="等太久")
    rectification = db.exec(select(Rectification)).one()
    add_override(session=db, actor=cast[SUPERVISOR_CITY], day=date(2040, 2, 18), kind=WORKDAY, note="")
    # The company's enterprise request, routed to market regulation by a clerk of the office, with one file.
    office_clerk = make_staff(db, Role.CLERK, OFFICE_DEPARTMENT)
    _, request = raised_request(db, catalog, store, firm=cast[COMPANY], files=[UploadedFile("说明.pdf", PDF)])
    office.route_request(session=db, actor=office_clerk, key=request.key, catalog=catalog, lead="AMR", co_handlers=[])
    request_file = db.exec(select(RequestAttachment).where(RequestAttachment.request_id == request.id)).one()
    request_task = db.exec(select(Task).where(Task.case_id == request.id, Task.item_code == "lead")).one()
    problem = problems.create_common_problem(
        session=db, actor=office_clerk, catalog=catalog, title="办照难", category="approval_stuck"
    )
    sees_the_request = frozenset({COMPANY, CLERK_AMR, SUPERVISOR_AMR, SUPERVISOR_CITY})
    catalogue_draft = save_catalogue_draft(
        session=db,
        actor=cast[SUPERVISOR_CITY],
        directory=CATALOG_DIR,
        catalog=catalog,
        section="items",
        code="330100-HRSS-011",
        entry_yaml=files_entry_text(CATALOG_DIR, "items", "330100-HRSS-011"),
    )
    # Citizen A's dispute with the company, routed to people's mediation, whose clerks are not in the cast.
    dispute = file_dispute(
        session=db,
        actor=cast[CITIZEN_A],
        counterparty_number=cast[COMPANY].credit_code,
        kind_code="contract",
        centre_code="HZ_XIHU_XIXI",
        claim="货款未付",
        evidence=[EvidenceFile("合同.pdf", PDF)],
        store=store,
        catalog=catalog,
    )
    register_dispute(session=db, actor=cast[FRONT_DESK], key=dispute.key, routes=["people_mediation"], catalog=catalog)
    evidence = db.exec(select(DisputeEvidence).where(DisputeEvidence.dispute_id == dispute.id)).one()
    dispute_task = db.exec(select(Task).where(Task.case_kind == "dispute", Task.case_id == dispute.id)).one()
    see_a_dispute = frozenset({CITIZEN_A, COMPANY, FRONT_DESK, SUPERVISOR_CITY})
    # Citizen A's offer of a social-security policy, flagged for social security's check.
    offer = make_benefit_offer(db, cast[CITIZEN_A], "flexible_employment_insurance_subsidy_2026", status="in_review")
    offer_check = make_offer_check(db, offer, "HRSS")
    city_only = frozenset({SUPERVISOR_CITY})
    staff_of_task = frozenset({FRONT_DESK, CLERK_HRSS, SUPERVISOR_CITY})
    rows = [
        Target("life_event", {"code": next(iter(catalog.life_events))}, EVERYONE),
        Target("department", {"code": "HRSS"}, EVERYONE),
        Target("service", {"code": "330100-HRSS-011"}, EVERYONE),
        # A citizens' service: a company may never apply for it.
        Target("citizen_service", {"service_code": "330100-HRSS-011"}, EVERYONE, refused=frozenset({COMPANY})),
        Target("a_draft", {"key": draft.key}, frozenset({CITIZEN_A})),
        Target("a_draft_step", {"key": draft.key, "name": "answers"}, frozenset({CITIZEN_A})),
        Target("a_case", {"key": case.key}, SEE_A_CASE),
        Target("a_case_material", {"key": case.key, "material_key": "id_photo"}, SEE_A_CASE),
        Target("a_photo", {"key": photo.key}, SEE_A_CASE),
        Target("a_certificate", {"key": certificate.key}, frozenset()),
        # The certificate itself, as a card: hers, and the staff's who may see the case she shared it with.
        Target("a_wallet_certificate", {"key": wallet_certificate.key}, SEE_A_CASE),
        Target("hrss_task", {"key": task.key}, staff_of_task),
        Target("hrss_task_to_deliver", {"task_key": task.key}, staff_of_task),
        Target("hrss_extension", {"key": task.key}, city_only),
        Target("hrss_rectification", {"key": rectification.key}, city_only),
        Target("recorded_day", {"day": "2040-02-18"}, city_only),
        Target("a_request", {"key": request.key}, sees_the_request),
        Target("a_request_file", {"key": request_file.key}, sees_the_request),
        Target("amr_request_task", {"key": request_task.key}, frozenset({CLERK_AMR})),
        Target("a_problem", {"key": problem.key}, city_only),
        Target("a_dispute", {"key": dispute.key}, see_a_dispute),
        Target("a_dispute_evidence", {"key": evidence.key}, see_a_dispute),
        Target("a_dispute_task", {"key": dispute_task.key}, frozenset()),
        Target("an_offer", {"key": offer.key}, frozenset({CITIZEN_A})),
        Target("hrss_offer_check", {"key": offer_check.key}, frozenset({CLERK_HRSS, SUPERVISOR_CITY})),
        # A supervisor reads the check; a clerk of the department takes it up.
        Target(
            "hrss_offer_check_claim",
            {"key": offer_check.key, "event": "claim"},
            frozenset({CLERK_HRSS, SUPERVISOR_CITY}),
            refused=frozenset({SUPERVISOR_CITY}),
        ),
        Target("a_case_for_supervisors", {"kind": "application", "number": case.number}, city_only),
        Target(
            "a_request_for_supervisors",
            {"kind": "enterprise_request", "number": request.number},
            frozenset({SUPERVISOR_AMR, SUPERVISOR_CITY}),
        ),
        Target("a_dispute_for_supervisors", {"kind": "dispute", "number": dispute.number}, city_only),
        # Social security's clerk and the task she holds: the city's supervisor may hand them on, AMR's not.
        Target("hrss_clerk", {"clerk_id": cast[CLERK_HRSS].id}, city_only),
        Target("hrss_held_task", {"clerk_id": cast[CLERK_HRSS].id, "key": task.key}, city_only),
        # Not one of the actors: a reset password or a closed account must not sign any of them out.
        Target("a_staff_member", {"user_id": make_staff(db, Role.CLERK, "AMR").id}, city_only),
        Target("an_item_entry", {"section": "items", "code": "330100-HRSS-011"}, city_only),
        Target("a_catalogue_draft", {"key": catalogue_draft.key}, city_only),
    ]
    return {row.name: row for row in rows}


@pytest.fixture
def signed_in(app, db):
    """A test client per actor, each signed in once (the anonymous one never)."""
    cast = make_cast(db)
    browsers = {ANONYMOUS: Browser(app.test_client())}
    for name in ACTORS[1:]:
        browsers[name] = Browser(app.test_client())
        sign_in(browsers[name], cast[name])
    return cast, browsers


# The second-factor steps belong to a sign-in under way; with none under way everyone is sent to sign in.
MID_SIGN_IN = {"account.second_factor", "account.enrol"}


def expected(endpoint: str, actor: str, target: Target) -> str:
    if endpoint in MID_SIGN_IN:
        return "sign in"
    users = route_users(endpoint)
    if actor not in users:
        return "sign in" if actor == ANONYMOUS else "forbidden"
    if actor in target.refused:
        return "forbidden"
    return "allowed" if actor in target.seen_by else "not found"


def outcome(response) -> str:
    if response.status_code == 302 and response.headers["Location"].startswith("/login"):
        return "sign in"
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return {403: "forbidden", 404: "not found"}.get(response.status_code, "allowed")


def _order(rule) -> tuple:
    # Reading before changing, and signing out last (everywhere, then here): a request must not take away
    # what a later one needs.
    return (
        rule.endpoint in ("account.sign_out_everywhere", "account.logout"),
        rule.endpoint == "account.logout",
        "GET" not in rule.methods,
        rule.endpoint,
    )


def test_routes_by_roles(app, db, catalog, signed_in):
    cast, browsers = signed_in
    targets = build_targets(app, db, catalog, cast)
    rules = sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint not in NOT_ROUTES), key=_order)
    unmapped = [rule.endpoint for rule in rules if targets_of(rule.endpoint, set(rule.arguments)) is None]
    assert unmapped == [], "name the rows that fill these routes' parameters in ENDPOINT_TARGETS"
    wrong, checked = [], 0
    for rule in rules:
        method = "GET" if "GET" in rule.methods else "POST"
        for target in [targets[name] for name in targets_of(rule.endpoint, set(rule.arguments))] or [NO_ROW]:
            url = rule.build(target.values, append_unknown=False)[1]
            # Those who may act go last, so a change one of them makes cannot hide a refusal from the others.
            for actor in sorted(ACTORS, key=lambda name: expected(rule.endpoint, name, target) == "allowed"):
                browser = browsers[actor]
                if method == "GET":
                    response = browser.get(url)
                else:
                    response = browser.post(url, POST_DATA.get(rule.endpoint, {}))
                want, got = expected(rule.endpoint, actor, target), outcome(response)
                if method == "GET" and want == "allowed" and response.status_code != 200:
                    got = f"status {response.status_code}"
                if got != want:
                    wrong.append(f"{method} {url} ({rule.endpoint}, {target.name}) as {actor}: {got}, expected {want}")
                checked += 1
    assert wrong == []
    assert checked > 400
