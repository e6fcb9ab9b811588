"""Real pages in Chromium, on a phone: a resident files a dispute with evidence, the centre routes it, a mediator
settles it, and the agreement is in both parties' wallets."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from services import clock
from services.db import new_session
from services.models import Dispute, Role, Task
from tests.browser import test_browser
from tests.browser.test_browser import serious_violations
from tests.browser.test_browser_staff import fits_a_phone, logged_in
from tests.conftest import EXE, PDF
from tests.factories import make_citizen, make_company, make_staff

pytestmark = pytest.mark.browser

live = test_browser.live
browser_type_launch_args = test_browser.browser_type_launch_args


def test_a_resident_files_a_dispute_on_a_phone_and_both_wallets_end_with_the_agreement(live, browser, tmp_path):
    app, base = live
    with new_session(app.extensions["engine"]) as db:
        resident, firm = make_citizen(db), make_company(db)
        window = make_staff(db, Role.FRONT_DESK)
        mediator = make_staff(db, Role.CLERK, department="people_mediation")
    contract, virus = tmp_path / "合同.pdf", tmp_path / "invoice.exe"
    contract.write_bytes(PDF)
    virus.write_bytes(EXE)

    context, page = logged_in(browser, app, base, resident.login_name)
    page.goto(f"{base}/applications")
    page.click("main a[href='/disputes']")
    page.click("main a[href='/disputes/new']")
    page.fill("#counterparty", firm.credit_code)
    page.select_option("#kind", "contract")
    page.select_option("#centre", "HZ_XIHU_XIXI")
    page.fill("#claim", "装修工程款 3 万元逾期未付。")
    page.set_input_files("#evidence", [str(contract), str(virus)])
    page.click("main form button[type=submit]")
    # The refused file is named, focus goes to the summary, and what was typed is still there.
    assert "invoice.exe" in page.locator("#error-summary").inner_text()
    assert page.input_value("#claim") == "装修工程款 3 万元逾期未付。"
    assert fits_a_phone(page) and serious_violations(page) == []
    page.set_input_files("#evidence", [str(contract)])
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/disputes/[\w-]+$"))
    assert fits_a_phone(page) and serious_violations(page) == []
    with new_session(app.extensions["engine"]) as db:
        dispute = db.exec(select(Dispute)).one()
    assert dispute.number in page.locator("main").inner_text()
    context.close()

    context, page = logged_in(browser, app, base, window.login_name)
    page.goto(f"{base}/centre")
    page.click(f"a >> text={dispute.number}")
    page.select_option("#register-routes", ["people_mediation"])
    page.click(f"form[action='/centre/disputes/{dispute.key}/register'] button")
    assert page.locator(".alert-success").is_visible()
    context.close()

    context, page = logged_in(browser, app, base, mediator.login_name)
    page.goto(f"{base}/mediation")
    page.click(f"a >> text={dispute.number}")
    with new_session(app.extensions["engine"]) as db:
        task = db.exec(select(Task).where(Task.case_kind == "dispute")).one()
    page.click(f"form[action='/mediation/tasks/{task.key}/claim'] button")
    at = clock.to_china(clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#session-at", at)
    page.click(f"form[action='/mediation/tasks/{task.key}/schedule'] button")
    page.fill("#agreement-terms", "30 日内付清 2.5 万元")
    page.click(f"form[action='/mediation/tasks/{task.key}/agreement'] button")
    assert page.locator(".alert-success").is_visible()
    assert fits_a_phone(page) and serious_violations(page) == []
    context.close()

    for party in (resident, firm):
        context, page = logged_in(browser, app, base, party.login_name)
        page.goto(f"{base}/wallet")
        assert "Mediation agreement" in page.locator("main").inner_text()
        context.close()
