"""The assisted channel: the front desk files a walk-in person's application; it is theirs, and a visit."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from services.accounts import check_password
from services.applications.drafts import start_draft
from services.applications.form_names import field_name, material_name
from services.applications.queries import list_applications
from services.audit import history
from services.audit_check import verify_chains
from services.casework.assisted import BroughtFile, WalkIn, file_for_walk_in
from services.errors import Conflict, Invalid, NotAllowed
from services.models import Application, ApplicationStatus, Attachment, Notification, Role, User, Visit
from services.workflow.engine import fire
from tests.conftest import PDF
from tests.factories import id_number, make_citizen, make_staff
from tests.sample import complete_values

ITEM = "330100-TRANSPORT-003"  # a citizen's item with uploaded materials and no wallet certificate
WALK_IN = WalkIn(id_number=id_number(901), full_name="王阿姨", mobile="13900009901")


@pytest.fixture
def front_desk(session):
    return make_staff(session, Role.FRONT_DESK)


def brought(service) -> list[BroughtFile]:
    return [BroughtFile(m.key, f"{m.key}.pdf", PDF) for m in service.materials]


def file(session, catalog, store, actor, person=WALK_IN, files=None, answers=None):
    service = catalog.service(ITEM)
    return file_for_walk_in(
        session=session,
        actor=actor,
        catalog=catalog,
        store=store,
        person=person,
        service_code=ITEM,
        answers=complete_values(service) if answers is None else answers,
        files=brought(service) if files is None else files,
    )


def test_a_walk_in_without_an_account_gets_one_and_their_application_is_filed_as_a_visit(
    session, catalog, store, front_desk
):
    filed = file(session, catalog, store, front_desk)
    session.expire_all()
    application = session.get(Application, filed.application.id)
    assert (application.status, application.channel) == (ApplicationStatus.SUBMITTED, "assisted")
    assert application.number and application.submitted_at is not None

    # Theirs: the account opened now signs in with the one-time password and lists the application.
    applicant = session.get(User, application.applicant_id)
    assert (applicant.role, applicant.full_name, applicant.mobile) == (Role.CITIZEN, "王阿姨", WALK_IN.mobile)
    assert check_password(session=session, name=WALK_IN.id_number, password=filed.one_time_password) is not None
    assert [a.key for a in list_applications(session=session, actor=applicant).rows] == [application.key]

    # Coming in was one visit, recorded by the desk; the files are attached; the desk did each step.
    visits = session.exec(select(Visit).where(Visit.application_id == application.id)).all()
    assert [(v.recorded_by_id, v.beyond_promise) for v in visits] == [(front_desk.id, True)]  # a zero-visit item
    attachments = session.exec(select(Attachment).where(Attachment.application_id == application.id)).all()
    assert {a.material_key for a in attachments} == {m.key for m in catalog.service(ITEM).materials}
    events = history(session=session, case=application)
    assert events[0].event == "start" and events[-1].event == "submit_at_desk"
    assert {e.actor_id for e in events} == {front_desk.id}
    # The "received" message is in their inbox at once.
    received = session.exec(
        select(func.count()).select_from(Notification).where(Notification.user_id == applicant.id)
    ).one()
    assert received >= 1
    assert verify_chains(session=session).ok


def test_a_walk_in_with_an_account_is_found_by_id_number(session, catalog, store, front_desk):
    citizen = make_citizen(session)
    filed = file(session, catalog, store, front_desk, WalkIn(citizen.id_number, citizen.full_name, citizen.mobile))
    assert filed.applicant.id == citizen.id and filed.one_time_password is None
    assert session.exec(select(func.count()).select_from(User).where(User.login_name == citizen.id_number)).one() == 1


def test_an_id_number_of_someone_else_is_refused(session, catalog, store, front_desk):
    citizen = make_citizen(session)
    with pytest.raises(Invalid) as refused:
        file(session, catalog, store, front_desk, WalkIn(citizen.id_number, "别人", citizen.mobile))
    assert set(refused.value.errors) == {"full_name"}


def test_every_problem_is_told_at_once_and_nothing_is_kept(session, catalog, store, front_desk):
    service = catalog.service(ITEM)
    phone = next(spec for spec in service.fields if spec.type == "phone")
    with pytest.raises(Invalid) as refused:
        file(
            session,
            catalog,
            store,
            front_desk,
            WalkIn("12345", "", "1"),
            files=[BroughtFile(service.materials[0].key, "x.pdf", b"not a pdf")],
            answers={phone.key: "12"},
        )
    assert {
        "id_number",
        "full_name",
        "mobile",
        field_name(phone.key),
        material_name(service.materials[0].key),
    } <= set(refused.value.errors)
    # Complete but without the files: the pre-check's gaps, and still nothing stored.
    with pytest.raises(Invalid) as missing:
        file(session, catalog, store, front_desk, files=[])
    assert {gap.key for gap in missing.value.details["gaps"]} == {m.key for m in service.materials if m.required}
    assert session.exec(select(func.count()).select_from(Application)).one() == 0
    assert session.exec(select(func.count()).select_from(User).where(User.login_name == WALK_IN.id_number)).one() == 0
    assert not store.root.exists() or not any(store.root.iterdir())  # no file left behind


def test_only_the_front_desk_files_for_a_walk_in(session, catalog, store):
    with pytest.raises(NotAllowed):
        file(session, catalog, store, make_staff(session, Role.CLERK, "TRANSPORT"))


def test_the_desk_cannot_file_a_draft_the_applicant_opened_online(session, catalog, front_desk):
    citizen = make_citizen(session)
    draft = start_draft(session=session, actor=citizen, service_code=ITEM, catalog=catalog)
    with pytest.raises(Conflict):
        fire(session=session, subject=draft, event="submit_at_desk", actor=front_desk, catalog=catalog)
    session.rollback()
