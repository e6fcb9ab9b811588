"""The wallet on the web: a certificate's card, its 亮证 code, its PDF, and the counter's check."""

import html
import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from services.applications.drafts import attach_upload, save_draft, start_draft
from services.applications.form_names import field_name
from services.models import Certificate, Role
from tests.conftest import PDF
from tests.factories import id_number, make_certificate, make_citizen, make_staff
from tests.sample import complete_values, submitted

ITEM = "330100-TRANSPORT-003"  # the ID card and the driving licence come from the wallet
ID_NUMBER = id_number(17)  # 330106 19900101 017 and its check digit
GROUPED = f"330106 19900101 017{ID_NUMBER[-1]}"  # the place, the birth date, the serial and check digit


@pytest.fixture
def holder(db):
    return make_citizen(db, full_name="王小明", id_number=ID_NUMBER)


@pytest.fixture
def licence(db, holder):
    return make_certificate(
        db,
        holder,
        "driving_licence",
        number="JZ-330100-2022-000042",
        data={
            "full_name": holder.full_name,
            "id_number": holder.id_number,
            "vehicle_class": "C1",
            "valid_until": "2032-03-01",
        },
        issued_by="TRANSPORT",
        issued_on=date(2022, 3, 1),
    )


def _code(page: str) -> str:
    return html.unescape(re.search(r'id="presented-code">([^<]+)<', page).group(1)).strip()


def _check(web, code: str) -> str:
    response = web.post("/verify-certificate", {"code": code, "csrf_token": web.csrf("/verify-certificate")})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _verdict(page: str) -> str:
    return re.search(r'data-verdict="(\w+)"', page).group(1)


