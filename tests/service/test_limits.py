"""Over-long text is refused with the field named and the limit stated, never cut on the way to the database."""

import pytest
from sqlmodel import select

from services.applications.submission import rate_application
from services.casework import desk, tasks
from services.casework.desk import REASON_MAX_LENGTH
from services.errors import Invalid
from services.models import Rating, Role, Task, Visit
from services.models.cases import VISIT_PURPOSE_MAX_LENGTH
from services.models.records import RATING_COMMENT_MAX_LENGTH
from services.workflow.task_rules import MAX_EXTENSION_DAYS
from tests.factories import make_staff
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"
INSTANT_ITEM = "330100-CIVIL-001"


@pytest.fixture
def front_desk(session):
    return make_staff(session, Role.FRONT_DESK)


def refused_field(raised: pytest.ExceptionInfo) -> tuple[str, str]:
    """The field the refusal names and its English message."""
    ((field, message),) = raised.value.errors.items()
    return field, str(message)


def test_a_visit_purpose_one_character_too_long_is_refused(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    with pytest.raises(Invalid) as raised:
        desk.record_visit(
            session=session,
            actor=front_desk,
            key=application.key,
            catalog=catalog,
            purpose="核" * (VISIT_PURPOSE_MAX_LENGTH + 1),
        )
    assert refused_field(raised) == ("reason", f"At most {VISIT_PURPOSE_MAX_LENGTH} characters.")
    desk.record_visit(
        session=session, actor=front_desk, key=application.key, catalog=catalog, purpose="核" * VISIT_PURPOSE_MAX_LENGTH
    )
    assert len(session.exec(select(Visit)).one().purpose) == VISIT_PURPOSE_MAX_LENGTH


def test_a_rating_comment_too_long_is_refused_and_one_at_the_limit_kept_whole(session, catalog, store, front_desk):
    applicant, application = submitted(session, catalog, store, INSTANT_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    with pytest.raises(Invalid) as raised:
        rate_application(
            session=session,
            actor=applicant,
            key=application.key,
            catalog=catalog,
            score=5,
            comment="好" * (RATING_COMMENT_MAX_LENGTH + 1),
        )
    assert refused_field(raised) == ("comment", f"At most {RATING_COMMENT_MAX_LENGTH} characters.")
    rate_application(
        session=session,
        actor=applicant,
        key=application.key,
        catalog=catalog,
        score=5,
        comment="好" * RATING_COMMENT_MAX_LENGTH,
    )
    assert session.exec(select(Rating)).one().comment == "好" * RATING_COMMENT_MAX_LENGTH


def test_a_notice_reason_too_long_is_refused_on_its_own_line(session, catalog, store, front_desk):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    material = catalog.service(application.service_code).materials[0].key
    with pytest.raises(Invalid) as raised:
        desk.issue_notice(
            session=session,
            actor=front_desk,
            key=application.key,
            catalog=catalog,
            items=[desk.NoticeItem("material", material, "不" * (REASON_MAX_LENGTH + 1))],
        )
    assert refused_field(raised) == (f"reason_{material}", f"At most {REASON_MAX_LENGTH} characters.")
    assert str(raised.value.message) == f"At most {REASON_MAX_LENGTH} characters."


@pytest.mark.parametrize("days", [0, MAX_EXTENSION_DAYS + 1])
def test_an_extension_outside_the_limit_names_the_limit(session, catalog, store, front_desk, days):
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    task = session.exec(select(Task).where(Task.application_id == application.id)).one()
    clerk = make_staff(session, Role.CLERK, task.department)
    tasks.claim_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    with pytest.raises(Invalid) as raised:
        tasks.request_extension(session=session, actor=clerk, key=task.key, catalog=catalog, days=days, reason="核验")
    assert refused_field(raised) == ("days", f"Ask for 1 to {MAX_EXTENSION_DAYS} working days.")
