"""The city's staff accounts: added with a one-time password, closed, reopened, reset, moved; all audited."""

import pytest
from sqlmodel import select

from services import staff_admin
from services.accounts import check_password
from services.audit_check import verify_chains
from services.casework import desk, tasks
from services.errors import Conflict, Invalid, NotAllowed
from services.models import AuditEvent, Role, Task
from tests.factories import make_staff
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"


@pytest.fixture
def city(session):
    return make_staff(session, Role.SUPERVISOR)


def events_of(session, user) -> list[str]:
    return [e.event for e in session.exec(select(AuditEvent).where(AuditEvent.chain == f"staff:{user.id}"))]


def test_a_new_clerk_signs_in_with_the_one_time_password_and_the_addition_is_on_record(session, catalog, city):
    made = staff_admin.add_staff(
        session=session,
        actor=city,
        username="wang.clerk",
        full_name="王办事",
        role=Role.CLERK,
        department="HRSS",
        catalog=catalog,
    )
    assert check_password(session=session, name="wang.clerk", password=made.password) == made.user
    assert made.user.totp_secret is None  # they enrol in the second factor at the first sign-in
    assert events_of(session, made.user) == ["staff.add"]
    assert verify_chains(session=session).ok


def test_bad_staff_details_are_named_by_field_and_nothing_is_created(session, catalog, city):
    with pytest.raises(Invalid) as refused:
        staff_admin.add_staff(
            session=session,
            actor=city,
            username="bad name!",
            full_name="",
            role=Role.CLERK,
            department="NOWHERE",
            catalog=catalog,
        )
    assert {"username", "department"} <= set(refused.value.errors)
    assert staff_admin.staff_directory(session=session, actor=city) == [city]


def test_only_a_city_supervisor_administers_staff(session, catalog):
    department_supervisor = make_staff(session, Role.SUPERVISOR, "HRSS")
    with pytest.raises(NotAllowed):
        staff_admin.staff_directory(session=session, actor=department_supervisor)


def test_a_closed_account_cannot_sign_in_and_can_be_reopened(session, catalog, city):
    made = staff_admin.add_staff(
        session=session,
        actor=city,
        username="li.desk",
        full_name="李窗口",
        role=Role.FRONT_DESK,
        department=None,
        catalog=catalog,
    )
    staff_admin.close_account(session=session, actor=city, user_id=made.user.id, reason="调离")
    assert check_password(session=session, name="li.desk", password=made.password) is None
    staff_admin.reopen_account(session=session, actor=city, user_id=made.user.id)
    assert check_password(session=session, name="li.desk", password=made.password) == made.user
    assert events_of(session, made.user) == ["staff.add", "staff.close", "staff.reopen"]


def test_the_last_city_supervisor_can_be_neither_closed_nor_moved(session, catalog, city):
    with pytest.raises(Conflict):
        staff_admin.close_account(session=session, actor=city, user_id=city.id, reason="x")
    with pytest.raises(Conflict):
        staff_admin.change_post(
            session=session, actor=city, user_id=city.id, role=Role.SUPERVISOR, department="HRSS", catalog=catalog
        )
    second = make_staff(session, Role.SUPERVISOR)
    staff_admin.close_account(session=session, actor=second, user_id=city.id, reason="退休")
    assert not city.is_active


def test_a_clerk_holding_tasks_is_moved_only_after_they_are_handed_on(session, catalog, store, city):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=make_staff(session), key=application.key, catalog=catalog)
    task = session.exec(select(Task).where(Task.application_id == application.id)).one()
    holder = make_staff(session, Role.CLERK, task.department)
    tasks.claim_task(session=session, actor=holder, key=task.key, catalog=catalog)
    with pytest.raises(Conflict):
        staff_admin.change_post(
            session=session, actor=city, user_id=holder.id, role=Role.CLERK, department="HRSS", catalog=catalog
        )
    tasks.release_task(session=session, actor=holder, key=task.key, catalog=catalog)
    moved = staff_admin.change_post(
        session=session, actor=city, user_id=holder.id, role=Role.CLERK, department="HRSS", catalog=catalog
    )
    assert moved.department == "HRSS"
    move = session.exec(select(AuditEvent).where(AuditEvent.chain == f"staff:{holder.id}")).one()
    assert move.payload["department"] == [task.department, "HRSS"]


def test_a_reset_password_replaces_the_old_one(session, catalog, city):
    made = staff_admin.add_staff(
        session=session,
        actor=city,
        username="zhao.sup",
        full_name="赵主管",
        role=Role.SUPERVISOR,
        department="HRSS",
        catalog=catalog,
    )
    again = staff_admin.reset_password(session=session, actor=city, user_id=made.user.id)
    assert again.password != made.password
    assert check_password(session=session, name="zhao.sup", password=made.password) is None
    assert check_password(session=session, name="zhao.sup", password=again.password) == made.user
