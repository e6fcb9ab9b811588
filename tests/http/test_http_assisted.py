"""The front desk files for a walk-in through its pages; the person then signs in and finds it theirs."""

import io
import re

from sqlmodel import select

from services.models import Application, Role
from tests.conftest import PDF
from tests.factories import id_number, make_staff
from tests.sample import complete_values

ITEM = "330100-TRANSPORT-003"
EN = {"Accept-Language": "en"}


def test_the_desk_files_for_a_walk_in_who_then_sees_it_among_their_applications(web, app, db, catalog):
    front_desk = make_staff(db, Role.FRONT_DESK)
    web.login(front_desk.login_name)
    service = catalog.service(ITEM)
    assert web.get(f"/desk/assisted?service={ITEM}").headers["Location"].endswith(f"/desk/assisted/{ITEM}")
    page = web.get(f"/desk/assisted/{ITEM}", headers=EN).get_data(as_text=True)
    assert 'name="id_number"' in page and all(f'name="m_{m.key}"' in page for m in service.materials)

    person = {"id_number": id_number(977), "full_name": "李大伯", "mobile": "13900009977"}
    answers = {f"f_{key}": value for key, value in complete_values(service).items()}
    # A first try without the scans: told what is missing, nothing filed.
    refused = web.post(f"/desk/assisted/{ITEM}", {**person, **answers}, headers=EN)
    assert refused.status_code == 422
    assert db.exec(select(Application)).all() == []

    files = {f"m_{m.key}": (io.BytesIO(PDF), f"{m.key}.pdf") for m in service.materials}
    filed = web.client.post(
        f"/desk/assisted/{ITEM}",
        data={"csrf_token": web.csrf(), **person, **answers, **files},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert filed.status_code == 200, filed.get_data(as_text=True)
    html = filed.get_data(as_text=True)
    number = re.search(r"ZJ-\d{8}-\d{6}", html).group(0)
    password = re.search(r'<code class="fs-5">([^<]+)</code>', html).group(1)
    application = db.exec(select(Application).where(Application.number == number)).one()
    assert application.channel == "assisted"

    web.client.post("/logout", data={"csrf_token": web.csrf()})
    web.login(person["id_number"], password)
    assert number in web.get("/applications", headers=EN).get_data(as_text=True)
