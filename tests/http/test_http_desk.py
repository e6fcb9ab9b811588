"""The front desk's pages through the Flask test client (CSRF on, logged in through the form)."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlmodel import select

from services.applications.submission import resubmit_application
from services.casework import desk, tasks
from services.models import (
    Application,
    ApplicationStatus,
    Attachment,
    Notice,
    Role,
    Task,
    TaskStatus,
    Visit,
)
from tests.factories import make_application, make_citizen, make_staff
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"  # e-certificate only, zero visits promised
TOLERANT_ITEM = "330100-HRSS-003"  # personnel_file is a non-core material
POSTED_ITEM = "330100-HRSS-011"  # delivered by post or at the window


def log_in(web, user):
    """Log in through the real form, then read the pages in English."""
    web.login(user.login_name)
    web.post("/language", {"lang": "en", "next": "/"})


@pytest.fixture
def store(app):
    return app.extensions["file_store"]


@pytest.fixture
def front_desk(db):
    return make_staff(db, Role.FRONT_DESK)


def reload(db, application) -> Application:
    db.expire_all()
    return db.get(Application, application.id)


def tasks_of(db, application) -> list[Task]:
    db.expire_all()
    return list(db.exec(select(Task).where(Task.application_id == application.id).order_by(Task.id)))


class FormReader(HTMLParser):
    """What a browser would send for the form posting to `action`, as rendered."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.data, self.textarea = action, False, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif self.inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[attrs["name"]] = attrs.get("value") or ""
        elif self.inside and tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def rendered_form(html: str, action: str) -> dict[str, str]:
    reader = FormReader(action)
    reader.feed(html)
    return reader.data


def review_url(application) -> str:
    return f"/desk/applications/{application.key}"


# --- the queue -----------------------------------------------------------------------


def test_the_queue_lists_submitted_applications_oldest_first(web, db, catalog, store, front_desk, at):
    at(2026, 11, 2, 10)
    _, later = submitted(db, catalog, store, THREE_DAY_ITEM)
    at(2026, 11, 2, 9)
    applicant, earlier = submitted(db, catalog, store, TOLERANT_ITEM, leave_out=("personnel_file",))
    at(2026, 11, 2, 11)
    log_in(web, front_desk)
    html = web.get("/desk").get_data(as_text=True)
    # The earlier one got the later public number: the order is by submission time, not by number.
    assert earlier.number > later.number
    assert html.index(earlier.number) < html.index(later.number)
    assert applicant.full_name in html and catalog.items[TOLERANT_ITEM].name.en in html
    assert "waiting 2 hours" in html
    assert 'href="/desk/deliveries"' in html


def test_the_queue_pages_on_with_more(web, db, front_desk):
    applicant = make_citizen(db)
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    numbers = [f"ZJ-20261102-{n:06d}" for n in range(1, desk.PAGE_SIZE + 2)]
    for n, number in enumerate(numbers):
        make_application(
            db,
            applicant,
            THREE_DAY_ITEM,
            status=ApplicationStatus.SUBMITTED,
            number=number,
            submitted_at=start + timedelta(minutes=n),
        )
    log_in(web, front_desk)
    first = web.get("/desk").get_data(as_text=True)
    assert all(number in first for number in numbers[:-1]) and numbers[-1] not in first
    more = unescape(re.search(r'href="(/desk\?after=[^"]+)"', first).group(1))
    second = web.get(more).get_data(as_text=True)
    assert numbers[-1] in second and numbers[0] not in second


def test_only_the_front_desk_may_open_it(web, other_web, db):
    citizen = make_citizen(db)
    clerk = make_staff(db, Role.CLERK, "TRANSPORT")
    assert web.get("/desk").status_code == 302  # to the login page
    web.login(citizen.login_name)
    other_web.login(clerk.login_name)
    for browser in (web, other_web):
        assert browser.get("/desk").status_code == 403
        assert browser.get("/desk/deliveries").status_code == 403
        assert browser.post("/desk/applications/anything/accept").status_code == 403


# --- accept, tolerate, refuse, visit -----------------------------------------------------


def test_accepting_a_complete_application_creates_its_tasks(web, db, catalog, store, front_desk):
    _, application = submitted(db, catalog, store, THREE_DAY_ITEM)
    log_in(web, front_desk)
    html = web.get(review_url(application)).get_data(as_text=True)
    assert "Complete: nothing is missing." in html
    assert f'action="{review_url(application)}/accept"' in html and 'name="tolerate"' not in html
    exam = next(
        a
        for a in db.exec(select(Attachment).where(Attachment.application_id == application.id))
        if a.source == "upload"
    )
    assert f'href="/files/{exam.key}"' in html
    assert "from wallet" in html  # the ID card and the driving licence came from the wallet
    response = web.post(f"{review_url(application)}/accept")
    assert response.status_code == 302 and response.headers["Location"] == "/desk"
    assert reload(db, application).status == ApplicationStatus.ACCEPTED
    assert [(t.item_code, t.status) for t in tasks_of(db, application)] == [(THREE_DAY_ITEM, TaskStatus.READY)]
    queue = web.get("/desk").get_data(as_text=True)
    assert "accepted" in queue and application.number in queue  # the flash names it
    assert f'href="{review_url(application)}"' not in queue


