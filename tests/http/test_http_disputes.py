"""Dispute mediation through the Flask test client: each role signs in through the real form and uses its pages."""

import io
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from services import clock
from services.models import Certificate, Dispute, DisputeEvidence, DisputeStatus, Role, Task
from tests.conftest import EXE, PDF, Browser
from tests.factories import make_citizen, make_company, make_staff

TOWNSHIP = "HZ_XIHU_XIXI"


@pytest.fixture
def people(db):
    return {
        "resident": make_citizen(db),
        "firm": make_company(db),
        "window": make_staff(db, Role.FRONT_DESK),
        "mediator": make_staff(db, Role.CLERK, department="people_mediation"),
        "judge": make_staff(db, Role.CLERK, department="court_mediation"),
    }


def browser(app, user) -> Browser:
    signed_in = Browser(app.test_client())
    signed_in.login(user.login_name)
    return signed_in


def file_online(web, counterparty, evidence=(("合同.pdf", PDF),), claim="货款 3 万元逾期未付。"):
    data = {
        "counterparty": counterparty,
        "kind": "contract",
        "centre": TOWNSHIP,
        "claim": claim,
        "csrf_token": web.csrf("/disputes/new"),
        "evidence": [(io.BytesIO(content), name) for name, content in evidence],
    }
    return web.client.post("/disputes/new", data=data, content_type="multipart/form-data")


def the_dispute(db) -> Dispute:
    db.expire_all()
    return db.exec(select(Dispute)).one()


