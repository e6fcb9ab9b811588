"""The applicant after submitting, through the Flask test client: notice, resubmission, owed material,
rating, and the in-app messages."""

import html as entities
import io
import re
from functools import partial

import pytest
from sqlalchemy import event
from sqlmodel import select

from services import clock
from services.applications.followup import case_view
from services.casework import desk
from services.casework import tasks as casework
from services.models import (
    ApplicationStatus,
    Attachment,
    AuditEvent,
    Notice,
    Rating,
    Rectification,
    Role,
    Task,
    TaskStatus,
)
from tests.conftest import EXE, PDF, PNG
from tests.factories import make_staff
from tests.sample import newborn, submitted
from web.cli_outbox import outbox_cli

EN = {"Accept-Language": "en"}
THREE_DAY_ITEM = "330100-TRANSPORT-003"
TOLERANT_ITEM = "330100-HRSS-003"  # personnel_file is a non-core material
INSTANT_ITEM = "330100-CIVIL-001"


@pytest.fixture
def front_desk(db):
    return make_staff(db, Role.FRONT_DESK)


def apply_and_log_in(web, app, db, catalog, code, **kwargs):
    applicant, application = submitted(db, catalog, app.extensions["file_store"], code, **kwargs)
    web.login(applicant.login_name)
    return applicant, application


def page(web, path) -> str:
    """The English page, with character references resolved so catalogue names compare as written."""
    response = web.get(path, headers=EN)
    assert response.status_code == 200, response.status_code
    return entities.unescape(response.get_data(as_text=True))


def fresh(db, row):
    db.expire_all()
    return db.get(type(row), row.id)


def correctable_field(service):
    """A typed answer the applicant can correct (the name and ID number come from the account)."""
    return next(spec for spec in service.fields if spec.type == "text" and not spec.from_account)


def issue_two_item_notice(db, catalog, front_desk, application):
    service = catalog.service(application.service_code)
    items = [
        desk.NoticeItem("field", correctable_field(service).key, "与驾驶证上的号码不一致"),
        desk.NoticeItem("material", service.materials[-1].key, "扫描件不清晰，请重新上传"),
    ]
    desk.issue_notice(session=db, actor=front_desk, key=application.key, catalog=catalog, items=items)
    return service, items


def test_the_notice_is_shown_with_every_item_and_a_way_to_fix_it(web, app, db, catalog, front_desk):
    _, application = apply_and_log_in(web, app, db, catalog, THREE_DAY_ITEM)
    service, items = issue_two_item_notice(db, catalog, front_desk, application)
    html = page(web, f"/applications/{application.key}")
    notice = html.split('id="notice"')[1].split("</section>")[0]
    assert correctable_field(service).label.en in notice and service.materials[-1].name.en in notice
    assert all(item.reason in notice for item in items)
    assert f'href="/applications/{application.key}/edit"' in notice and "Fix and resubmit" in notice
    assert "Withdraw this application" in html

    edit = page(web, f"/applications/{application.key}/edit")
    top = edit.split('id="notice"')[1].split("</section>")[0]
    assert all(item.reason in top for item in items)
    edit_path = f"/applications/{application.key}/edit"
    assert f'href="{edit_path}#f_{correctable_field(service).key}"' in top
    assert f'href="{edit_path}#m_{service.materials[-1].key}"' in top
    assert "Resubmit with the corrections" in page(web, f"/applications/{application.key}/check")


