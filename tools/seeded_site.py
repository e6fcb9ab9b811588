"""A small seeded city served on a local port, and one person of each role to sign in to it.

What the accessibility crawl (tests/browser/test_browser_crawl.py) and the screenshots (tools/screenshots.py)
look at: the seed's demo accounts and residents, chosen so that each role has cases in many states.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select
from werkzeug.serving import make_server

from seeding import SeedOptions, seed_city
from seeding.demo import DEMO_PASSWORD
from services import clock
from services.accounts import create_staff
from services.benefits.facts import month_start
from services.catalog import CATALOG_DIR, Catalog
from services.catalog_admin.versions import files_entry_text, save_draft
from services.db import new_session
from services.models import Application, BenefitOffer, Certificate, Contribution, Employment, Role, Task, User
from services.offers.answering import accept_offer
from services.offers.approval import approve_accepted
from services.offers.sweep import sweep_subjects
from services.second_factor import unused_code
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT

# Every case goes through the services (no clones): about forty cases reach most statuses in a few seconds.
SEED = SeedOptions(applications=40, slow_cases=40, seed=3)
# A staff member who has not enrolled in the second factor yet: the enrolment page is theirs alone.
NEWCOMER = "newcomer.staff"


@dataclass(frozen=True)
class Visitor:
    role: str  # what the reports call them
    login: str | None  # None: not signed in
    staff: bool = False


def seed_site(*, engine: Engine, catalog: Catalog, upload_folder) -> list[Visitor]:
    """Seed the city into a migrated, empty database; the visitors whose pages show it best."""
    seed_city(engine=engine, catalog=catalog, upload_folder=upload_folder, options=SEED)
    with new_session(engine) as session:
        create_staff(
            session=session,
            username=NEWCOMER,
            full_name="新入职 审批员",
            role=Role.CLERK,
            password=DEMO_PASSWORD,
            department=next(iter(catalog.departments)),
            catalog=catalog,
        )
        # An open catalogue draft, so the city supervisor's draft and preview pages are crawled too.
        code = next(iter(catalog.items))
        save_draft(
            session=session,
            actor=session.exec(select(User).where(User.login_name == "supervisor")).one(),
            directory=CATALOG_DIR,
            catalog=catalog,
            section="items",
            code=code,
            entry_yaml=files_entry_text(CATALOG_DIR, "items", code),
        )
        citizen = _applicant_with_most_states(session, Role.CITIZEN)
        company = _applicant_with_most_states(session, Role.COMPANY)
        clerk = _clerk_with_most_states(session)
        department = session.exec(select(User.department).where(User.login_name == clerk)).one()
        supervisor = session.exec(
            select(User.login_name)
            .where(User.role == Role.SUPERVISOR, User.department == department)
            .order_by(User.login_name)
        ).first()
    assert supervisor is not None, f"the seed has no supervisor of {department}"
    _offer_waiting_for_a_check(engine, catalog, citizen)
    _offer_the_firm_answers(engine, catalog, company, citizen)
    return [
        Visitor("anonymous", None),
        Visitor("citizen", citizen),
        Visitor("company", company),
        Visitor("front desk", "frontdesk", staff=True),
        Visitor("department clerk", clerk, staff=True),
        Visitor("department supervisor", supervisor, staff=True),
        # The demo clerk of the business-environment office: triage, common problems, every request's tasks.
        Visitor("business-environment office", f"clerk.{OFFICE_DEPARTMENT.lower()}", staff=True),
        Visitor("city supervisor", "supervisor", staff=True),
        # The health department's demo clerk: the check of the citizen's childcare offer waits in its queue.
        Visitor("benefit check clerk", f"clerk.{CHILDCARE_DEPARTMENT.lower()}", staff=True),
        Visitor("new staff member", NEWCOMER, staff=True),
    ]


CHILDCARE = "childcare_subsidy_2026"
CHILDCARE_DEPARTMENT = "HEALTH"


def _offer_waiting_for_a_check(engine: Engine, catalog: Catalog, login: str) -> None:
    """The citizen's newborn brings the childcare offer; accepted, it waits for the health department's check.

    The check is asked for by a threshold below the subsidy, for this site only: the shipped policy has none.
    """
    checked = replace(
        catalog,
        policies={**catalog.policies, CHILDCARE: replace(catalog.policies[CHILDCARE], review_above_yuan=Decimal(1))},
    )
    with new_session(engine) as session:
        citizen = session.exec(select(User).where(User.login_name == login)).one()
        today = clock.china_today()
        session.add(
            Certificate(
                owner_id=citizen.id,
                cert_type="birth_medical_certificate",
                number=f"CSYXZM-SITE-{citizen.id:06d}",
                data={"child_birth_date": (today - timedelta(days=30)).isoformat(), "child_gender": "female"},
                issued_by=CHILDCARE_DEPARTMENT,
                issued_on=today - timedelta(days=30),
            )
        )
        session.commit()
        sweep_subjects(session=session, catalog=checked, today=today, subject_ids={citizen.id})
        offer = session.exec(
            select(BenefitOffer).where(BenefitOffer.applicant_id == citizen.id, BenefitOffer.policy == CHILDCARE)
        ).one()
        accept_offer(
            session=session,
            actor=citizen,
            key=offer.key,
            bank_account="6222021234567890",
            bank_name="中国工商银行杭州分行",
            catalog=checked,
        )
        approve_accepted(session=session, catalog=checked, policy_code=CHILDCARE)


def _offer_the_firm_answers(engine: Engine, catalog: Catalog, firm_login: str, citizen_login: str) -> None:
    """A graduate the company employs is offered the subsidy the employer accepts: its page lists the offer."""
    with new_session(engine) as session:
        firm = session.exec(select(User).where(User.login_name == firm_login)).one()
        graduate = session.exec(
            select(User).where(User.role == Role.CITIZEN, User.login_name != citizen_login).order_by(User.id)
        ).first()
        assert graduate is not None and graduate.id is not None and firm.id is not None  # the seed has citizens
        today = clock.china_today()
        session.add(
            Certificate(
                owner_id=graduate.id,
                cert_type="degree_certificate",
                number=f"XWZS-SITE-{graduate.id:06d}",
                data={"degree": "bachelor", "graduation_date": (today - timedelta(days=150)).isoformat()},
                issued_by="EDU",
                issued_on=today - timedelta(days=150),
            )
        )
        # Begun yesterday, so that this firm is the employer of record whatever spells the seed gave the graduate.
        session.add(Employment(employer_id=firm.id, employee_id=graduate.id, started_on=today - timedelta(days=1)))
        for back in range(1, 5):
            session.add(
                Contribution(
                    subject_id=graduate.id,
                    month=month_start(today, back),
                    kind="pension",
                    paid_as="employee",
                    amount_fen=1,
                )
            )
        session.commit()
        sweep_subjects(session=session, catalog=catalog, today=today, subject_ids={graduate.id})
        session.commit()


def _applicant_with_most_states(session, role: str) -> str:
    return session.exec(
        select(User.login_name)
        .join(Application, Application.applicant_id == User.id)
        .where(User.role == role)
        .group_by(User.id, User.login_name)
        .order_by(func.count(func.distinct(Application.status)).desc(), User.id)
    ).first()


def _clerk_with_most_states(session) -> str:
    return session.exec(
        select(User.login_name)
        .join(Task, Task.assignee_id == User.id)
        .where(User.role == Role.CLERK)
        .group_by(User.id, User.login_name)
        .order_by(func.count(func.distinct(Task.status)).desc(), User.id)
    ).first()


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on a free port of this machine, in a thread; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def sign_in(page, base: str, engine: Engine, login: str, on_code_page=None) -> None:
    """Through the login form, and for staff the code page (a newcomer stops at the enrolment page).

    `on_code_page(page)` is called on the code page, which no link leads to.
    """
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        if on_code_page:
            on_code_page(page)
        with new_session(engine) as session:
            page.fill("#code", unused_code(session.exec(select(User).where(User.login_name == login)).one()))
        page.click("main form button[type=submit] >> nth=0")
        page.wait_for_load_state()
    assert not page.url.endswith(("/login", "/login/code")), f"{login} could not sign in: {page.url}"