def test_a_non_core_gap_is_accepted_only_when_tolerated(web, db, catalog, store, front_desk):
    _, application = submitted(db, catalog, store, TOLERANT_ITEM, leave_out=("personnel_file",))
    log_in(web, front_desk)
    html = web.get(review_url(application)).get_data(as_text=True)
    assert "may be tolerated" in html and "Accept with tolerated gap" in html
    refused = web.post(f"{review_url(application)}/accept")
    assert refused.status_code == 302 and refused.headers["Location"] == review_url(application)
    assert "issue a one-time notice instead" in web.get(review_url(application)).get_data(as_text=True)
    assert reload(db, application).status == ApplicationStatus.SUBMITTED
    response = web.post(f"{review_url(application)}/accept", {"tolerate": "y"})
    assert response.status_code == 302
    assert reload(db, application).status == ApplicationStatus.ACCEPTED
    assert tasks_of(db, application)[0].owed_materials == ["personnel_file"]


def test_not_accepting_needs_a_reason_and_keeps_what_was_typed(web, db, catalog, store, front_desk):
    _, application = submitted(db, catalog, store, THREE_DAY_ITEM)
    log_in(web, front_desk)
    empty = web.post(f"{review_url(application)}/refuse", {"reason": ""})
    assert empty.status_code == 422 and 'id="refuse-reason-error"' in empty.get_data(as_text=True)
    too_long = "不属于本中心受理范围" * 60
    kept = web.post(f"{review_url(application)}/refuse", {"reason": too_long})
    assert kept.status_code == 422 and too_long in kept.get_data(as_text=True)
    assert reload(db, application).status == ApplicationStatus.SUBMITTED
    response = web.post(f"{review_url(application)}/refuse", {"reason": "不属于本中心受理范围"})
    assert response.status_code == 302 and response.headers["Location"] == "/desk"
    assert reload(db, application).status == ApplicationStatus.NOT_ACCEPTED


def test_a_visit_is_recorded_and_flagged_beyond_the_promise(web, db, catalog, store, front_desk):
    _, application = submitted(db, catalog, store, THREE_DAY_ITEM)
    log_in(web, front_desk)
    empty = web.post(f"{review_url(application)}/visit", {"purpose": " "})
    assert empty.status_code == 422 and 'id="visit-purpose-error"' in empty.get_data(as_text=True)
    response = web.post(f"{review_url(application)}/visit", {"purpose": "核验原件"})
    assert response.status_code == 302 and response.headers["Location"] == review_url(application)
    visit = db.exec(select(Visit).where(Visit.application_id == application.id)).one()
    assert visit.purpose == "核验原件" and visit.beyond_promise
    html = web.get(review_url(application)).get_data(as_text=True)
    assert "核验原件" in html and "Beyond the promise" in html


# --- the one-time notice ------------------------------------------------------------------


def test_the_notice_comes_pre_ticked_with_every_gap(web, db, catalog, store, front_desk):
    applicant, application = submitted(db, catalog, store, TOLERANT_ITEM, leave_out=("personnel_file",))
    id_card = db.exec(
        select(Attachment).where(
            Attachment.application_id == application.id, Attachment.material_key == "applicant_id_card"
        )
    ).one()
    db.delete(id_card)  # the front desk finds the ID card does not belong to the case
    db.commit()
    log_in(web, front_desk)
    html = web.get(review_url(application)).get_data(as_text=True)
    assert "Accept with tolerated gap" not in html and "cannot be accepted" in html
    service = catalog.service(TOLERANT_ITEM)
    for spec in service.fields:
        assert f'name="tick_field_{spec.key}"' in html
    for spec in service.materials:
        assert f'name="tick_material_{spec.key}"' in html
    form = rendered_form(html, f"{review_url(application)}/notice")
    ticked = sorted(name for name in form if name.startswith("tick_"))
    assert ticked == ["tick_material_applicant_id_card", "tick_material_personnel_file"]
    assert form["reason_material_applicant_id_card"] and form["reason_material_personnel_file"]

    response = web.client.post(f"{review_url(application)}/notice", data=form)
    assert response.status_code == 302 and response.headers["Location"] == review_url(application)
    assert reload(db, application).status == ApplicationStatus.NEEDS_CORRECTION
    notice = db.exec(select(Notice).where(Notice.application_id == application.id)).one()
    assert [item["key"] for item in notice.items] == ["applicant_id_card", "personnel_file"]
    assert not notice.breach
    page = web.get(review_url(application)).get_data(as_text=True)
    assert "Not answered yet" in page and form["reason_material_personnel_file"] in page


