"""The applicant's identity comes from the verified account, never from what a form posts."""

import pytest
from sqlalchemy import update

from services.applications.drafts import save_draft, start_draft
from services.applications.submission import submit_application
from services.models import Application
from tests.factories import credit_code, id_number, make_certificate, make_citizen, make_company
from tests.sample import complete_values

# The housing fund's rent withdrawal asks for the applicant's name and ID number (from the profile).
RENT_WITHDRAWAL = "330100-HPF-005"
COMPANY_ACCOUNT = "330100-HPF-004"  # a company's housing fund account: its name and credit code


def _edit_url(web, code: str) -> str:
    response = web.post(f"/apply/{code}")
    assert response.status_code == 302
    return response.headers["Location"]


def _stored(db, url: str) -> dict:
    db.expire_all()
    key = url.split("/")[2]
    return db.exec(Application.__table__.select().where(Application.key == key)).one().form_data


@pytest.mark.parametrize("action", ["save", "autosave"])
def test_citizen_a_posting_citizen_bs_identity_still_applies_as_a(web, db, action):
    a, b = make_citizen(db), make_citizen(db)
    web.login(a.login_name)
    url = _edit_url(web, RENT_WITHDRAWAL)
    web.post(
        url,
        {
            "action": action,
            "f_applicant_name": b.full_name,
            "f_applicant_id_number": b.id_number,
            "f_bank_name": "工商银行",
        },
    )
    stored = _stored(db, url)
    assert (stored["applicant_name"], stored["applicant_id_number"]) == (a.full_name, a.id_number)
    assert stored["bank_name"] == "工商银行"  # the rest of the form is still taken as typed


def test_a_company_cannot_post_another_companys_name_or_credit_code(web, db):
    company = make_company(db)
    web.login(company.login_name)
    url = _edit_url(web, COMPANY_ACCOUNT)
    web.post(url, {"action": "save", "f_company_name": "别人的公司", "f_credit_code": credit_code(999)})
    stored = _stored(db, url)
    assert (stored["company_name"], stored["credit_code"]) == (company.full_name, company.credit_code)


def test_the_identity_fields_are_shown_read_only_with_the_accounts_values(web, db):
    a = make_citizen(db)
    web.login(a.login_name)
    html = web.get(_edit_url(web, RENT_WITHDRAWAL)).get_data(as_text=True)
    for name, value in (("f_applicant_name", a.full_name), ("f_applicant_id_number", a.id_number)):
        tag = next(tag for tag in html.split("<input")[1:] if f'name="{name}"' in tag)
        assert "readonly" in tag and f'value="{value}"' in tag
    bank = next(tag for tag in html.split("<input")[1:] if 'name="f_bank_name"' in tag)
    assert "readonly" not in bank


def test_a_draft_saved_with_another_identity_is_submitted_with_the_accounts(session, catalog):
    a, b = make_citizen(session), make_citizen(session)
    service = catalog.service(RENT_WITHDRAWAL)
    for material in service.materials:  # both come from the wallet
        make_certificate(session, a, material.wallet_cert)
    draft = start_draft(session=session, actor=a, service_code=RENT_WITHDRAWAL, catalog=catalog)
    save_draft(session=session, actor=a, key=draft.key, values=complete_values(service), catalog=catalog)
    # As a draft stored before identities were locked could hold it.
    tampered = {**draft.form_data, "applicant_name": b.full_name, "applicant_id_number": b.id_number}
    session.execute(update(Application).where(Application.id == draft.id).values(form_data=tampered))
    session.commit()
    session.expire_all()
    submitted = submit_application(session=session, actor=a, key=draft.key, catalog=catalog)
    assert (submitted.form_data["applicant_name"], submitted.form_data["applicant_id_number"]) == (
        a.full_name,
        a.id_number,
    )


def test_the_other_parents_id_number_is_a_field_of_its_own_checked_for_its_check_digit(session, catalog):
    mother = make_citizen(session)
    draft = start_draft(session=session, actor=mother, service_code="BUNDLE-NEWBORN", catalog=catalog)
    right = id_number(42, birth="19880506")
    wrong = right[:-1] + ("1" if right[-1] != "1" else "2")
    problems = save_draft(
        session=session,
        actor=mother,
        key=draft.key,
        catalog=catalog,
        values={"father_name": "张伟", "father_id_number": wrong},
    )
    assert set(problems) == {"father_id_number"}
    assert (
        save_draft(session=session, actor=mother, key=draft.key, catalog=catalog, values={"father_id_number": right})
        == {}
    )
    session.expire_all()
    assert session.get(Application, draft.id).form_data["father_id_number"] == right