def test_fix_and_resubmit_in_one_go(web, app, db, catalog, front_desk):
    _, application = apply_and_log_in(web, app, db, catalog, THREE_DAY_ITEM)
    service, _ = issue_two_item_notice(db, catalog, front_desk, application)
    field, material = correctable_field(service), service.materials[-1]
    edit_url = f"/applications/{application.key}/edit"
    data = {
        "csrf_token": web.csrf(edit_url),
        "action": "submit",
        f"f_{field.key}": "330106200001019999",
        f"m_{material.key}": (io.BytesIO(PNG), "clear-scan.png"),
    }
    response = web.client.post(edit_url, data=data, content_type="multipart/form-data")
    check_url = f"/applications/{application.key}/check"
    assert response.status_code == 302 and response.headers["Location"] == check_url
    response = web.post(check_url)
    assert response.status_code == 302 and response.headers["Location"] == f"/applications/{application.key}"

    application = fresh(db, application)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.form_data[field.key] == "330106200001019999"
    replaced = db.exec(
        select(Attachment).where(Attachment.application_id == application.id, Attachment.material_key == material.key)
    ).one()
    assert (replaced.filename, replaced.content_type) == ("clear-scan.png", "image/png")
    assert db.exec(select(Notice).where(Notice.application_id == application.id)).one().answered_at is not None

    # A second click of the same button changes nothing.
    again = web.post(check_url)
    assert again.status_code == 302
    events = db.exec(select(AuditEvent.event).where(AuditEvent.application_id == application.id)).all()
    assert events.count("resubmit") == 1
    html = page(web, f"/applications/{application.key}")
    assert 'id="notice"' not in html and "front desk" in html


def test_a_wallet_certificate_the_notice_rejects_can_be_replaced_by_a_file(web, app, db, catalog, front_desk):
    _, application = apply_and_log_in(web, app, db, catalog, THREE_DAY_ITEM)
    wallet_material = next(m for m in catalog.service(THREE_DAY_ITEM).materials if m.wallet_cert)
    edit_url = f"/applications/{application.key}/edit"
    desk.issue_notice(
        session=db,
        actor=front_desk,
        key=application.key,
        catalog=catalog,
        items=[desk.NoticeItem("material", wallet_material.key, "证件已过期")],
    )
    assert f'name="m_{wallet_material.key}"' in page(web, edit_url)
    data = {
        "csrf_token": web.csrf(edit_url),
        "action": "submit",
        f"m_{wallet_material.key}": (io.BytesIO(PDF), "renewed.pdf"),
    }
    assert web.client.post(edit_url, data=data, content_type="multipart/form-data").status_code == 302
    assert web.post(f"/applications/{application.key}/check").status_code == 302
    row = db.exec(
        select(Attachment).where(
            Attachment.application_id == application.id, Attachment.material_key == wallet_material.key
        )
    ).one()
    assert (row.source, row.filename) == ("upload", "renewed.pdf")
    assert fresh(db, application).status == ApplicationStatus.SUBMITTED


