"""The one access policy: department supervisors keep to their department, the calendar is the city's."""

from datetime import date

import pytest
from sqlmodel import select

from services import policy
from services.models import Attachment, Role
from services.workdays import WORKDAY, CalendarOverride, add_override
from tests.factories import make_staff
from tests.sample import submitted

SOCIAL_SECURITY_ITEM = "330100-HRSS-011"  # a social security card: the applicant's ID photo is uploaded


@pytest.fixture
def social_security_case(app, db, catalog):
    _, application = submitted(db, catalog, app.extensions["file_store"], SOCIAL_SECURITY_ITEM)
    photo = db.exec(
        select(Attachment).where(Attachment.application_id == application.id, Attachment.material_key == "id_photo")
    ).one()
    return application, photo


# --- finding 4: a department supervisor and another department's case ------------------------


def test_a_market_supervisor_is_not_shown_a_social_security_file_but_its_supervisor_is(
    web, other_web, db, social_security_case
):
    _, photo = social_security_case
    web.login(make_staff(db, Role.SUPERVISOR, "AMR").login_name)
    assert web.get(f"/files/{photo.key}").status_code == 404
    other_web.login(make_staff(db, Role.SUPERVISOR, "HRSS").login_name)
    assert other_web.get(f"/files/{photo.key}").status_code == 200


def test_a_city_supervisor_sees_every_departments_case_and_a_department_supervisor_only_its_own(
    db, catalog, social_security_case
):
    application, _ = social_security_case
    assert policy.may_view_application(make_staff(db, Role.SUPERVISOR), application, catalog)
    assert policy.may_view_application(make_staff(db, Role.SUPERVISOR, "HRSS"), application, catalog)
    assert not policy.may_view_application(make_staff(db, Role.SUPERVISOR, "AMR"), application, catalog)


# --- finding 5: the working-day calendar -------------------------------------------------------


def test_a_department_supervisor_may_neither_add_nor_remove_a_calendar_day(web, db):
    add_override(session=db, actor=make_staff(db, Role.SUPERVISOR), day=date(2040, 2, 18), kind=WORKDAY, note="")
    web.login(make_staff(db, Role.SUPERVISOR, "AMR").login_name)
    assert web.post("/supervisor/calendar", {"day": "2040-02-25", "kind": "workday", "note": ""}).status_code == 403
    assert web.post("/supervisor/calendar/2040-02-18/remove").status_code == 403
    db.expire_all()
    assert [o.day for o in db.exec(select(CalendarOverride)).all()] == [date(2040, 2, 18)]


def test_a_department_supervisor_sees_the_calendar_without_the_form_to_change_it(web, db):
    web.login(make_staff(db, Role.SUPERVISOR, "AMR").login_name)
    page = web.get("/supervisor/calendar?year=2040")
    assert page.status_code == 200
    assert 'action="/supervisor/calendar"' not in page.get_data(as_text=True)
