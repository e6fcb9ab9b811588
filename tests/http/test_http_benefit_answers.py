"""Disputing an offer's amount and an employer answering its employees' offers, through the Flask test client.

Each person signs in through the real form: the parent, the front desk, the clerk, the firm, its employee.
"""

from html import unescape

from sqlmodel import select

from services import clock
from services.casework.desk import accept_application
from services.models import Application, BenefitOffer, BenefitOfferStatus, Certificate, Role, Task
from services.offers.sweep import sweep_offers
from tests.factories import make_company, make_staff
from tests.http.test_http_benefits import EN, browser, offered, status_of
from tests.service.test_benefit_employers import GRADUATE_INSURANCE, a_graduate_employee
from tests.service.test_benefit_offers import a_parent


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_a_bad_dispute_names_the_field_and_keeps_what_was_typed(app, db, catalog, frozen):
    parent = a_parent(db, clock.china_today())
    offer = offered(db, catalog, parent)
    web = browser(app, parent)
    page = _page(web.get(f"/benefits/{offer.key}", headers=EN))
    assert "The amount is wrong" in page and 'name="claimed_amount"' in page

    for typed, says in (
        ("-5", "positive number of yuan with at most two decimals"),
        ("twelve", "positive number of yuan with at most two decimals"),
        ("", "Enter the amount in yuan."),
    ):
        refused = web.post(
            f"/benefits/{offer.key}/dispute", {"claimed_amount": typed, "dispute_reason": "twins"}, headers=EN
        )
        page = _page(refused)
        assert refused.status_code == 422 and "There is a problem" in page and says in page, typed
        assert 'href="#claimed_amount"' in page and f'value="{typed}"' in page and "twins</textarea>" in page
    no_reason = web.post(f"/benefits/{offer.key}/dispute", {"claimed_amount": "7200", "dispute_reason": ""}, headers=EN)
    page = _page(no_reason)
    assert no_reason.status_code == 422 and "Say why you believe the amount is wrong." in page
    assert 'href="#dispute_reason"' in page and 'value="7200"' in page
    assert status_of(db, offer) == BenefitOfferStatus.OFFERED
    assert db.exec(select(Application).where(Application.service_code == "330100-HEALTH-005")).all() == []


def test_a_disputed_amount_goes_through_the_desk_and_the_clerk_and_comes_back_to_accept(app, db, catalog, frozen):
    parent = a_parent(db, clock.china_today())
    offer = offered(db, catalog, parent)
    web = browser(app, parent)
    filed = web.post(
        f"/benefits/{offer.key}/dispute",
        {"claimed_amount": "7200", "dispute_reason": "I have twins; one is missing"},
        headers=EN,
    )
    assert filed.status_code == 302 and status_of(db, offer) == BenefitOfferStatus.AMOUNT_DISPUTED
    application = db.get(Application, db.get(BenefitOffer, offer.id).review_application_id)
    page = _page(web.get(f"/benefits/{offer.key}", headers=EN))
    assert application.number in page and "7200.00 yuan" in page and "Accept" not in page.split("What you can do")[-1]
    # The review is one of the parent's applications like any other.
    assert application.number in _page(web.get("/applications", headers=EN, follow_redirects=True))

    desk = make_staff(db, Role.FRONT_DESK)
    db.commit()
    accept_application(session=db, actor=desk, key=application.key, catalog=catalog)
    task = db.exec(select(Task).where(Task.application_id == application.id)).one()
    clerk = browser(app, make_staff(db, Role.CLERK, department="HEALTH"))
    assert clerk.post(f"/clerk/tasks/{task.key}/claim").status_code == 302
    task_page = _page(clerk.get(f"/clerk/tasks/{task.key}", headers=EN))
    assert "Amount due (yuan)" in task_page and 'name="decided_amount"' in task_page
    missing = clerk.post(f"/clerk/tasks/{task.key}/approve", {"decided_amount": "", "note": ""}, headers=EN)
    assert missing.status_code == 422 and "Enter the amount in yuan." in _page(missing)
    assert status_of(db, offer) == BenefitOfferStatus.AMOUNT_DISPUTED
    approved = clerk.post(f"/clerk/tasks/{task.key}/approve", {"decided_amount": "7200", "note": "twins confirmed"})
    assert approved.status_code == 302

    assert status_of(db, offer) == BenefitOfferStatus.OFFERED
    page = _page(web.get(f"/benefits/{offer.key}", headers=EN))
    assert "7200.00 yuan" in page and "Offered again at the amount the review decided" in page
    accepted = web.post(
        f"/benefits/{offer.key}/accept", {"bank_account": "6222 0212 3456 7890", "bank_name": "工商银行"}
    )
    assert accepted.status_code == 302 and status_of(db, offer) == BenefitOfferStatus.ACCEPTED


