"""The issue's must-show: a newborn's five items, applied for once, decided by four departments,
delivered to the wallet, without a single visit — every step through the real pages."""

import html as entities
import io
import re
from datetime import datetime

import pytest
from sqlmodel import select

from services import clock
from services.applications.form_names import step_paths
from services.models import Role, Visit
from tests.conftest import CHINA, PDF, Browser
from tests.factories import make_certificate, make_citizen, make_staff
from tests.metrics_reference import compute_metrics
from tests.sample import complete_values, newborn

EN = {"Accept-Language": "en"}


@pytest.fixture
def monday_morning():
    previous = clock.current_clock()
    clock.use_clock(clock.FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=CHINA)))
    yield
    clock.use_clock(previous)


def logged_in(app, login_name: str) -> Browser:
    browser = Browser(app.test_client())
    browser.login(login_name)
    return browser


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def apply_for_the_bundle(citizen: Browser, bundle) -> str:
    """The citizen goes through the bundle's steps, checks the answers and submits; returns the application's key."""
    edit_url = citizen.post(f"/apply/{bundle.code}").headers["Location"]
    key = edit_url.split("/")[2]
    steps = {path: text_of(citizen.get(path)) for path in step_paths(key, bundle)}
    form = "".join(steps.values())
    shared = [
        spec.key for spec in bundle.fields if sum(spec.key in {f.key for f in item.fields} for item in bundle.items) > 1
    ]
    assert shared
    assert all(len(re.findall(rf'name="f_{key}"', form)) == 1 for key in shared)
    wallet = [m for m in bundle.materials if m.wallet_cert and m.holder == "self"]
    uploads = [m for m in bundle.materials if m not in wallet]
    assert wallet and all(f'name="m_{m.key}"' not in form for m in wallet)

    assert "e_certificate" in bundle.delivery
    values = complete_values(bundle)
    for path, page in steps.items():
        data = {f"f_{k}": v for k, v in values.items() if f'name="f_{k}"' in page}
        data.update({f"m_{m.key}": (io.BytesIO(PDF), f"{m.key}.pdf") for m in uploads if f'name="m_{m.key}"' in page})
        data.update(csrf_token=citizen.csrf(path), action="continue", delivery_method="e_certificate")
        response = citizen.client.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)
    check = response.headers["Location"]
    assert check == f"/applications/{key}/check"
    response = citizen.post(check)
    assert response.status_code == 302, response.get_data(as_text=True)
    confirmation = text_of(citizen.get(response.headers["Location"], headers=EN))
    assert re.search(r"ZJ-20261102-\d{6}", confirmation) and "What happens next" in confirmation
    detail = text_of(citizen.get(f"/applications/{key}", headers=EN))
    assert "from your wallet" in detail
    return key


def work_the_queues(clerks: list[Browser], bundle) -> list[str]:
    """Each department's clerk claims and approves what its queue offers, until no queue has anything.

    Returns the item codes in the order they were approved.
    """
    codes_by_name = {item.name.en: item.code for item in bundle.items}
    decided = []
    while True:
        progressed = False
        for clerk in clerks:
            for task_key in re.findall(r'href="/clerk/tasks/([^"]+)"', text_of(clerk.get("/clerk"))):
                task_page = f"/clerk/tasks/{task_key}"
                assert clerk.post(f"{task_page}/claim").status_code == 302
                heading = re.search(r"<h1[^>]*>(.*?)</h1>", text_of(clerk.get(task_page, headers=EN))).group(1)
                assert clerk.post(f"{task_page}/approve").status_code == 302
                decided.append(codes_by_name[entities.unescape(heading)])
                progressed = True
        if not progressed:
            return decided


def test_a_newborn_is_registered_with_one_application_and_zero_visits(app, db, catalog, monday_morning):
    bundle = newborn(catalog)
    parent = make_citizen(db)
    for material in bundle.materials:
        if material.wallet_cert and material.holder == "self":
            make_certificate(db, parent, material.wallet_cert)
    front_desk = make_staff(db, Role.FRONT_DESK)
    clerk_accounts = [make_staff(db, Role.CLERK, department) for department in bundle.departments]

    citizen = logged_in(app, parent.login_name)
    key = apply_for_the_bundle(citizen, bundle)

    desk = logged_in(app, front_desk.login_name)
    assert f'href="/desk/applications/{key}"' in text_of(desk.get("/desk"))
    assert desk.post(f"/desk/applications/{key}/accept").status_code == 302

    decided = work_the_queues([logged_in(app, user.login_name) for user in clerk_accounts], bundle)
    # Same-day items nothing waits for are decided by the front desk at acceptance (即办件).
    at_acceptance = {code for code in bundle.item_codes if catalog.items[code].instant and not bundle.upstream(code)}
    assert at_acceptance and sorted(decided) == sorted(set(bundle.item_codes) - at_acceptance)
    for position, code in enumerate(decided):
        before = at_acceptance | set(decided[:position])
        assert set(bundle.upstream(code)) <= before, f"{code} was decided before what it needs"

    detail = text_of(citizen.get(f"/applications/{key}", headers=EN))
    assert "status-completed" in detail and "Done. The result has been delivered." in detail
    assert "0 so far" in detail
    issued = [item for item in bundle.items if item.result_certificate]
    assert len(issued) >= 4
    wallet = text_of(citizen.get("/wallet", headers=EN))
    numbers = re.findall(r'<span class="number">((?:HEALTH|PSB|HCSA|HRSS)-2026-\d{6})</span>', wallet)
    assert len(set(numbers)) == len(issued)
    assert all(number in detail for number in numbers)

    assert db.exec(select(Visit)).all() == []
    figures = compute_metrics(session=db, catalog=catalog).overall
    assert figures.count == 1 and figures.by_status == {"completed": 1}
    assert figures.rates.zero_visit == 1.0 and figures.rates.on_time == 1.0
