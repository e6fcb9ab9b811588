"""`make run`'s promise without a timed wait: the "received" message is in the inbox on the very next request.

The in-app message is written in the submit's own transaction, so no job has to run for it; the
worker's outbox job is what sends the SMS and e-mail copies (and only those).
"""

from sqlmodel import col, select

from services.applications.drafts import attach_upload, save_draft, start_draft
from services.models import Application, Notification
from tests.conftest import PDF
from tests.factories import make_citizen
from tests.sample import complete_values

ITEM = "330100-TRANSPORT-003"
EN = {"Accept-Language": "en"}


def test_the_received_message_is_in_the_inbox_on_the_next_request_and_the_worker_sends_the_copies(
    web, app, db, catalog, tmp_path
):
    app.config["OUTBOX_FOLDER"] = str(tmp_path / "outbox")
    citizen = make_citizen(db, email="wang@example.cn")
    service = catalog.service(ITEM)
    draft = start_draft(session=db, actor=citizen, service_code=ITEM, catalog=catalog)
    save_draft(session=db, actor=citizen, key=draft.key, values=complete_values(service), catalog=catalog)
    for material in service.materials:
        attach_upload(
            session=db,
            actor=citizen,
            key=draft.key,
            material_key=material.key,
            filename="scan.pdf",
            data=PDF,
            store=app.extensions["file_store"],
            catalog=catalog,
        )
    web.login(citizen.login_name)

    assert web.post(f"/applications/{draft.key}/check").status_code == 302
    number = db.exec(select(Application.number).where(Application.key == draft.key)).one()
    # The next request: the message is there, though no worker, outbox or sweep has run.
    inbox = web.get("/inbox", headers=EN).get_data(as_text=True)
    assert f"We have received application {number}" in inbox

    copies = db.exec(select(Notification).where(col(Notification.user_id) == citizen.id)).all()
    assert {m.channel for m in copies} == {"in_app", "sms", "email"}
    assert all((m.sent_at is None) == (m.channel != "in_app") for m in copies)  # the copies wait for the worker

    ran = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert ran.exit_code == 0, ran.output
    db.expire_all()
    assert all(
        m.sent_at is not None for m in db.exec(select(Notification).where(col(Notification.user_id) == citizen.id))
    )
