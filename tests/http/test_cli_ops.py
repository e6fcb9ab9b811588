"""`flask --app app sla|audit|workflow|calendar …` through Flask's CLI runner."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from services import clock
from services.audit import record_event
from services.casework import desk
from services.models import AuditEvent, Notification, Role, Task
from services.workflow.table import APPLICATION, TASK
from tests.factories import make_citizen, make_staff
from tests.sample import submitted
from web.cli_ops import register_ops_commands
from web.diagram import mermaid, workflow_markdown

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(app):
    # web/cli.py registers these with the rest; registering them again here is harmless.
    register_ops_commands(app)
    return app.test_cli_runner()


# --- audit ---------------------------------------------------------------------------


def test_audit_verify_passes_good_chains_and_names_an_edited_event(cli, db):
    actor = make_citizen(db)
    for i in range(3):
        record_event(db, actor=actor, event="attach", chain="test", payload={"i": i})
    db.commit()
    good = cli.invoke(args=["audit", "verify"])
    assert good.exit_code == 0, good.output
    assert "audit chains ok: 3 events in 1 chains" in good.output

    db.execute(update(AuditEvent).where(AuditEvent.position == 2).values(reason="quietly changed"))
    db.commit()
    broken = cli.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "test: event #2 was edited" in broken.output


# --- workflow diagrams -----------------------------------------------------------------


def test_the_committed_workflow_doc_matches_the_table():
    doc = ROOT / "docs" / "workflow.md"
    assert doc.read_text(encoding="utf-8") == workflow_markdown(), (
        "docs/workflow.md is stale: run `flask --app app workflow diagram`"
    )


def test_workflow_diagram_writes_the_doc(cli, tmp_path):
    out = tmp_path / "workflow.md"
    result = cli.invoke(args=["workflow", "diagram", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    printed = cli.invoke(args=["workflow", "diagram", "--out", "-"])
    assert printed.output == workflow_markdown()


def test_the_diagrams_draw_every_row_with_who_may_fire_it():
    application, task = mermaid(APPLICATION), mermaid(TASK)
    assert application.startswith("stateDiagram-v2\n    [*] --> draft\n")
    assert "    submitted --> accepted : accept (front desk)\n" in application
    assert "    in_review --> in_review : record_visit (front desk)\n" in application  # a STAY row loops
    assert "    terminated --> [*]\n" in application and "    in_review --> [*]\n" not in application
    assert "    ready --> claimed : claim (clerk, instant desk)\n" in task
    for machine, text in ((APPLICATION, application), (TASK, task)):
        edges = sum(len(row.source) for row in machine.transitions)
        assert text.count(" : ") == edges
        assert text.count("--> [*]") == len(machine.final)


# --- calendar ----------------------------------------------------------------------------


def test_calendar_add_list_and_remove(cli):
    added = cli.invoke(args=["calendar", "add-workday", "2027-02-20", "--note", "春节调休上班"])
    assert added.exit_code == 0, added.output
    assert cli.invoke(args=["calendar", "add-holiday", "2027-06-15", "--note", "端午节"]).exit_code == 0
    listed = cli.invoke(args=["calendar", "list", "--year", "2027"]).output.splitlines()
    assert listed == ["2027-02-20  workday  春节调休上班", "2027-06-15  holiday  端午节"]
    assert cli.invoke(args=["calendar", "list", "--year", "2028"]).output == "no calendar changes recorded\n"

    removed = cli.invoke(args=["calendar", "remove", "2027-06-15"])
    assert removed.exit_code == 0 and "removed 2027-06-15" in removed.output
    assert cli.invoke(args=["calendar", "list"]).output.splitlines() == ["2027-02-20  workday  春节调休上班"]
    again = cli.invoke(args=["calendar", "remove", "2027-06-15"])
    assert again.exit_code == 1 and "nothing recorded" in again.output


def test_calendar_refuses_a_change_that_changes_nothing_and_a_bad_date(cli):
    weekday = cli.invoke(args=["calendar", "add-workday", "2027-06-16"])
    assert weekday.exit_code == 1 and "already a working day" in weekday.output
    assert cli.invoke(args=["calendar", "add-holiday", "16/06/2027"]).exit_code == 2


# --- sla --------------------------------------------------------------------------------------


REQUESTS_UNTOUCHED = "enterprise requests escalated 0, closed without the firm's reply 0\n"


def test_sla_sweep_prints_its_counts(app, cli, db, catalog):
    front_desk = make_staff(db, Role.FRONT_DESK)
    clerk = make_staff(db, Role.CLERK, "TRANSPORT")
    _, application = submitted(db, catalog, app.extensions["file_store"], "330100-TRANSPORT-003")
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    # As if the promised days had run out: the deadline is behind us.
    db.execute(
        update(Task)
        .where(Task.application_id == application.id)
        .values(deadline=clock.china_today() - timedelta(days=1))
    )
    db.commit()
    first = cli.invoke(args=["sla", "sweep"])
    assert first.exit_code == 0, first.output
    assert first.output == "recoloured 1, notified 1, terminated 0\n" + REQUESTS_UNTOUCHED
    assert cli.invoke(args=["sla", "sweep"]).output == "recoloured 0, notified 0, terminated 0\n" + REQUESTS_UNTOUCHED
    assert db.exec(select(Notification).where(Notification.user_id == clerk.id)).first() is not None
