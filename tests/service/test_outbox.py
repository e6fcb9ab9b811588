"""The notification outbox: written with the change, sent after commit, each message exactly once."""

import json
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from services.applications.drafts import attach_upload, save_draft, start_draft
from services.applications.submission import submit_application
from services.casework import desk
from services.db import new_session
from services.models import Application, ApplicationStatus, Notification, Role
from services.notifications import IN_APP, inbox, notify, send_outbox, unread_count
from services.workflow import engine as workflow_engine
from tests.conftest import PDF
from tests.factories import make_citizen, make_staff
from tests.sample import complete_values, submitted
from web.cli_outbox import outbox_cli

INSTANT_ITEM = "330100-CIVIL-001"


def notification_count(session) -> int:
    return session.exec(select(func.count()).select_from(Notification)).one()


def plain_render(template: str, params: dict) -> str:
    return template % params


class RecordingGateway:
    """Remembers every message handed to it; slow enough that two senders overlap."""

    def __init__(self):
        self.sent: list[int] = []
        self._lock = threading.Lock()

    def send(self, notification, text):
        time.sleep(0.002)
        with self._lock:
            self.sent.append(notification.id)


def test_a_transition_that_fails_leaves_no_notification(session, catalog, store, monkeypatch):
    def audit_write_fails(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    service = catalog.service(INSTANT_ITEM)
    applicant = make_citizen(session)
    draft = start_draft(session=session, actor=applicant, service_code=INSTANT_ITEM, catalog=catalog)
    save_draft(session=session, actor=applicant, key=draft.key, values=complete_values(service), catalog=catalog)
    for material in service.materials:
        attach_upload(
            session=session,
            actor=applicant,
            key=draft.key,
            material_key=material.key,
            filename="a.pdf",
            data=PDF,
            store=store,
            catalog=catalog,
        )
    before = notification_count(session)

    # The submit row's effects queue "we have received it"; the audit write after them fails.
    monkeypatch.setattr(workflow_engine, "record_event", audit_write_fails)
    with pytest.raises(RuntimeError):
        submit_application(session=session, actor=applicant, key=draft.key, catalog=catalog)
    session.expire_all()
    assert notification_count(session) == before
    assert session.get(Application, draft.id).status == ApplicationStatus.DRAFT

    monkeypatch.undo()
    submit_application(session=session, actor=applicant, key=draft.key, catalog=catalog)
    assert notification_count(session) > before


def _outbox_lines(folder) -> list[dict]:
    lines = []
    for log in sorted(folder.glob("*.log")):
        lines += [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return lines


def test_outbox_send_twice_sends_each_message_once_in_chinese(app, db, catalog, tmp_path):
    folder = tmp_path / "outbox"
    app.config["OUTBOX_FOLDER"] = str(folder)
    runner = app.test_cli_runner()
    applicant, application = submitted(db, catalog, app.extensions["file_store"], INSTANT_ITEM)
    desk.accept_application(session=db, actor=make_staff(db, Role.FRONT_DESK), key=application.key, catalog=catalog)
    rows = db.exec(select(Notification)).all()
    external = [row for row in rows if row.channel != IN_APP]
    assert external and len(rows) > len(external)

    pending = runner.invoke(outbox_cli, ["pending"])
    assert pending.exit_code == 0, pending.output
    counts = Counter(row.channel for row in external)
    for channel, count in counts.items():
        assert f"{channel:<7} {count}" in pending.output
    assert "in_app  0" in pending.output  # in the inbox already

    first = runner.invoke(outbox_cli, ["send"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"sent {len(external)}, failed 0"  # in-app ones were delivered already
    second = runner.invoke(outbox_cli, ["send"])
    assert second.output.strip() == "sent 0, failed 0"

    lines = _outbox_lines(folder)
    assert sorted(line["id"] for line in lines) == sorted(row.id for row in external)
    db.expire_all()
    assert all(row.sent_at is not None for row in db.exec(select(Notification)))
    assert "email   0" in runner.invoke(outbox_cli, ["pending"]).output

    item = catalog.items[INSTANT_ITEM]
    decided = [line["text"] for line in lines if item.name.zh in line["text"]]
    assert decided and all(item.name.en not in text for text in decided)
    assert all(line["to"] == applicant.mobile for line in lines)


def test_send_limit_leaves_the_rest_for_the_next_run(app, db, catalog, tmp_path):
    app.config["OUTBOX_FOLDER"] = str(tmp_path / "outbox")
    submitted(db, catalog, app.extensions["file_store"], INSTANT_ITEM)
    total = db.exec(select(func.count()).select_from(Notification).where(Notification.channel != IN_APP)).one()
    runner = app.test_cli_runner()
    assert runner.invoke(outbox_cli, ["send", "--limit", "1"]).output.strip() == "sent 1, failed 0"
    assert runner.invoke(outbox_cli, ["send"]).output.strip() == f"sent {total - 1}, failed 0"


def test_two_senders_racing_never_send_one_message_twice(engine, session):
    people = [make_citizen(session, email=f"p{n}@example.cn") for n in range(5)]
    for n in range(12):
        for person in people:
            notify(session, user=person, template="message %(n)s", params={"n": n})
    session.commit()
    rows = session.exec(select(Notification)).all()
    external_ids = sorted(row.id for row in rows if row.channel != IN_APP)
    gateway = RecordingGateway()
    barrier = threading.Barrier(2)
    reports = []

    def sender():
        with new_session(engine) as own:
            barrier.wait()
            reports.append(send_outbox(session=own, gateway=gateway, render=plain_render))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(gateway.sent) == external_ids
    assert sum(report.sent for report in reports) == len(external_ids)
    assert all(report.failed == 0 for report in reports)
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Notification).where(Notification.sent_at.is_(None))).one() == 0


def test_in_app_messages_are_in_the_inbox_at_once_and_the_outbox_sends_only_sms_and_email(session, catalog, store):
    applicant, application = submitted(session, catalog, store, INSTANT_ITEM)
    messages = inbox(session=session, user=applicant)
    assert [m.params["number"] for m in messages] == [application.number]
    assert unread_count(session=session, user=applicant) == 1

    gateway = RecordingGateway()
    send_outbox(session=session, gateway=gateway, render=plain_render)
    texts = session.exec(select(Notification).where(col(Notification.id).in_(gateway.sent))).all()
    assert texts and {message.channel for message in texts} <= {"sms", "email"}
    assert inbox(session=session, user=applicant) == messages  # nothing delivered twice


class BrokenGateway:
    def send(self, notification, text):
        raise OSError("gateway unreachable")


def test_a_failed_send_is_kept_and_logged_without_the_recipient(session, caplog):
    person = make_citizen(session, email="wang@example.cn")
    notify(session, user=person, template="message %(n)s", params={"n": 1})
    session.commit()
    report = send_outbox(session=session, gateway=BrokenGateway(), render=plain_render)
    assert report.sent + report.failed > 0 and report.failed >= 1
    warnings = [record.getMessage() for record in caplog.records if record.name == "services.notifications"]
    assert len(warnings) == report.failed and all("gateway unreachable" in text for text in warnings)
    assert not any(person.email in text or person.mobile in text or person.full_name in text for text in warnings)
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Notification).where(Notification.sent_at.is_(None))).one() >= 1
