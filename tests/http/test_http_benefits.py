"""免申即享 through the Flask test client: the subject and the department's clerk sign in through the real form."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from services import clock
from services.models import BenefitGrant, BenefitOffer, BenefitOfferStatus, Role, Task
from services.offers.approval import approve_accepted
from services.offers.sweep import sweep_offers
from tests.conftest import Browser
from tests.factories import make_citizen, make_staff
from tests.service.test_benefit_offers import CHILDCARE, a_parent

EN = {"Accept-Language": "en"}


def browser(app, user) -> Browser:
    signed_in = Browser(app.test_client())
    signed_in.login(user.login_name)
    return signed_in


def offered(db, catalog, parent) -> BenefitOffer:
    sweep_offers(session=db, catalog=catalog, today=clock.china_today())
    return db.exec(select(BenefitOffer).where(BenefitOffer.applicant_id == parent.id)).one()


def status_of(db, offer) -> str:
    db.expire_all()
    return db.get(BenefitOffer, offer.id).status


def test_my_benefits_lists_the_offer_and_its_page_says_why_with_one_click_accept(app, db, catalog, frozen):
    parent = a_parent(db, clock.china_today())
    offer = offered(db, catalog, parent)
    web = browser(app, parent)
    listing = web.get("/benefits", headers=EN).get_data(as_text=True)
    assert "My benefits" in listing and offer.number in listing and "3600.00 yuan" in listing
    page = web.get(f"/benefits/{offer.key}", headers=EN).get_data(as_text=True)
    # Why: the rule, the certificate it read and its record.
    assert "Why you qualify" in page and "birth_medical_certificate" in page and "certificate" in page
    assert "Accept" in page and "Decline" in page
    accepted = web.post(
        f"/benefits/{offer.key}/accept", {"bank_account": "6222 0212 3456 7890", "bank_name": "工商银行"}
    )
    assert accepted.status_code == 302 and status_of(db, offer) == BenefitOfferStatus.ACCEPTED
    chinese = web.get(f"/benefits/{offer.key}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "已确认领取，等待资金额度" in chinese and "工商银行 ···· 7890" in chinese


def test_the_account_of_the_last_offer_is_proposed_and_a_bad_one_is_named_with_nothing_moved(app, db, catalog, frozen):
    parent = a_parent(db, clock.china_today())
    offer = offered(db, catalog, parent)
    web = browser(app, parent)
    refused = web.post(f"/benefits/{offer.key}/accept", {"bank_account": "12ab", "bank_name": "工商银行"}, headers=EN)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "There is a problem" in page and "10 to 30 digits" in page
    assert status_of(db, offer) == BenefitOfferStatus.OFFERED
    declined = web.post(f"/benefits/{offer.key}/decline", {"decline_reason": ""}, headers=EN)
    assert declined.status_code == 422 and "Choose why you decline the offer." in declined.get_data(as_text=True)
    done = web.post(f"/benefits/{offer.key}/decline", {"decline_reason": "not_needed", "decline_note": ""})
    assert done.status_code == 302 and status_of(db, offer) == BenefitOfferStatus.DECLINED


def test_someone_elses_offer_is_not_found_and_an_expired_one_says_so_and_pays_nothing(app, db, catalog, frozen):
    parent = a_parent(db, clock.china_today())
    offer = offered(db, catalog, parent)
    stranger = browser(app, make_citizen(db))
    assert stranger.get(f"/benefits/{offer.key}").status_code == 404
    stolen = stranger.post(f"/benefits/{offer.key}/accept", {"bank_account": "6222021234567890", "bank_name": "x"})
    assert stolen.status_code == 404 and status_of(db, offer) == BenefitOfferStatus.OFFERED
    frozen.advance(timedelta(days=91))
    web = browser(app, parent)
    late = web.post(
        f"/benefits/{offer.key}/accept", {"bank_account": "6222021234567890", "bank_name": "工商银行"}, headers=EN
    )
    assert late.status_code == 409
    assert f"this offer expired on {offer.deadline}" in late.get_data(as_text=True)
    assert status_of(db, offer) == BenefitOfferStatus.OFFERED and db.exec(select(BenefitGrant)).all() == []


def test_staff_cannot_open_the_subjects_pages(app, db):
    clerk = browser(app, make_staff(db, Role.CLERK, department="HEALTH"))
    assert clerk.get("/benefits").status_code == 403


def test_a_clerk_of_the_department_checks_a_flagged_offer_from_the_queue(app, db, catalog, frozen):
    flagged = replace(
        catalog,
        policies={
            **catalog.policies,
            CHILDCARE: replace(catalog.policies[CHILDCARE], review_above_yuan=Decimal(3000)),
        },
    )
    parent = a_parent(db, clock.china_today())
    offer = offered(db, flagged, parent)
    parent_web = browser(app, parent)
    parent_web.post(f"/benefits/{offer.key}/accept", {"bank_account": "6222021234567890", "bank_name": "工商银行"})
    approve_accepted(session=db, catalog=flagged, policy_code=CHILDCARE)
    task = db.exec(select(Task).where(Task.case_kind == "benefit_offer")).one()
    other = browser(app, make_staff(db, Role.CLERK, department="CIVIL"))
    assert other.get(f"/department/benefit-checks/{task.key}").status_code == 404
    clerk = browser(app, make_staff(db, Role.CLERK, department="HEALTH"))
    page = clerk.get(f"/department/benefit-checks/{task.key}", headers=EN).get_data(as_text=True)
    assert "Check before payment" in page and "Take it up" in page and "Approve the payment" not in page
    assert clerk.post(f"/department/benefit-checks/{task.key}/claim").status_code == 302
    empty = clerk.post(f"/department/benefit-checks/{task.key}/refuse", {"reason": ""}, headers=EN)
    assert empty.status_code == 422 and "Please give a reason." in empty.get_data(as_text=True)
    # The app's catalogue has no review threshold, but the budget holds: approving clears the offer.
    assert clerk.post(f"/department/benefit-checks/{task.key}/approve").status_code == 302
    assert status_of(db, offer) == BenefitOfferStatus.APPROVED


@pytest.mark.parametrize("path", ["/benefits"])
def test_the_nav_offers_my_benefits_to_citizens_and_companies(app, db, path):
    web = browser(app, make_citizen(db))
    assert f'href="{path}"' in web.get("/", headers=EN).get_data(as_text=True)


def test_a_supervisor_reads_take_up_and_money_by_policy_and_department(app, db, catalog, frozen):
    parent = a_parent(db, clock.china_today())
    offer = offered(db, catalog, parent)
    browser(app, parent).post(f"/benefits/{offer.key}/decline", {"decline_reason": "other_support", "decline_note": ""})
    supervisor = browser(app, make_staff(db, Role.SUPERVISOR, department="HEALTH"))
    page = supervisor.get("/department/benefit-figures", headers=EN).get_data(as_text=True)
    assert "Childcare subsidy (2026)" in page and "I receive other support instead 1" in page and "0%" in page
    assert 'href="/department/benefit-figures"' in page
