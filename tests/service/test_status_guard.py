"""The guard every test runs under (tests/status_guard.py) catches a status written outside the tables."""

import pytest
from sqlalchemy import text

from services.models import Task
from services.workflow.case_types import case_types
from tests.sample import submitted
from tests.status_guard import StatusWrittenOutsideTheTable

ITEM = "330100-TRANSPORT-003"  # any item will do
TABLES = sorted({case_type.model.__tablename__ for case_type in case_types().values()} | {Task.__tablename__})


@pytest.mark.parametrize("table", TABLES)
def test_an_update_of_a_status_by_hand_is_caught_for_every_kind(session, table):
    with pytest.raises(StatusWrittenOutsideTheTable):
        session.execute(text(f"UPDATE {table} SET status = 'completed' WHERE id = -1"))


def test_a_status_set_on_a_loaded_case_is_caught_when_flushed(session, catalog, store):
    _, application = submitted(session, catalog, store, ITEM)
    application.status = "completed"
    session.add(application)
    with pytest.raises(StatusWrittenOutsideTheTable):
        session.flush()


def test_a_task_created_past_its_first_state_is_caught(session, catalog, store):
    _, application = submitted(session, catalog, store, ITEM)
    session.add(Task(application_id=application.id, item_code="x", department="hrss", status="ready"))
    with pytest.raises(StatusWrittenOutsideTheTable):
        session.flush()


def test_other_columns_of_a_case_are_written_freely(session, catalog, store):
    _, application = submitted(session, catalog, store, ITEM)
    session.execute(text("UPDATE application SET channel = 'online' WHERE id = :id"), {"id": application.id})
    application.delivery_method = "post"
    session.add(application)
    session.flush()
