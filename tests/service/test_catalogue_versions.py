"""Catalogue versions made in the UI: checked by the loader, published from a date, and applications keep theirs."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from services import clock
from services.applications.progress import where_now
from services.audit_check import verify_chains
from services.catalog import CATALOG_DIR
from services.catalog.editions import filed_catalog
from services.catalog_admin import versions
from services.catalog_admin.in_force import catalogue_in_force, catalogue_token
from services.db import make_engine, new_session
from services.errors import Conflict, Invalid, NotAllowed
from services.models import AuditEvent, CatalogueVersion, Role, User
from services.requirements.precheck import precheck
from tests.factories import make_staff
from tests.sample import submitted

ITEM = "330100-TRANSPORT-003"  # promised 3 working days, legal 10
NEW_MATERIAL = "- {key: medical_report, name: {zh: 体检证明, en: Medical report}}\n"


@pytest.fixture
def city(session):
    return make_staff(session, Role.SUPERVISOR)


def live(session, day=None):
    return catalogue_in_force(session=session, directory=CATALOG_DIR, day=day or clock.china_today())


def files_text() -> str:
    return versions.files_entry_text(CATALOG_DIR, "items", ITEM)


def five_days_and_a_medical_report() -> str:
    text = files_text().replace("promised_limit_days: 3", "promised_limit_days: 5")
    return text.replace("materials:\n", "materials:\n" + NEW_MATERIAL, 1)


def draft_of(session, city, catalog, text: str, key=None):
    return versions.save_draft(
        session=session,
        actor=city,
        directory=CATALOG_DIR,
        catalog=catalog,
        section="items",
        code=ITEM,
        entry_yaml=text,
        key=key,
    )


def test_a_draft_is_checked_by_the_loader_and_each_problem_names_the_entry(session, catalog, city):
    broken = (
        files_text()
        .replace("promised_limit_days: 3", "promised_limit_days: 20")
        .replace("department: TRANSPORT", "department: NOWHERE")
    )
    with pytest.raises(Invalid) as refused:
        draft_of(session, city, live(session), broken)
    problems = refused.value.errors["entry_yaml"]
    assert "item 330100-TRANSPORT-003: promised_limit_days 20 exceeds legal_limit_days 10" in problems
    assert "item 330100-TRANSPORT-003: department 'NOWHERE' is not defined" in problems
    assert session.exec(select(CatalogueVersion)).all() == []


def test_yaml_that_is_not_an_entry_or_changes_the_code_is_refused(session, catalog, city):
    with pytest.raises(Invalid, match="not YAML"):
        draft_of(session, city, live(session), "code: [unclosed")
    with pytest.raises(Invalid, match="code changed"):
        draft_of(session, city, live(session), files_text().replace(ITEM, "330100-TRANSPORT-099"))


def test_only_a_city_supervisor_drafts(session, catalog):
    with pytest.raises(NotAllowed):
        draft_of(session, make_staff(session, Role.SUPERVISOR, "TRANSPORT"), live(session), files_text())


def test_an_application_filed_before_a_publish_keeps_its_time_limit_and_materials(session, store, city):
    before = live(session)
    _, earlier = submitted(session, before, store, ITEM)
    assert earlier.catalogue_versions == {f"item:{ITEM}": 0}

    row = draft_of(session, city, before, five_days_and_a_medical_report())
    versions.publish_draft(
        session=session, actor=city, directory=CATALOG_DIR, key=row.key, effective_on=clock.china_today()
    )
    after = live(session)
    assert after.items[ITEM].promised_limit_days == 5
    assert "medical_report" in {m.key for m in after.items[ITEM].materials}

    # The earlier application reads its own version: three days, and no medical report owed.
    assert filed_catalog(after, earlier).items[ITEM].promised_limit_days == 3
    assert where_now(session=session, application=earlier, catalog=after).promised_days == 3
    assert "medical_report" not in {gap.key for gap in precheck(session=session, application=earlier, catalog=after)}

    _, later = submitted(session, after, store, ITEM)
    assert later.catalogue_versions == {f"item:{ITEM}": 1}
    assert where_now(session=session, application=later, catalog=after).promised_days == 5


def test_a_version_takes_effect_on_its_date_and_not_before(session, catalog, city):
    today = clock.china_today()
    row = draft_of(session, city, live(session), five_days_and_a_medical_report())
    token = catalogue_token(session=session, day=today)
    versions.publish_draft(
        session=session, actor=city, directory=CATALOG_DIR, key=row.key, effective_on=today + timedelta(days=3)
    )
    assert catalogue_token(session=session, day=today) == token  # nothing changes for today's processes
    assert live(session).items[ITEM].promised_limit_days == 3
    assert live(session, today + timedelta(days=3)).items[ITEM].promised_limit_days == 5


def test_a_date_in_the_past_is_refused(session, catalog, city):
    row = draft_of(session, city, live(session), five_days_and_a_medical_report())
    with pytest.raises(Invalid):
        versions.publish_draft(
            session=session,
            actor=city,
            directory=CATALOG_DIR,
            key=row.key,
            effective_on=clock.china_today() - timedelta(days=1),
        )


def test_a_draft_begun_before_another_publish_must_start_again(session, catalog, city):
    first = draft_of(session, city, live(session), five_days_and_a_medical_report())
    second = draft_of(
        session, city, live(session), files_text().replace("promised_limit_days: 3", "promised_limit_days: 4")
    )
    versions.publish_draft(
        session=session, actor=city, directory=CATALOG_DIR, key=first.key, effective_on=clock.china_today()
    )
    with pytest.raises(Conflict):
        versions.publish_draft(
            session=session, actor=city, directory=CATALOG_DIR, key=second.key, effective_on=clock.china_today()
        )


def test_drafts_publishes_and_discards_are_on_the_entrys_chain_with_their_diff(session, catalog, city):
    row = draft_of(session, city, live(session), five_days_and_a_medical_report())
    versions.publish_draft(
        session=session, actor=city, directory=CATALOG_DIR, key=row.key, effective_on=clock.china_today()
    )
    dropped = draft_of(session, city, live(session), files_text())
    versions.discard_draft(session=session, actor=city, key=dropped.key)
    with pytest.raises(Conflict):
        versions.discard_draft(session=session, actor=city, key=dropped.key)

    events = list(session.exec(select(AuditEvent).where(AuditEvent.chain == f"catalogue:item:{ITEM}")))
    assert [e.event for e in events] == ["catalogue.draft", "catalogue.publish", "catalogue.draft", "catalogue.discard"]
    assert {e.actor_id for e in events} == {city.id}
    assert "-promised_limit_days: 3\n+promised_limit_days: 5\n" in events[1].payload["diff"]
    assert verify_chains(session=session).ok

    listed = versions.entry_versions(session=session, actor=city, directory=CATALOG_DIR, section="items", code=ITEM)
    assert [v.number for v in listed] == [0, 1, 0]  # newest first: the discarded draft, version 1, the files
    assert "+promised_limit_days: 5" in listed[1].diff


def test_a_bundle_is_changed_like_an_item_and_its_earlier_applications_keep_its_name(session, store, city):
    bundle = "BUNDLE-NEWBORN"
    before = live(session)
    _, earlier = submitted(session, before, store, bundle)
    assert earlier.catalogue_versions[f"bundle:{bundle}"] == 0 and f"item:{ITEM}" not in earlier.catalogue_versions
    text = versions.files_entry_text(CATALOG_DIR, "bundles", bundle).replace("Having a baby", "A new baby")
    row = versions.save_draft(
        session=session,
        actor=city,
        directory=CATALOG_DIR,
        catalog=before,
        section="bundles",
        code=bundle,
        entry_yaml=text,
    )
    versions.publish_draft(
        session=session, actor=city, directory=CATALOG_DIR, key=row.key, effective_on=clock.china_today()
    )
    after = live(session)
    assert after.bundles[bundle].name.en.startswith("A new baby")
    assert filed_catalog(after, earlier).bundles[bundle].name.en.startswith("Having a baby")


def _publish_at_once(engine, city, keys: list[str]) -> list[str]:
    """Each key published by its own connection, all let go together; what each was answered."""
    racing = make_engine(engine.url.render_as_string(hide_password=False), pool_size=len(keys), max_overflow=0)
    start = threading.Barrier(len(keys), timeout=30)

    def publish(key: str) -> str:
        with new_session(racing) as own:
            start.wait()
            try:
                versions.publish_draft(
                    session=own,
                    actor=own.get(User, city.id),
                    directory=CATALOG_DIR,
                    key=key,
                    effective_on=clock.china_today(),
                )
            except Conflict as refused:
                return str(refused)
            return "published"

    try:
        with ThreadPoolExecutor(max_workers=len(keys)) as pool:
            return sorted(pool.map(publish, keys))
    finally:
        racing.dispose()


def _publish_events(session) -> int:
    session.expire_all()
    return len(session.exec(select(AuditEvent).where(AuditEvent.event == "catalogue.publish")).all())


def test_two_drafts_of_one_entry_published_at_once_give_it_one_next_version(session, engine, catalog, city):
    first = draft_of(session, city, live(session), five_days_and_a_medical_report())
    second = draft_of(
        session, city, live(session), files_text().replace("promised_limit_days: 3", "promised_limit_days: 4")
    )
    answers = _publish_at_once(engine, city, [first.key, second.key])
    assert answers[1] == "published" and "another version of this entry was published" in answers[0]
    session.expire_all()
    published = session.exec(select(CatalogueVersion).where(CatalogueVersion.number.is_not(None))).all()
    assert [row.number for row in published] == [1]
    assert _publish_events(session) == 1


def test_one_draft_published_twice_at_once_is_published_once(session, engine, catalog, city):
    row = draft_of(session, city, live(session), five_days_and_a_medical_report())
    answers = _publish_at_once(engine, city, [row.key, row.key])
    assert answers == ["published", "this version is published or discarded already"]
    assert _publish_events(session) == 1
    assert live(session).service(ITEM).promised_limit_days == 5
