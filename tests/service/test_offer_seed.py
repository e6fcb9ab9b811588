"""The seeded city's benefit offers: every state of the offer's table, open offers for the demo logins, true figures."""

import html
import re
from collections import Counter

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from app import create_app
from seeding.demo import CITIZEN, COMPANY, DEMO_PASSWORD
from services.models import AuditEvent, BenefitOffer, BenefitOfferStatus
from tests.conftest import Browser
from tests.service.test_benefit_seed import city, city_folder  # noqa: F401  # the one seeded city, shared

EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def city_app(city_folder):  # noqa: F811
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{city_folder / 'seed.db'}",
            "UPLOAD_FOLDER": str(city_folder / "uploads"),
        }
    )
    yield app
    app.extensions["engine"].dispose()


def signed_in(app, login: str) -> Browser:
    web = Browser(app.test_client())
    web.login(login, DEMO_PASSWORD)
    return web


def test_the_seed_leaves_offers_in_every_state_of_the_offer_table(city):  # noqa: F811
    statuses = Counter(status for (status,) in city.execute(text("SELECT status FROM benefit_offer")))
    assert set(statuses) == set(BenefitOfferStatus.LABELS), statuses
    declined_why = {
        reason for (reason,) in city.execute(text("SELECT decline_reason FROM benefit_offer WHERE status = 'declined'"))
    }
    assert len(declined_why) >= 2  # not one reason for all


def test_every_seeded_offer_moved_through_the_engine_with_its_audit_chain(city):  # noqa: F811
    events = Counter(city.exec(select(AuditEvent.chain).where(col(AuditEvent.chain).like("benefit_offer:%"))))
    offers = city.exec(select(BenefitOffer)).all()
    assert offers
    for offer in offers:
        # Made (one event), then one event per move: an offer still offered holds only its making.
        assert events[offer.chain] == offer.audit_length, offer.number
        assert (offer.audit_length == 1) == (offer.status == BenefitOfferStatus.OFFERED), offer.number


@pytest.mark.parametrize("login", [CITIZEN.id_number, COMPANY.credit_code])
def test_the_demo_citizen_and_company_each_see_an_open_offer_to_click_on(city, city_app, login):  # noqa: F811
    web = signed_in(city_app, login)
    page = web.get("/benefits", headers=EN).get_data(as_text=True)
    keys = set(re.findall(r'href="/benefits/([^"/]+)"', page))
    open_keys = {
        key
        for (key,) in city.execute(
            text(
                "SELECT o.key FROM benefit_offer o JOIN user_account u ON u.id = o.applicant_id"
                " WHERE u.login_name = :login AND o.status = 'offered'"
            ),
            {"login": login},
        )
    }
    assert open_keys and open_keys <= keys
    offer_page = web.get(f"/benefits/{sorted(open_keys)[0]}", headers=EN).get_data(as_text=True)
    assert "Accept" in offer_page


def test_the_figures_page_counts_what_an_independent_count_finds(city, city_app, catalog):  # noqa: F811
    page = signed_in(city_app, "supervisor").get("/department/benefit-figures", headers=EN).get_data(as_text=True)
    by_policy = page.split("By department")[0]
    rows = city.execute(
        text(
            "SELECT policy, count(*), sum(CASE WHEN status = 'paid' THEN 1 ELSE 0 END),"
            " sum(CASE WHEN status = 'paid' THEN amount_fen ELSE 0 END) FROM benefit_offer GROUP BY policy"
        )
    ).all()
    assert rows
    for code, offered, paid, paid_fen in rows:
        name = catalog.policies[code].name.en
        cells = re.search(
            rf'<th scope="row">{re.escape(html.escape(name))}</th>\s*<td class="text-end">(\d+)</td>'
            r"\s*<td[^>]*>[^<]*</td>"
            r'\s*<td class="text-end">(\d+)</td>\s*<td class="text-end">([\d,.]+)</td>',
            by_policy,
        )
        assert cells is not None, name
        assert (int(cells[1]), int(cells[2])) == (offered, paid), name
        assert cells[3].replace(",", "") == f"{paid_fen // 100}.{paid_fen % 100:02d}", name
