"""The city supervisor changes the catalogue through the pages; another process serves the change without a restart."""

import re

import pytest
from sqlmodel import select

from app import create_app
from services import clock
from services.catalog import CATALOG_DIR
from services.catalog_admin.versions import files_entry_text, publish_draft, save_draft
from services.models import CatalogueVersion, Role
from tests.factories import make_staff
from web.worker import run_due_jobs

ITEM = "330100-TRANSPORT-003"


@pytest.fixture(autouse=True)
def in_english(web):
    web.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def second_process(app, tmp_path):
    """Another app on the same database, as a second gunicorn worker would be."""
    other = create_app(
        {
            **{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "DATABASE_URL")},
            "UPLOAD_FOLDER": str(tmp_path / "up2"),
            "CATALOG_REFRESH_SECONDS": 0,  # a publish is seen on the next request, not within seconds
        }
    )
    yield other
    other.extensions["engine"].dispose()


def promised_days_shown(client) -> str:
    html = client.get(f"/services/{ITEM}").get_data(as_text=True)
    return re.search(r"Promised time</dt>\s*<dd[^>]*>([^<]+)</dd>", html).group(1).strip()


def test_draft_with_an_error_is_named_and_kept_then_fixed_previewed_and_published_to_every_process(
    web, db, second_process
):
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    other = second_process.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert promised_days_shown(other) == "3 working days"

    text = files_entry_text(CATALOG_DIR, "items", ITEM)
    broken = text.replace("promised_limit_days: 3", "promised_limit_days: 30")
    refused = web.post(f"/supervisor/catalogue/items/{ITEM}", {"entry_yaml": broken})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "item 330100-TRANSPORT-003: promised_limit_days 30 exceeds legal_limit_days 10" in html
    assert "promised_limit_days: 30" in html  # what was typed is kept
    assert db.exec(select(CatalogueVersion)).all() == []

    saved = web.post(
        f"/supervisor/catalogue/items/{ITEM}",
        {"entry_yaml": text.replace("promised_limit_days: 3", "promised_limit_days: 6")},
    )
    assert saved.status_code == 302
    key = saved.headers["Location"].rsplit("/", 1)[1]

    preview = web.get(f"/supervisor/catalogue/versions/{key}/preview").get_data(as_text=True)
    assert "Preview of a draft" in preview and "6 working days" in preview
    assert "applying.start" not in preview and f'action="/services/{ITEM}/apply' not in preview
    assert promised_days_shown(other) == "3 working days"  # a draft changes nothing for citizens

    published = web.post(
        f"/supervisor/catalogue/versions/{key}/publish", {"effective_on": clock.china_today().isoformat()}
    )
    assert published.status_code == 302
    # The other process picks the version up on its next request, with no restart.
    assert promised_days_shown(other) == "6 working days"
    page = web.get(f"/supervisor/catalogue/items/{ITEM}").get_data(as_text=True)
    assert "Version 1" in page and "+promised_limit_days: 6" in page


def test_a_department_supervisor_may_not_change_the_catalogue(web, db):
    web.login(make_staff(db, Role.SUPERVISOR, "TRANSPORT").login_name)
    assert web.get("/supervisor/catalogue").status_code == 403
    assert web.post(f"/supervisor/catalogue/items/{ITEM}", {"entry_yaml": "code: x"}).status_code == 403


def test_a_draft_is_discarded_and_listed_so(web, db):
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    text = files_entry_text(CATALOG_DIR, "items", ITEM)
    key = web.post(f"/supervisor/catalogue/items/{ITEM}", {"entry_yaml": text}).headers["Location"].rsplit("/", 1)[1]
    assert web.post(f"/supervisor/catalogue/versions/{key}/discard", {}).status_code == 302
    assert "Discarded draft" in web.get(f"/supervisor/catalogue/items/{ITEM}").get_data(as_text=True)
    assert db.exec(select(CatalogueVersion)).one().discarded_at is not None


def test_the_worker_reads_a_published_version_from_its_next_round(app, db, second_process, tmp_path):
    city = make_staff(db, Role.SUPERVISOR)
    second_process.config["OUTBOX_FOLDER"] = str(tmp_path / "outbox")
    run_due_jobs(second_process, "worker-1")
    assert second_process.extensions["catalog"].items[ITEM].promised_limit_days == 3
    text = files_entry_text(CATALOG_DIR, "items", ITEM).replace("promised_limit_days: 3", "promised_limit_days: 6")
    row = save_draft(
        session=db,
        actor=city,
        directory=CATALOG_DIR,
        catalog=app.extensions["catalog"],
        section="items",
        code=ITEM,
        entry_yaml=text,
    )
    publish_draft(session=db, actor=city, directory=CATALOG_DIR, key=row.key, effective_on=clock.china_today())
    run_due_jobs(second_process, "worker-1")
    assert second_process.extensions["catalog"].items[ITEM].promised_limit_days == 6