def test_disputing_an_answered_offer_says_why_and_someone_elses_is_not_found(app, db, catalog, frozen):
    parent = a_parent(db, clock.china_today())
    offer = offered(db, catalog, parent)
    stranger = browser(app, make_company(db))
    claim = {"claimed_amount": "7200", "dispute_reason": "twins"}
    assert stranger.post(f"/benefits/{offer.key}/dispute", claim).status_code == 404
    web = browser(app, parent)
    web.post(f"/benefits/{offer.key}/decline", {"decline_reason": "not_needed", "decline_note": ""})
    late = web.post(f"/benefits/{offer.key}/dispute", claim, headers=EN)
    assert late.status_code == 409 and "cannot dispute amount a benefit offer that is declined" in _page(late)
    assert status_of(db, offer) == BenefitOfferStatus.DECLINED


def test_the_firm_answers_its_employees_offer_and_the_employee_reads_who_did(app, db, catalog, frozen):
    today = clock.china_today()
    graduate, firm = a_graduate_employee(db, today)
    sweep_offers(session=db, catalog=catalog, today=today)
    db.commit()
    offer = db.exec(
        select(BenefitOffer).where(BenefitOffer.applicant_id == graduate.id, BenefitOffer.policy == GRADUATE_INSURANCE)
    ).one()

    employee = browser(app, graduate)
    page = _page(employee.get(f"/benefits/{offer.key}", headers=EN))
    assert firm.full_name in page and "What you can do" not in page
    refused = employee.post(
        f"/benefits/{offer.key}/accept", {"bank_account": "6222021234567890", "bank_name": "工商银行"}, headers=EN
    )
    assert refused.status_code == 403 and status_of(db, offer) == BenefitOfferStatus.OFFERED

    other = browser(app, make_company(db))
    assert other.get(f"/benefits/{offer.key}").status_code == 404
    assert offer.number not in _page(other.get("/benefits", headers=EN))

    degree = db.exec(select(Certificate).where(Certificate.owner_id == graduate.id)).one()
    assert degree.number in page and "pension as employee" in page  # the employee reads the records behind the rules

    employer = browser(app, firm)
    listing = _page(employer.get("/benefits", headers=EN))
    assert "Offers you answer for your employees" in listing and offer.number in listing
    page = _page(employer.get(f"/benefits/{offer.key}", headers=EN))
    assert graduate.full_name in page and "What you can do" in page
    # The firm reads which rules hold, not its employee's certificates, ID number or months paid.
    assert "Why your employee qualifies" in page and "holds" in page
    assert degree.number not in page and graduate.id_number not in page and "pension as employee" not in page
    accepted = employer.post(
        f"/benefits/{offer.key}/accept", {"bank_account": "3301 0400 0123 4567 8901", "bank_name": "杭州银行"}
    )
    assert accepted.status_code == 302 and status_of(db, offer) == BenefitOfferStatus.ACCEPTED
    chinese = _page(employee.get(f"/benefits/{offer.key}", headers={"Accept-Language": "zh"}))
    assert firm.full_name in chinese and "杭州银行 ···· 8901" in chinese


def test_an_amount_review_is_not_applied_for_from_the_catalogue_but_from_the_offer(app, db, catalog, frozen):
    parent = a_parent(db, clock.china_today())
    web = browser(app, parent)
    # Search and the department's list leave it out; its own page says where it is asked for, with no Apply button.
    assert "330100-HEALTH-005" not in _page(web.get("/search?q=benefit+review", headers=EN))
    assert "330100-HEALTH-005" not in _page(web.get("/departments/HEALTH", headers=EN))
    page = _page(web.get("/services/330100-HEALTH-005", headers=EN))
    assert "Not applied for here: open the benefit offer" in page and "Apply online" not in page
    assert 'href="/benefits"' in page
    # A crafted start is refused: such a review would concern no offer.
    refused = web.post("/apply/330100-HEALTH-005", {})
    assert refused.status_code == 403
    assert db.exec(select(Application).where(Application.service_code == "330100-HEALTH-005")).all() == []
