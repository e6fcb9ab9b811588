"""A citizen applies through the Flask test client."""

import io
import re
import threading

from sqlmodel import select

from services.applications.form_names import step_paths
from services.models import Application, Attachment
from tests.conftest import EXE, PDF, Browser
from tests.factories import id_number, make_certificate, make_citizen, make_staff
from tests.sample import complete_values, newborn


def _start(web, catalog, code):
    response = web.post(f"/apply/{code}")
    assert response.status_code == 302
    return response.headers["Location"]


def _form_data(web, bundle, edit_url, **extra):
    data = {f"f_{k}": v for k, v in complete_values(bundle).items()}
    data["csrf_token"] = web.csrf(edit_url)
    data.update(extra)
    return data


def _steps(web, edit_url, bundle) -> dict[str, str]:
    """Each step page of the bundle's draft, by its path."""
    key = edit_url.split("/")[2]
    return {path: web.get(path).get_data(as_text=True) for path in step_paths(key, bundle)}


def _step_asking(web, edit_url, bundle, name: str) -> str:
    return next(path for path, html in _steps(web, edit_url, bundle).items() if f'name="{name}"' in html)


def _check_url(edit_url: str) -> str:
    return edit_url.removesuffix("/edit") + "/check"


def test_newborn_bundle_asks_shared_fields_once_and_attaches_the_wallet(web, db, catalog):
    bundle = newborn(catalog)
    citizen = make_citizen(db)
    covered = [m for m in bundle.materials if m.wallet_cert and m.holder == "self"]
    for material in covered:
        make_certificate(db, citizen, material.wallet_cert)
    web.login(citizen.login_name)
    edit_url = _start(web, catalog, bundle.code)
    html = "".join(_steps(web, edit_url, bundle).values())
    shared = [
        spec.key for spec in bundle.fields if sum(spec.key in {f.key for f in item.fields} for item in bundle.items) > 1
    ]
    assert shared, "the newborn bundle should share fields between its items"
    for key in shared:
        assert len(re.findall(rf'name="f_{key}"', html)) == 1
    for material in covered:
        assert f'name="m_{material.key}"' not in html
    uploads = [m for m in bundle.materials if m not in covered]
    for material in uploads:
        assert f'name="m_{material.key}"' in html

    data = _form_data(web, bundle, edit_url, action="save")
    data.update({f"m_{m.key}": (io.BytesIO(PDF), f"{m.key}.pdf") for m in uploads})
    response = web.client.post(edit_url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    response = web.post(_check_url(edit_url))
    assert response.status_code == 302 and response.headers["Location"].endswith("/submitted")
    confirmation = web.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r"ZJ-\d{8}-\d{6}", confirmation).group(0)
    application = db.exec(select(Application).where(Application.number == number)).one()
    sources = {
        row.material_key: row.source
        for row in db.exec(select(Attachment).where(Attachment.application_id == application.id))
    }
    assert {k for k, s in sources.items() if s == "wallet"} == {m.key for m in covered}


