"""The guard every test runs under (tests/status_guard.py) catches a status the project's code writes
outside the transition tables, and lets the engine's moves and other columns through."""

import pytest
from sqlalchemy import text

from services.models import Task
from services.workflow.case_types import case_types
from tests.sample import submitted
from tests.status_guard import ROOT, StatusWrittenOutsideTheTable

ITEM = "330100-TRANSPORT-003"  # any item will do
TABLES = sorted({case_type.model.__tablename__ for case_type in case_types().values()} | {Task.__tablename__})

# Stray writes as if a module of the domain made them: compiled under a file name in services/.
ROGUE = """
def update_by_hand(session, statement, **values):
    session.execute(text(statement), values)

def flush(session):
    session.flush()
"""
rogue: dict = {"text": text}
exec(compile(ROGUE, str(ROOT / "services" / "rogue_writer.py"), "exec"), rogue)


@pytest.mark.parametrize("table", TABLES)
def test_an_update_of_a_status_by_hand_is_caught_for_every_kind(session, table):
    with pytest.raises(StatusWrittenOutsideTheTable):
        rogue["update_by_hand"](session, f"UPDATE {table} SET status = 'completed' WHERE id = -1")


def test_a_status_set_on_a_loaded_case_is_caught_when_flushed(session, catalog, store):
    _, application = submitted(session, catalog, store, ITEM)
    application.status = "completed"
    session.add(application)
    with pytest.raises(StatusWrittenOutsideTheTable):
        rogue["flush"](session)


def test_a_task_created_past_its_first_state_is_caught(session, catalog, store):
    _, application = submitted(session, catalog, store, ITEM)
    session.add(Task(application_id=application.id, item_code="x", department="hrss", status="ready"))
    with pytest.raises(StatusWrittenOutsideTheTable):
        rogue["flush"](session)


def test_the_engine_moves_and_other_columns_pass(session, catalog, store):
    _, application = submitted(session, catalog, store, ITEM)  # submitted: the engine moved it
    rogue["update_by_hand"](session, "UPDATE application SET channel = 'online' WHERE id = :id", id=application.id)
    application.delivery_method = "post"
    session.add(application)
    rogue["flush"](session)
    assert application.status == "submitted"