def test_a_ticked_item_without_a_reason_is_marked_and_the_rest_kept(web, db, catalog, store, front_desk):
    _, application = submitted(db, catalog, store, THREE_DAY_ITEM)
    log_in(web, front_desk)
    response = web.post(
        f"{review_url(application)}/notice",
        {
            "tick_material_exam_pass_certificate": "y",
            "reason_material_exam_pass_certificate": "扫描件不清晰",
            "tick_field_qualification_category": "y",
            "reason_field_qualification_category": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reason_field_qualification_category-error"' in html
    assert 'value="扫描件不清晰"' in html
    assert re.search(r'<input checked[^>]*name="tick_field_qualification_category"', html)
    assert reload(db, application).status == ApplicationStatus.SUBMITTED
    nothing = web.post(f"{review_url(application)}/notice", {})
    assert nothing.status_code == 422 and "Tick at least one item." in nothing.get_data(as_text=True)


def test_a_second_notice_needs_a_new_fact_and_counts_as_breach(web, db, catalog, store, front_desk):
    applicant, application = submitted(db, catalog, store, THREE_DAY_ITEM)
    log_in(web, front_desk)
    items = {"tick_material_exam_pass_certificate": "y", "reason_material_exam_pass_certificate": "扫描件不清晰"}
    assert web.post(f"{review_url(application)}/notice", items).status_code == 302
    db.expire_all()  # the notice was issued by the web request's own session
    resubmit_application(session=db, actor=applicant, key=application.key, catalog=catalog)
    html = web.get(review_url(application)).get_data(as_text=True)
    assert 'name="new_fact"' in html and "counts as a breach" in html

    refused = web.post(f"{review_url(application)}/notice", items)
    # Post/redirect/get: the desk ends on the case's page, where a reload sends nothing again.
    assert refused.status_code == 302 and refused.headers["Location"] == review_url(application)
    told = web.get(review_url(application)).get_data(as_text=True)
    assert told.count("one-time notice was already issued") == 1
    assert 'role="alert"' in told.split("one-time notice was already issued")[0].rsplit("<div", 1)[1]
    assert "invalid-feedback" not in told and "The notice was not issued" not in told
    assert reload(db, application).status == ApplicationStatus.SUBMITTED
    assert len(db.exec(select(Notice).where(Notice.application_id == application.id)).all()) == 1

    forced = web.post(f"{review_url(application)}/notice", {**items, "new_fact": "申请人更换了从业资格类别"})
    assert forced.status_code == 302
    assert reload(db, application).status == ApplicationStatus.NEEDS_CORRECTION
    notices = db.exec(select(Notice).where(Notice.application_id == application.id).order_by(Notice.id)).all()
    assert [n.breach for n in notices] == [False, True]
    assert "Breach: second notice" in web.get(review_url(application)).get_data(as_text=True)


# --- deliveries ---------------------------------------------------------------------------


def _approved(db, catalog, store, front_desk, code, method=None) -> tuple[Application, Task]:
    _, application = submitted(db, catalog, store, code, delivery_method=method)
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    task = tasks_of(db, application)[0]
    clerk = make_staff(db, Role.CLERK, task.department)
    tasks.claim_task(session=db, actor=clerk, key=task.key, catalog=catalog)
    tasks.approve_task(session=db, actor=clerk, key=task.key, catalog=catalog)
    return application, tasks_of(db, application)[0]


def test_deliveries_by_post_need_a_tracking_number_and_window_collection_is_a_visit(
    web, db, catalog, store, front_desk
):
    posted, posted_task = _approved(db, catalog, store, front_desk, POSTED_ITEM, "post")
    collected, collected_task = _approved(db, catalog, store, front_desk, POSTED_ITEM, "window")
    electronic, electronic_task = _approved(db, catalog, store, front_desk, THREE_DAY_ITEM)
    assert electronic_task.status == TaskStatus.DELIVERED
    log_in(web, front_desk)
    html = web.get("/desk/deliveries").get_data(as_text=True)
    by_post, at_window = html.split('id="window-title"')
    assert posted.number in by_post and collected.number in at_window
    assert electronic.number not in html

    missing = web.post(f"/desk/deliveries/{posted_task.key}", {"tracking_number": ""})
    assert missing.status_code == 422
    assert f'id="tracking-{posted_task.key}-error"' in missing.get_data(as_text=True)
    assert tasks_of(db, posted)[0].status == TaskStatus.APPROVED
    response = web.post(f"/desk/deliveries/{posted_task.key}", {"tracking_number": "SF1234567890"})
    assert response.status_code == 302 and response.headers["Location"] == "/desk/deliveries"
    task = tasks_of(db, posted)[0]
    assert (task.status, task.tracking_number) == (TaskStatus.DELIVERED, "SF1234567890")
    assert reload(db, posted).status == ApplicationStatus.COMPLETED

    assert web.post(f"/desk/deliveries/{collected_task.key}").status_code == 302
    assert tasks_of(db, collected)[0].status == TaskStatus.DELIVERED
    assert len(db.exec(select(Visit).where(Visit.application_id == collected.id)).all()) == 1
    assert posted.number not in web.get("/desk/deliveries").get_data(as_text=True)
