"""The supervisor's dashboard counts the other kinds of case from the cases themselves."""

import re

import pytest

from services.disputes.evidence import EvidenceFile
from services.disputes.filing import file_dispute
from services.models import Role
from tests.conftest import PDF
from tests.factories import make_citizen, make_company, make_staff
from tests.sample import raised_request


@pytest.fixture(autouse=True)
def in_english(web):
    web.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def figure(html: str, label: str) -> str:
    """The figure under a label, as a reader sees it (tags dropped)."""
    shown = re.search(rf"{re.escape(label)}</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", shown).strip()


def test_the_dashboard_counts_requests_raised_and_disputes_filed(web, app, db, catalog):
    store = app.extensions["file_store"]
    for _ in range(2):
        raised_request(db, catalog, store)
    resident, firm = make_citizen(db), make_company(db)
    file_dispute(
        session=db,
        actor=resident,
        counterparty_number=firm.credit_code,
        kind_code="contract",
        centre_code="HZ_XIHU_XIXI",
        claim="货款未付",
        evidence=[EvidenceFile("合同.pdf", PDF)],
        store=store,
        catalog=catalog,
    )
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    html = web.get("/supervisor").get_data(as_text=True)
    assert figure(html, "Enterprise requests raised") == "2"
    assert figure(html, "Disputes filed") == "1"
    assert figure(html, "Answered on time") == "n/a"  # none answered yet: no share to show
    assert 'href="/supervisor/disputes"' in html and 'href="/office"' in html