def test_an_owed_material_is_handed_in_through_the_page(web, app, db, catalog, front_desk, frozen):
    _, application = apply_and_log_in(web, app, db, catalog, TOLERANT_ITEM, leave_out=("personnel_file",))
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog, tolerate=True)
    material = next(m for m in catalog.service(TOLERANT_ITEM).materials if m.key == "personnel_file")
    html = page(web, f"/applications/{application.key}")
    owed = html.split('id="owed"')[1].split("</section>")[0]
    assert material.name.en in owed and "Due by 2026-11-09" in owed
    action = f"/applications/{application.key}/supplement/personnel_file"
    assert f'action="{action}"' in owed

    field = "supplement_personnel_file-file"
    refused = web.client.post(
        action,
        data={"csrf_token": web.csrf(), field: (io.BytesIO(EXE), "file.pdf")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert f'id="{field}-error"' in body and "PDF, JPEG or PNG" in body
    empty = web.client.post(action, data={"csrf_token": web.csrf()}, content_type="multipart/form-data", headers=EN)
    assert empty.status_code == 422 and f'id="{field}-error"' in empty.get_data(as_text=True)
    assert db.exec(select(Task).where(Task.application_id == application.id)).one().owed_materials == ["personnel_file"]

    handed = web.client.post(
        action,
        data={"csrf_token": web.csrf(), field: (io.BytesIO(PDF), "file.pdf")},
        content_type="multipart/form-data",
    )
    assert handed.status_code == 302
    db.expire_all()
    task = db.exec(select(Task).where(Task.application_id == application.id)).one()
    assert task.owed_materials == [] and task.supplement_due is None
    assert 'id="owed"' not in page(web, f"/applications/{application.key}")
    assert (
        web.client.post(
            action,
            data={"csrf_token": web.csrf(), field: (io.BytesIO(PDF), "again.pdf")},
            content_type="multipart/form-data",
        ).status_code
        == 404
    )


def test_each_item_shows_its_department_status_deadline_and_colour(web, app, db, catalog, front_desk, frozen):
    _, application = apply_and_log_in(web, app, db, catalog, THREE_DAY_ITEM)
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    item = catalog.items[THREE_DAY_ITEM]
    html = page(web, f"/applications/{application.key}")
    items = html.split('id="items-title"')[1].split("</section>")[0]
    assert item.name.en in items and catalog.departments[item.department].name.en in items
    assert "In the department's queue" in items
    assert "2026-11-05" in items and "On time" in items and "3 working days left" in items
    assert "Decision promised by 2026-11-05" in html


def test_a_poor_rating_opens_a_rectification_and_its_answer_is_shown(web, app, db, catalog, front_desk):
    _, application = apply_and_log_in(web, app, db, catalog, INSTANT_ITEM)
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    detail_url = f"/applications/{application.key}"
    html = page(web, detail_url)
    assert len(re.findall(r'type="radio"[^>]*name="score"|name="score"[^>]*type="radio"', html)) == 5
    assert "<legend" in html.split('id="rating"')[1]

    missing = web.post(f"{detail_url}/rate", {"comment": "没选星"}, headers=EN)
    assert missing.status_code == 422 and 'id="score-error"' in missing.get_data(as_text=True)
    assert "没选星" in missing.get_data(as_text=True)

    assert web.post(f"{detail_url}/rate", {"score": "2", "comment": "等了很久"}).status_code == 302
    rating = db.exec(select(Rating).where(Rating.application_id == application.id)).one()
    assert (rating.score, rating.comment) == (2, "等了很久")
    rectification = db.exec(select(Rectification).where(Rectification.rating_id == rating.id)).one()
    html = page(web, detail_url)
    assert "2 out of 5 stars" in html and "has been asked to look into it" in html
    assert 'name="score"' not in html

    rectification.answer = "已约谈窗口人员并优化流程"
    rectification.status = "answered"
    rectification.answered_at = clock.now()
    db.add(rectification)
    db.commit()
    html = page(web, detail_url)
    department = catalog.departments[rectification.department].name.en
    assert f"Answer from {department}" in html and "已约谈窗口人员并优化流程" in html
    again = web.post(f"{detail_url}/rate", {"score": "5"}, headers=EN)
    assert again.status_code == 302 and again.headers["Location"] == f"{detail_url}#rating"
    assert page(web, detail_url).count("already been rated") == 1


def test_the_inbox_lists_messages_as_soon_as_they_are_written_and_marks_them_read(
    web, app, db, catalog, front_desk, tmp_path
):
    app.config["OUTBOX_FOLDER"] = str(tmp_path / "outbox")
    _, application = apply_and_log_in(web, app, db, catalog, INSTANT_ITEM)
    number = fresh(db, application).number
    assert f"We have received application {number}" in page(web, "/inbox")  # at once: no outbox run

    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    html = page(web, "/inbox")
    item = catalog.items[INSTANT_ITEM]
    assert f"{item.name.en}: approved." in html
    assert html.index(f"{item.name.en}: approved.") < html.index("We have received")  # newest first
    assert f'href="/applications/{application.key}"' in html
    unread = len(re.findall(r'class="list-group-item message unread"', html))
    assert unread >= 3 and f'{unread}<span class="visually-hidden"> unread</span>' in html
    assert item.name.zh in web.get("/inbox", headers={"Accept-Language": "zh"}).get_data(as_text=True)

    assert web.post("/inbox/read").status_code == 302
    html = page(web, "/inbox")
    assert "message unread" not in html and 'visually-hidden"> unread' not in html
    assert "Mark all as read" not in html


def test_a_supervisor_reads_the_poor_rating_message_without_an_applicant_link(
    web, other_web, app, db, catalog, front_desk, tmp_path
):
    app.config["OUTBOX_FOLDER"] = str(tmp_path / "outbox")
    supervisor = make_staff(db, Role.SUPERVISOR, catalog.items[INSTANT_ITEM].department)
    _, application = apply_and_log_in(web, app, db, catalog, INSTANT_ITEM)
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    assert web.post(f"/applications/{application.key}/rate", {"score": "1"}).status_code == 302
    app.test_cli_runner().invoke(outbox_cli, ["send"])

    other_web.login(supervisor.login_name)
    html = page(other_web, "/inbox")
    number = fresh(db, application).number
    assert f"Poor rating (1) on {number}" in html
    assert f'href="/applications/{application.key}"' not in html


def _decide_everything(db, catalog, application):
    """Clerks of each department claim and approve the tasks as they become ready."""
    while True:
        db.expire_all()
        ready = db.exec(
            select(Task).where(Task.application_id == application.id, Task.status == TaskStatus.READY)
        ).all()
        if not ready:
            return
        for task in ready:
            clerk = make_staff(db, Role.CLERK, task.department)
            casework.claim_task(session=db, actor=clerk, key=task.key, catalog=catalog)
            casework.approve_task(session=db, actor=clerk, key=task.key, catalog=catalog)


def _counting_statements(app, read):
    statements = []

    def count(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(app.extensions["engine"], "before_cursor_execute", count)
    try:
        return read(), len(statements)
    finally:
        event.remove(app.extensions["engine"], "before_cursor_execute", count)


def test_the_case_view_reads_each_table_once_however_many_items(app, db, catalog, front_desk):
    measured = []
    for code in (INSTANT_ITEM, newborn(catalog).code):
        applicant, application = submitted(db, catalog, app.extensions["file_store"], code)
        desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
        _decide_everything(db, catalog, application)
        measured.append(
            _counting_statements(
                app, partial(case_view, session=db, actor=applicant, key=application.key, catalog=catalog)
            )
        )
    (single, single_queries), (bundle, bundle_queries) = measured
    assert len(single.tasks) == 1 and len(bundle.tasks) == len(newborn(catalog).items)
    assert all(view.certificate for view in bundle.tasks if view.item.result_certificate)
    assert bundle_queries == single_queries


def _timeline_of_an_approved_case(web, app, db, catalog, front_desk) -> str:
    """The applicant's page from its timeline on, once the desk accepted and a clerk approved the one task."""
    _, application = apply_and_log_in(web, app, db, catalog, THREE_DAY_ITEM)
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    task = db.exec(select(Task).where(Task.application_id == application.id)).one()
    clerk = make_staff(db, Role.CLERK, task.department)
    casework.claim_task(session=db, actor=clerk, key=task.key, catalog=catalog)
    casework.approve_task(session=db, actor=clerk, key=task.key, catalog=catalog)
    return page(web, f"/applications/{application.key}").split('id="timeline-title"')[1]


def test_the_timeline_reads_each_decision_before_what_it_caused(web, app, db, catalog, front_desk):
    from services.workflow.case_types import event_labels

    timeline = _timeline_of_an_approved_case(web, app, db, catalog, front_desk)
    labels = event_labels()
    said = [
        timeline.index(f">{labels[event]}</")
        for event in ("accept", "task.claim", "start_review", "task.approve", "task.deliver", "complete")
    ]
    assert said == sorted(said)


def test_what_one_click_set_off_is_listed_beneath_it(web, app, db, catalog, front_desk):
    from services.workflow.case_types import event_labels

    timeline = _timeline_of_an_approved_case(web, app, db, catalog, front_desk).split("</ol>")[0]
    entries = {
        re.search(r"<strong>([^<]+)</strong>", entry)[1]: re.findall(r"<li>\s*<span>([^<]+)</span>", entry)
        for entry in timeline.split('<li class="mb-2">')[1:]
    }
    labels = event_labels()
    # The clerk's approval delivered the result and completed the case: one entry, the approval its heading.
    assert entries[labels["task.approve"]] == [labels["task.deliver"], labels["complete"]]
    assert entries[labels["task.claim"]] == [labels["start_review"]]
    assert labels["complete"] not in entries
