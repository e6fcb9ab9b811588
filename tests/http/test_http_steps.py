"""Applying in steps: the task list, a step's errors, check your answers, the confirmation, new or draft."""

import html as entities
import re

from sqlmodel import select

from services.applications.drafts import save_draft, start_draft
from services.applications.form_names import step_paths
from services.applications.sections import sections_of
from services.models import Application
from tests.factories import id_number, make_certificate, make_citizen
from tests.sample import complete_values, newborn

EN = {"Accept-Language": "en"}


def text(response) -> str:
    return entities.unescape(response.get_data(as_text=True))


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def summary_entries(page: str) -> list[tuple[str, str]]:
    """(target id, message) of each entry of the error summary."""
    summary = re.search(r'<div class="error-summary[^"]*"([^>]*)>(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    attributes, body = summary.groups()
    assert 'role="alert"' in attributes and 'tabindex="-1"' in attributes and "autofocus" in attributes
    return re.findall(r'<a href="#([^"]+)">(.*?)</a>', body)


def field_error(page: str, target: str) -> str:
    """The message the input `target` shows, checking the input points to it."""
    tag = re.search(rf'<(?:input|select)[^>]*\bid="{target}"[^>]*>', page).group(0)
    assert "is-invalid" in tag and f"{target}-error" in re.search(r'aria-describedby="([^"]*)"', tag).group(1)
    return re.search(rf'<div id="{target}-error"[^>]*>(.*?)</div>', page, re.S).group(1).strip()


def _draft(web, db, catalog, code=None):
    citizen = make_citizen(db)
    bundle = newborn(catalog)
    for material in bundle.materials:
        if material.wallet_cert and material.holder == "self":
            make_certificate(db, citizen, material.wallet_cert)
    web.login(citizen.login_name)
    location = web.post(f"/apply/{code or bundle.code}").headers["Location"]
    return citizen, location.split("/")[2]


def test_a_bundle_opens_as_a_task_list_of_steps_reachable_in_any_order(web, db, catalog):
    _, key = _draft(web, db, catalog)
    bundle = newborn(catalog)
    page = text(web.get(f"/applications/{key}/edit", headers=EN))
    task = r'<a class="stretched-link[^"]*" href="([^"]+)"[^>]*>(.*?)</a>\s*'
    tasks = re.findall(task + r'<span class="badge task-status[^"]*"[^>]*>(.*?)</span>', page)
    assert [href for href, _, _ in tasks] == step_paths(key, bundle)
    assert [name for _, name, _ in tasks] == [
        "About the child",
        "About the parents",
        "Materials",
        "Contact details and delivery",
    ]
    statuses = dict((name, status) for _, name, status in tasks)
    # Nothing typed about the child yet; the wallet gave every material asked for; the profile
    # gave some contact details.
    assert statuses["About the child"] == "Not started"
    assert statuses["Materials"] == "Completed"
    assert statuses["Contact details and delivery"] == "In progress"
    assert f'href="/applications/{key}/check"' in page
    # The last step first, then the first: any order.
    assert web.get(step_paths(key, bundle)[-1]).status_code == 200
    assert web.get(step_paths(key, bundle)[0]).status_code == 200


def test_a_step_shows_no_error_when_first_opened(web, db, catalog):
    _, key = _draft(web, db, catalog)
    page = text(web.get(f"/applications/{key}/steps/child", headers=EN))
    assert "error-summary" not in page and "is-invalid" not in page
    assert not title(page).startswith("Error")
    assert "Step 1 of 4" in page and "Back to the task list" in page


def test_continuing_with_a_missing_answer_lists_it_where_the_field_shows_the_same_message(web, db, catalog):
    _, key = _draft(web, db, catalog)
    step = f"/applications/{key}/steps/child"
    response = web.post(step, {"action": "continue", "f_birth_place": "浙江大学医学院附属妇产科医院"}, headers=EN)
    assert response.status_code == 422
    page = text(response)
    assert title(page).startswith("Error: ")
    entries = summary_entries(page)
    assert [target for target, _ in entries] == ["f_child_name", "f_child_gender", "f_child_birth_date"]
    for target, message in entries:
        assert field_error(page, target) == message
    assert entries[0][1] == "Baby's name: is required"
    # In Chinese the title says 错误 first, with a full-width colon.
    zh = text(web.post(step, {"action": "continue"}, headers={"Accept-Language": "zh"}))
    assert title(zh).startswith("错误：")


def test_a_step_with_its_answers_goes_on_to_the_next(web, db, catalog):
    _, key = _draft(web, db, catalog)
    values = {
        "f_child_name": "王小宝",
        "f_child_gender": "male",
        "f_child_birth_date": "2026-11-01",
        "f_birth_place": "妇产科医院",
    }
    response = web.post(f"/applications/{key}/steps/child", {"action": "continue", **values})
    assert response.status_code == 302 and response.headers["Location"] == f"/applications/{key}/steps/parents"
    page = text(web.get(f"/applications/{key}/edit", headers=EN))
    assert re.search(r'About the child</a>\s*<span class="badge task-status[^"]*"[^>]*>Completed<', page)


def test_check_answers_has_a_change_link_to_each_answer_on_its_step(web, db, catalog):
    citizen, key = _draft(web, db, catalog)
    bundle = newborn(catalog)
    save_draft(session=db, actor=citizen, key=key, values=complete_values(bundle), catalog=catalog)
    page = text(web.get(f"/applications/{key}/check", headers=EN))
    rows = re.findall(
        r'<div class="summary-row[^"]*" id="row-(field|material|delivery)-([a-z_]+)".*?<a href="([^"]+)">Change',
        page,
        re.S,
    )
    assert {key_ for kind, key_, _ in rows if kind == "field"} == {spec.key for spec in bundle.fields}
    for section in sections_of(bundle):
        for spec in section.fields:
            href = next(h for kind, k, h in rows if kind == "field" and k == spec.key)
            assert href == f"/applications/{key}/steps/{section.name}#f_{spec.key}"
            assert f'id="f_{spec.key}"' in text(web.get(href.partition("#")[0]))
    assert "error-summary" not in page, "no error before a submit"
    assert 'id="submit-form"' in page and "Submit application" in page


def test_submitting_what_is_incomplete_lists_the_gaps_on_the_check_page(web, db, catalog):
    _, key = _draft(web, db, catalog)
    response = web.post(f"/applications/{key}/check", headers=EN)
    assert response.status_code == 422
    page = text(response)
    assert title(page).startswith("Error: ")
    entries = summary_entries(page)
    assert ("row-field-child_name", "Baby's name: is required") in entries
    for target, message in entries:
        row = re.search(rf'<div class="summary-row summary-row-error" id="{target}".*?</div>', page, re.S).group(0)
        assert message in row
    assert db.exec(select(Application).where(Application.key == key)).one().number is None


def test_the_confirmation_gives_the_number_and_what_happens_next(web, db, catalog):
    citizen, key = _draft(web, db, catalog)
    bundle = newborn(catalog)
    save_draft(session=db, actor=citizen, key=key, values=complete_values(bundle), catalog=catalog)
    response = web.post(f"/applications/{key}/check")
    assert response.status_code == 302 and response.headers["Location"] == f"/applications/{key}/submitted"
    page = text(web.get(response.headers["Location"], headers=EN))
    number = db.exec(select(Application).where(Application.key == key)).one().number
    assert re.search(rf'class="confirmation-number[^"]*"><strong>{number}</strong>', page)
    assert 'class="alert' not in page, "a page of its own, not a flash banner"
    assert f"decide within {bundle.promised_limit_days} working days" in page
    assert f"by text message to {citizen.mobile}" in page and "in your messages on this site" in page
    assert "Electronic certificate" in page or "e-certificate" in page.lower()
    assert f'href="/applications/{key}"' in page and 'href="/wallet"' in page


def test_apply_offers_the_draft_or_a_new_application_and_never_reopens_silently(web, db, catalog):
    citizen, key = _draft(web, db, catalog)
    bundle = newborn(catalog)
    response = web.post(f"/apply/{bundle.code}", headers=EN)
    assert response.status_code == 200
    page = text(response)
    assert re.search(rf'href="/applications/{key}/edit">Continue your draft from \d{{4}}-\d\d-\d\d \d\d:\d\d<', page)
    assert 'name="start" value="new"' in page
    started = web.post(f"/apply/{bundle.code}", {"start": "new"})
    assert started.status_code == 302
    new_key = started.headers["Location"].split("/")[2]
    assert new_key != key
    drafts = db.exec(select(Application).where(Application.applicant_id == citizen.id)).all()
    assert {a.key for a in drafts} == {key, new_key}


def test_a_draft_holding_an_invalid_id_number_opens_with_that_error(web, db, catalog):
    citizen = make_citizen(db)
    bundle = newborn(catalog)
    draft = start_draft(session=db, actor=citizen, service_code=bundle.code, catalog=catalog)
    wrong = id_number(3)[:-1] + ("1" if id_number(3)[-1] != "1" else "2")
    save_draft(session=db, actor=citizen, key=draft.key, values={"mother_id_number": wrong}, catalog=catalog)
    web.login(citizen.login_name)
    response = web.get(f"/applications/{draft.key}/steps/parents", headers=EN)
    assert response.status_code == 200
    page = text(response)
    message = field_error(page, "f_mother_id_number")
    assert message.startswith("Mother's ID number: ") and f'value="{wrong}"' in page
    assert summary_entries(page) == [("f_mother_id_number", message)]


def test_the_sign_in_form_lists_its_errors_and_says_so_in_the_title(web):
    response = web.post("/login", {"login": "", "password": ""}, headers=EN)
    page = text(response)
    assert title(page).startswith("Error: ")
    entries = summary_entries(page)
    assert [target for target, _ in entries] == ["login", "password"]
    for target, message in entries:
        assert field_error(page, target) == message
    assert "error-summary" not in text(web.get("/login"))


def test_the_spouses_certificates_are_shared_on_the_check_page_and_never_asked_as_uploads(web, db, catalog):
    husband = make_citizen(db, id_number=id_number(911, "19880412"), full_name="陈建国")
    wife = make_citizen(db, id_number=id_number(912, "19900623"), full_name="林晓燕")
    for holder, partner in ((husband, wife), (wife, husband)):
        make_certificate(db, holder, "id_card")
        make_certificate(db, holder, "hukou_booklet")
        make_certificate(db, holder, "marriage_certificate", data={"spouse_id_number": partner.id_number})
    web.login(husband.login_name)
    key = web.post(f"/apply/{newborn(catalog).code}").headers["Location"].split("/")[2]
    materials = text(web.get(f"/applications/{key}/steps/materials", headers=EN))
    assert 'name="m_spouse_id_card"' not in materials and 'name="m_spouse_hukou_booklet"' not in materials
    assert "From government records, your spouse" in materials
    parents = text(web.get(f"/applications/{key}/steps/parents"))
    assert f'value="{wife.id_number}"' in parents and 'value="林晓燕"' in parents
    check = text(web.get(f"/applications/{key}/check", headers=EN))
    sharing = check[check.index('id="sharing"') : check.index('id="submit-form"')]
    wife_card = next(c for c in re.findall(r"ID_CARD-\d+", sharing))
    assert "your spouse's, from the marriage and household records" in sharing and wife_card
