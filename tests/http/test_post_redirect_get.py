"""A refused step is told once, on a page reached by GET: a reload sends nothing again."""

from services.models import Application, ApplicationStatus
from tests.sample import submitted

EN = {"Accept-Language": "en"}
ITEM = "330100-TRANSPORT-003"


def test_withdrawing_twice_is_refused_once_on_the_cases_page(web, app, db, catalog):
    applicant, application = submitted(db, catalog, app.extensions["file_store"], ITEM)
    web.login(applicant.login_name)
    detail_url = f"/applications/{application.key}"
    assert web.post(f"{detail_url}/withdraw", {"reason": "不需要了"}).status_code == 302

    # A second tab still showing the button sends it again.
    again = web.post(f"{detail_url}/withdraw", {"reason": "不需要了"})
    assert again.status_code == 302 and again.headers["Location"] == detail_url
    page = web.get(detail_url, headers=EN).get_data(as_text=True)
    assert page.count('class="alert alert-warning"') == 1
    db.expire_all()
    assert db.get(Application, application.id).status == ApplicationStatus.WITHDRAWN