def test_a_resident_files_the_window_routes_the_mediator_settles_and_both_wallets_hold_the_agreement(app, db, people):
    resident = browser(app, people["resident"])
    assert "My disputes" in resident.get("/disputes", headers={"Accept-Language": "en"}).get_data(as_text=True)
    filed = file_online(resident, people["firm"].credit_code)
    assert filed.status_code == 302
    dispute = the_dispute(db)
    page = resident.get(filed.headers["Location"]).get_data(as_text=True)
    assert dispute.number in page and "合同.pdf" in page

    window = browser(app, people["window"])
    assert dispute.number in window.get("/centre").get_data(as_text=True)
    # Only the routes this contract dispute may take at a township centre are offered.
    review = window.get(f"/disputes/{dispute.key}").get_data(as_text=True)
    assert 'value="people_mediation"' in review and 'value="court_mediation"' not in review
    registered = window.post(
        f"/centre/disputes/{dispute.key}/register", {"routes": ["people_mediation"]}, follow_redirects=True
    )
    assert registered.status_code == 200 and the_dispute(db).status == DisputeStatus.IN_MEDIATION

    firm = browser(app, people["firm"])
    assert firm.post(f"/disputes/{dispute.key}/answer", {"answer": "同意调解"}).status_code == 302

    mediator = browser(app, people["mediator"])
    assert dispute.number in mediator.get("/mediation").get_data(as_text=True)
    # An agency's clerk is a clerk like any other: the applications' queue (empty) and the profile name the agency.
    assert "人民调解委员会调解" in mediator.get("/clerk").get_data(as_text=True)
    assert "人民调解委员会调解" in mediator.get("/account").get_data(as_text=True)
    task = db.exec(select(Task).where(Task.case_kind == "dispute")).one()
    assert mediator.post(f"/mediation/tasks/{task.key}/claim").status_code == 302
    at = (clock.to_china(clock.now()) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert mediator.post(f"/mediation/tasks/{task.key}/schedule", {"at": at, "place": "online"}).status_code == 302
    agreed = mediator.post(f"/mediation/tasks/{task.key}/agreement", {"terms": "30 日内付清 2.5 万元"})
    assert agreed.status_code == 302
    assert the_dispute(db).status == DisputeStatus.AGREED
    owners = {c.owner_id for c in db.exec(select(Certificate).where(Certificate.cert_type == "mediation_agreement"))}
    assert owners == {people["resident"].id, people["firm"].id}
    assert "调解协议书" in firm.get("/wallet", follow_redirects=True).get_data(as_text=True)

    # The agreement to the court: the party asks, the court's clerk confirms.
    assert firm.post(f"/disputes/{dispute.key}/request-confirmation").status_code == 302
    judge = browser(app, people["judge"])
    db.expire_all()
    confirmation = db.exec(select(Task).where(Task.item_code == "judicial_confirmation")).one()
    assert judge.post(f"/mediation/tasks/{confirmation.key}/claim").status_code == 302
    assert judge.post(f"/mediation/tasks/{confirmation.key}/confirm").status_code == 302
    assert the_dispute(db).status == DisputeStatus.CONFIRMED


def test_bad_filings_say_what_is_wrong_by_field_and_keep_what_was_typed(app, db, people):
    resident = browser(app, people["resident"])
    unknown = file_online(resident, "91330106MA2999999X", claim="我的诉求写在这里")
    page = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and 'id="error-summary"' in page
    assert "没有以此公民身份号码或统一社会信用代码注册的个人或企业" in page and "我的诉求写在这里" in page
    oneself = file_online(resident, people["resident"].id_number).get_data(as_text=True)
    assert "不能对自己提出纠纷调解申请" in oneself
    wrong_file = file_online(resident, people["firm"].credit_code, evidence=(("合同.pdf", PDF), ("payload.exe", EXE)))
    assert wrong_file.status_code == 422 and "payload.exe" in wrong_file.get_data(as_text=True)
    assert db.exec(select(Dispute)).all() == [] and db.exec(select(DisputeEvidence)).all() == []


def test_each_role_sees_only_its_buttons(app, db, people):
    resident = browser(app, people["resident"])
    file_online(resident, people["firm"].credit_code)
    dispute = the_dispute(db)
    as_resident = resident.get(f"/disputes/{dispute.key}").get_data(as_text=True)
    assert f"/disputes/{dispute.key}/withdraw" in as_resident and "/register" not in as_resident
    firm = browser(app, people["firm"])
    as_firm = firm.get(f"/disputes/{dispute.key}").get_data(as_text=True)
    # Filed but not registered: the other party has nothing to do yet.
    assert not re.search(r'action="/disputes/[^"]+/', as_firm)
    assert firm.post(f"/disputes/{dispute.key}/withdraw").status_code in (302, 403)
    assert the_dispute(db).status == DisputeStatus.FILED
    stranger = browser(app, make_citizen(db))
    assert stranger.get(f"/disputes/{dispute.key}").status_code == 404
    assert resident.get("/centre").status_code == 403 and resident.get("/mediation").status_code == 403


def test_a_party_adds_evidence_from_the_disputes_page_and_a_bad_file_is_named(app, db, people):
    resident = browser(app, people["resident"])
    file_online(resident, people["firm"].credit_code)
    dispute = the_dispute(db)
    page = resident.get(f"/disputes/{dispute.key}").get_data(as_text=True)
    assert f'action="/disputes/{dispute.key}/evidence"' in page and 'enctype="multipart/form-data"' in page

    def add(files):
        data = {
            "csrf_token": resident.csrf(f"/disputes/{dispute.key}"),
            "evidence": [(io.BytesIO(content), name) for name, content in files],
        }
        return resident.client.post(f"/disputes/{dispute.key}/evidence", data=data, content_type="multipart/form-data")

    refused = add([("转账记录.pdf", PDF), ("payload.exe", EXE)])
    assert refused.status_code == 422 and "payload.exe" in refused.get_data(as_text=True)
    assert add([("转账记录.pdf", PDF)]).status_code == 302
    kept = db.exec(select(DisputeEvidence).where(DisputeEvidence.dispute_id == dispute.id)).all()
    assert sorted(e.filename for e in kept) == ["合同.pdf", "转账记录.pdf"]
    assert "转账记录.pdf" in resident.get(f"/disputes/{dispute.key}").get_data(as_text=True)


def test_the_party_who_filed_rates_a_declined_dispute_on_its_page(app, db, people):
    resident = browser(app, people["resident"])
    file_online(resident, people["firm"].credit_code)
    dispute = the_dispute(db)
    window = browser(app, people["window"])
    window.post(f"/centre/disputes/{dispute.key}/decline", {"reason": "不属于调解范围"})
    assert the_dispute(db).status == DisputeStatus.DECLINED
    page = resident.get(f"/disputes/{dispute.key}").get_data(as_text=True)
    assert f'action="/disputes/{dispute.key}/rate"' in page and "<legend" in page
    unchosen = resident.post(f"/disputes/{dispute.key}/rate", {"comment": "太慢"})
    assert unchosen.status_code == 422 and "太慢" in unchosen.get_data(as_text=True)
    assert resident.post(f"/disputes/{dispute.key}/rate", {"score": "4", "comment": "说明清楚"}).status_code == 302
    page = resident.get(f"/disputes/{dispute.key}").get_data(as_text=True)
    assert "说明清楚" in page and f'action="/disputes/{dispute.key}/rate"' not in page


def test_the_window_records_a_walk_in_dispute_as_the_one_visit(app, db, people):
    window = browser(app, people["window"])
    data = {
        "applicant": people["resident"].id_number,
        "counterparty": people["firm"].credit_code,
        "kind": "consumer",
        "centre": TOWNSHIP,
        "claim": "冰箱不制冷",
        "csrf_token": window.csrf("/centre/new"),
    }
    assert window.client.post("/centre/new", data=data).status_code == 302
    page = window.get(f"/disputes/{the_dispute(db).key}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "at the window" in page


def test_supervisors_read_the_one_place_figures(app, db, people):
    resident = browser(app, people["resident"])
    file_online(resident, people["firm"].credit_code)
    supervisor = browser(app, make_staff(db, Role.SUPERVISOR))
    page = supervisor.get("/supervisor/disputes", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Visits per dispute" in page and "Agreements honoured" in page
    assert 'href="/supervisor/disputes"' in supervisor.get("/supervisor").get_data(as_text=True)
    assert resident.get("/supervisor/disputes").status_code == 403