def test_precheck_lists_everything_missing_at_once(web, db, catalog):
    bundle = newborn(catalog)
    web.login(make_citizen(db).login_name)
    edit_url = _start(web, catalog, bundle.code)
    response = web.post(edit_url, {"action": "submit"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    gaps = re.findall(r'<li><a href="#[fm]_', html)
    required = [f for f in bundle.fields if f.required] + [m for m in bundle.materials if m.required]
    prefilled = sum(1 for f in bundle.fields if f.required and f.prefill and f.prefill.startswith("profile."))
    assert len(gaps) == len(required) - prefilled


def test_saving_keeps_what_was_typed_and_shows_the_field_error(web, db, catalog):
    bundle = newborn(catalog)
    id_field = next(f for f in bundle.fields if f.type == "id_number")
    web.login(make_citizen(db).login_name)
    edit_url = _start(web, catalog, bundle.code)
    wrong = id_number(3)[:-1] + ("1" if id_number(3)[-1] != "1" else "2")
    response = web.post(edit_url, {"action": "save", f"f_{id_field.key}": wrong})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'value="{wrong}"' in html and f'id="f_{id_field.key}-error"' in html
    step = _step_asking(web, edit_url, bundle, f"f_{id_field.key}")
    assert f'value="{wrong}"' in web.get(step).get_data(as_text=True)


def test_autosave_answers_json(web, db, catalog):
    bundle = newborn(catalog)
    text_field = next(f for f in bundle.fields if f.type == "text")
    web.login(make_citizen(db).login_name)
    edit_url = _start(web, catalog, bundle.code)
    response = web.post(edit_url, {"action": "autosave", f"f_{text_field.key}": "自动保存"})
    assert response.json == {"saved": True, "errors": {}}
    step = _step_asking(web, edit_url, bundle, f"f_{text_field.key}")
    assert 'value="自动保存"' in web.get(step).get_data(as_text=True)


def test_an_executable_renamed_pdf_is_refused(web, db, catalog):
    bundle = newborn(catalog)
    material = next(m for m in bundle.materials if not m.wallet_cert)
    web.login(make_citizen(db).login_name)
    edit_url = _start(web, catalog, bundle.code)
    data = {"csrf_token": web.csrf(edit_url), "action": "save", f"m_{material.key}": (io.BytesIO(EXE), "scan.pdf")}
    response = web.client.post(edit_url, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "PDF, JPEG or PNG" in response.get_data(as_text=True) or "PDF、JPEG 或 PNG" in response.get_data(
        as_text=True
    )
    assert db.exec(select(Attachment).where(Attachment.source == "upload")).all() == []


def _submittable(web, db, catalog):
    bundle = newborn(catalog)
    citizen = make_citizen(db)
    own = [m for m in bundle.materials if m.wallet_cert and m.holder == "self"]
    for material in own:
        make_certificate(db, citizen, material.wallet_cert)
    web.login(citizen.login_name)
    edit_url = _start(web, catalog, bundle.code)
    data = _form_data(web, bundle, edit_url, action="save")
    data.update({f"m_{m.key}": (io.BytesIO(PDF), "a.pdf") for m in bundle.materials if m not in own})
    assert web.client.post(edit_url, data=data, content_type="multipart/form-data").status_code == 302
    return citizen, edit_url


def test_two_concurrent_submits_of_one_draft_make_one_application(app, web, db, catalog):
    citizen, edit_url = _submittable(web, db, catalog)
    check_url = _check_url(edit_url)
    token = web.csrf(check_url)
    cookie = web.client.get_cookie("session").value
    barrier = threading.Barrier(2)
    results = []

    def click():
        client = app.test_client()
        client.set_cookie("session", cookie)
        barrier.wait()
        results.append(client.post(check_url, data={"csrf_token": token, "action": "submit"}))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [302, 302]
    assert len({r.headers["Location"] for r in results}) == 1
    rows = db.exec(select(Application).where(Application.applicant_id == citizen.id)).all()
    assert len(rows) == 1 and rows[0].number


def test_another_citizen_gets_404_on_the_application_and_its_file(app, web, db, catalog):
    citizen, edit_url = _submittable(web, db, catalog)
    key = edit_url.split("/")[2]
    upload = db.exec(select(Attachment).where(Attachment.source == "upload")).first()
    assert web.get(f"/files/{upload.key}").status_code == 200
    stranger = Browser(app.test_client())
    stranger.login(make_citizen(db).login_name)
    assert stranger.get(f"/applications/{key}").status_code == 404
    assert stranger.get(edit_url).status_code == 404
    assert stranger.get(f"/files/{upload.key}").status_code == 404
    assert stranger.post(f"/applications/{key}/withdraw").status_code == 404


def test_front_desk_may_open_files_of_submitted_cases_only(app, web, db, catalog):
    citizen, edit_url = _submittable(web, db, catalog)
    upload = db.exec(select(Attachment).where(Attachment.source == "upload")).first()
    desk = Browser(app.test_client())
    desk.login(make_staff(db, "front_desk").login_name)
    assert desk.get(f"/files/{upload.key}").status_code == 404
    web.post(_check_url(edit_url))
    response = desk.get(f"/files/{upload.key}")
    assert response.status_code == 200 and response.data == PDF


def test_detail_shows_who_has_it_and_withdraw_works(web, db, catalog):
    citizen, edit_url = _submittable(web, db, catalog)
    detail_url = web.post(_check_url(edit_url)).headers["Location"].removesuffix("/submitted")
    html = web.get(detail_url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "front desk" in html and "Withdraw" in html
    assert web.post(detail_url + "/withdraw", {"reason": "不需要了"}).status_code == 302
    html = web.get(detail_url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert (
        "Withdrawn" in html
        and "不需要了" in html
        and "withdraw" not in html.split("Timeline")[0].lower().replace("withdrawn", "")
    )


def test_my_applications_lists_drafts_and_submissions(web, db, catalog):
    citizen, edit_url = _submittable(web, db, catalog)
    web.post(_check_url(edit_url))
    html = web.get("/applications").get_data(as_text=True)
    assert re.search(r"ZJ-\d{8}-\d{6}", html)
    assert web.get("/wallet").status_code == 200


def test_staff_cannot_use_the_citizen_pages(web, db):
    web.login(make_staff(db, "front_desk").login_name)
    assert web.get("/applications").status_code == 403