def test_the_holder_opens_a_certificate_from_the_wallet_as_a_card(web, holder, licence):
    web.login(holder.login_name)
    listing = web.get("/wallet").get_data(as_text=True)
    assert f'href="/wallet/{licence.key}"' in listing
    response = web.get(f"/wallet/{licence.key}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    assert '<h1 class="h4">机动车驾驶证</h1>' in page
    for text in (
        '姓名</dt><dd class="col-sm-8">王小明',
        GROUPED,
        "JZ-330100-2022-000042",
        "发证机关",
        "2022年3月1日",
        '准驾车型</dt><dd class="col-sm-8">C1 小型汽车',
        '有效期至</dt><dd class="col-sm-8">2032年3月1日',
        "尚未用于任何办件",
    ):
        assert text in page, text
    assert page.count(GROUPED) == 1 and "持证人" not in page  # the data names the holder: said once
    assert re.search(r'<svg [^>]*class="qr-code"', page)
    assert "下载 PDF" in page


def test_a_certificate_whose_data_names_nobody_says_who_holds_it(web, db, holder):
    booklet = make_certificate(db, holder, "hukou_booklet", data={"household_head": "王大明"})
    web.login(holder.login_name)
    page = web.get(f"/wallet/{booklet.key}").get_data(as_text=True)
    assert '持证人</dt><dd class="col-sm-8">王小明' in page
    assert GROUPED in page
    assert '户主姓名</dt><dd class="col-sm-8">王大明' in page


def test_the_card_reads_in_english_too(web, holder, licence):
    web.login(holder.login_name)
    page = web.get(f"/wallet/{licence.key}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for text in ("Driving licence", "Licence class", "C1 car", "Valid until", "March 1, 2032", "Show it at a counter"):
        assert text in page, text


def test_the_code_on_the_card_checks_valid_at_the_counter_and_shows_what_it_certifies(
    web, other_web, db, holder, licence
):
    web.login(holder.login_name)
    code = _code(web.get(f"/wallet/{licence.key}").get_data(as_text=True))
    desk = make_staff(db, Role.FRONT_DESK)
    other_web.login(desk.login_name)
    page = _check(other_web, code)
    assert _verdict(page) == "valid"
    assert "有效：证照真实" in page
    for text in ("机动车驾驶证", "JZ-330100-2022-000042", "王小明", ID_NUMBER, "C1 小型汽车"):
        assert text in page, text


def test_a_code_expires_after_a_few_minutes_and_a_reload_makes_a_new_one(web, other_web, db, holder, licence, frozen):
    web.login(holder.login_name)
    first_page = web.get(f"/wallet/{licence.key}").get_data(as_text=True)
    code = _code(first_page)
    assert "有效期至 2026-11-02 09:05" in first_page  # five minutes, said in China time
    other_web.login(make_staff(db, Role.CLERK, department="TRANSPORT").login_name)
    frozen.advance(timedelta(minutes=6))
    expired = _check(other_web, code)
    assert _verdict(expired) == "expired"
    assert "JZ-330100-2022-000042" in expired  # which certificate to ask a new code for
    assert "C1 小型汽车" not in expired  # but not its data
    fresh = _code(web.get(f"/wallet/{licence.key}").get_data(as_text=True))
    assert fresh != code
    assert _verdict(_check(other_web, fresh)) == "valid"


def test_a_changed_or_made_up_code_is_forged(web, other_web, db, holder, licence):
    web.login(holder.login_name)
    code = _code(web.get(f"/wallet/{licence.key}").get_data(as_text=True))
    prefix, body, signature = code.split(".")
    other_web.login(make_staff(db, Role.SUPERVISOR).login_name)
    changed = f"{prefix}.{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{signature}"
    for text in (changed, "https://example.com/not-a-code"):
        page = _check(other_web, text)
        assert _verdict(page) == "forged"
        assert "无效：请勿采信" in page
        assert "王小明" not in page


def test_an_empty_box_asks_for_the_code(web, db):
    web.login(make_staff(db, Role.FRONT_DESK).login_name)
    response = web.post("/verify-certificate", {"code": "", "csrf_token": web.csrf("/verify-certificate")})
    assert response.status_code == 422
    assert "请扫描或粘贴亮证码。" in response.get_data(as_text=True)


def test_the_pdf_is_a_pdf_with_the_certificates_data_in_both_languages(web, holder, licence):
    web.login(holder.login_name)
    response = web.get(f"/wallet/{licence.key}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="JZ-330100-2022-000042.pdf"')
    assert response.data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    # pypdf reads the two-byte glyph codes of fpdf2's Identity-H fonts with a NUL before each character.
    text = text.replace("\x00", "")
    for expected in (
        "机动车驾驶证",
        "Driving licence",
        "王小明",
        GROUPED,
        "JZ-330100-2022-000042",
        "2032年3月1日",
        "March 1, 2032",
        "准驾车型",
        "Licence class",
    ):
        assert expected in text, expected


def test_another_applicant_gets_not_found_and_staff_no_code(web, other_web, db, catalog, app, holder, licence):
    web.login(make_citizen(db).login_name)
    for path in (f"/wallet/{licence.key}", f"/wallet/{licence.key}/certificate.pdf"):
        assert web.get(path).status_code == 404
    assert web.get("/verify-certificate").status_code == 403
    # The front desk sees a certificate once a submitted case uses it, but cannot make its code.
    applicant, application = submitted(db, catalog, app.extensions["file_store"], ITEM)
    other_web.login(make_staff(db, Role.FRONT_DESK).login_name)
    used = db.exec(select(Certificate).where(Certificate.owner_id == applicant.id)).first()
    review = other_web.get(f"/desk/applications/{application.key}").get_data(as_text=True)
    assert f'href="/wallet/{used.key}"' in review  # the case's materials lead to the cards
    page = other_web.get(f"/wallet/{used.key}").get_data(as_text=True)
    assert "qr-code" not in page and "presented-code" not in page
    assert other_web.get(f"/wallet/{licence.key}").status_code == 404


def test_the_form_names_the_certificates_submitting_shares_and_the_card_lists_the_case(
    web, db, catalog, app, holder, licence
):
    make_certificate(db, holder, "id_card", data={"full_name": holder.full_name, "id_number": holder.id_number})
    service = catalog.service(ITEM)
    draft = start_draft(session=db, actor=holder, service_code=ITEM, catalog=catalog)
    save_draft(session=db, actor=holder, key=draft.key, values=complete_values(service), catalog=catalog)
    attach_upload(
        session=db,
        actor=holder,
        key=draft.key,
        material_key="exam_pass_certificate",
        filename="exam.pdf",
        data=PDF,
        store=app.extensions["file_store"],
        catalog=catalog,
    )
    web.login(holder.login_name)
    edit = f"/applications/{draft.key}/edit"
    answers = {field_name(key): value for key, value in complete_values(service).items()}
    saved = web.post(edit, {**answers, "action": "continue", "csrf_token": web.csrf(edit)})
    assert saved.status_code == 302 and saved.headers["Location"] == f"/applications/{draft.key}/check"
    # The check-answers page, where the one submit button is, says what submitting shares.
    check = web.get(saved.headers["Location"]).get_data(as_text=True)
    sharing = check[check.index('id="sharing"') : check.index('id="submit-form"')]
    assert "提交时将共享的证照" in sharing and "JZ-330100-2022-000042" in sharing
    submitted_page = web.post(f"/applications/{draft.key}/check")
    assert submitted_page.status_code == 302, submitted_page.get_data(as_text=True)
    assert submitted_page.headers["Location"].endswith(f"/applications/{draft.key}/submitted")
    card = web.get(f"/wallet/{licence.key}").get_data(as_text=True)
    assert f'href="/applications/{draft.key}"' in card
    assert "尚未用于任何办件" not in card
    detail = web.get(f"/applications/{draft.key}").get_data(as_text=True)
    assert "共享电子证照" in detail
