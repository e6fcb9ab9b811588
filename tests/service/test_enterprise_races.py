"""Enterprise requests raced: two clerks triaging at once, the same form sent twice or at once."""

import threading

import pytest
from sqlmodel import select

from services.audit_check import verify_chains
from services.db import new_session
from services.enterprise import office, raising
from services.enterprise.raising import UploadedFile
from services.errors import Conflict
from services.models import EnterpriseRequest, EnterpriseTaskRole, RequestAttachment, Role, User
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from tests.conftest import PDF
from tests.factories import make_staff
from tests.sample import raised_request, request_events, request_staff, request_tasks

DESCRIPTION = "园区用电增容申请迟迟没有进展，请协调。"


@pytest.fixture
def staff(session):
    return request_staff(session)


def test_two_office_clerks_triaging_one_request_at_once_route_it_once(session, engine, catalog, store, staff):
    _, request = raised_request(session, catalog, store)
    second = make_staff(session, Role.CLERK, OFFICE_DEPARTMENT)
    clerks = [staff["office"].id, second.id]
    together = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []

    def triage(clerk_id: int, lead: str) -> None:
        with new_session(engine) as own:
            together.wait()
            try:
                office.route_request(
                    session=own,
                    actor=own.get(User, clerk_id),
                    key=request.key,
                    catalog=catalog,
                    lead=lead,
                    co_handlers=[],
                )
                outcomes.append("routed")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=triage, args=args) for args in zip(clerks, ("URBAN", "NRPB"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["conflict", "routed"]
    tasks = request_tasks(session, request)
    assert (
        len(tasks[EnterpriseTaskRole.LEAD]) == 1
        and request_events(session, request).count("enterprise_request.route") == 1
    )
    assert verify_chains(session=session).ok


def test_the_same_form_sent_twice_or_at_once_makes_one_request(session, engine, catalog, store):
    firm, first = raised_request(session, catalog, store, form_token="form-1", files=[UploadedFile("a.pdf", PDF)])
    _, again = raised_request(
        session, catalog, store, firm=firm, form_token="form-1", files=[UploadedFile("a.pdf", PDF)]
    )
    assert again.id == first.id and again.number == first.number
    together = threading.Barrier(2, timeout=60)
    made: list[str] = []

    def send() -> None:
        with new_session(engine) as own:
            together.wait()
            request = raising.raise_request(
                session=own,
                actor=own.get(User, firm.id),
                catalog=catalog,
                store=store,
                category="finance",
                description=DESCRIPTION,
                form_token="form-2",
            )
            made.append(request.number)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(made) == 2 and made[0] == made[1]
    session.expire_all()
    assert len(session.exec(select(EnterpriseRequest).where(EnterpriseRequest.applicant_id == firm.id)).all()) == 2
    assert len(session.exec(select(RequestAttachment)).all()) == 1 == len(list(store.root.iterdir()))
