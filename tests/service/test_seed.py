"""The seed: same seed, same rows; real identities; every step allowed by the table; refusal; the chain."""

import functools
import hashlib
import json
import random
import re
import shutil
import sqlite3
from datetime import UTC, date, datetime

import pytest
from faker.providers.person.zh_CN import Provider as ChinesePeople
from sqlalchemy import func
from sqlmodel import SQLModel, select
from werkzeug.security import generate_password_hash

from app import create_app
from seeding import DEMO_LOGINS, SeedOptions, applications_beyond_demo, seed_city
from seeding.cli import REFUSAL, demo_command, seed_command
from seeding.demo import CITIZEN, DEMO_PASSWORD
from seeding.plan import Planner, draw_fate, eligible
from seeding.pools import Pools
from seeding.settings import load_settings
from seeding.timeline import Timeline
from services import accounts, clock, passwords
from services.audit_check import verify_chains
from services.catalog import default_catalog
from services.db import create_schema, make_engine, new_session
from services.identity import validate_credit_code, validate_id_number, validate_mobile
from services.models import (
    Application,
    ApplicationStatus,
    Attachment,
    AuditEvent,
    Certificate,
    CommonProblem,
    Dispute,
    DisputeEvidence,
    DisputeStatus,
    EnterpriseRequest,
    EnterpriseRequestStatus,
    Notice,
    Rectification,
    RequestAttachment,
    User,
    Visit,
    new_key,
)
from services.models.keys import keys_from
from services.uploads import FileStore
from services.workdays import WorkingCalendar
from services.workflow.case_types import row_recorded_as
from services.workflow.enterprise.table import ENTERPRISE_REQUEST
from services.workflow.table import APPLICATION

AS_OF = date(2026, 11, 22)
SURNAMES = set(ChinesePeople.last_names)
# Certificate fields that hold one person's name.
PERSON_NAME_KEYS = ("full_name", "spouse_name", "household_head", "child_name", "father_name", "mother_name")
# Small, but through both paths: 30 cases through the services (rare outcomes staged), 6 cloned.
OPTIONS = SeedOptions(applications=36, slow_cases=30, seed=7, as_of=AS_OF)


@pytest.fixture(scope="module", autouse=True)
def quick_password_hashing():
    """The demo accounts register through the real service; tests need not pay for a slow hash."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            passwords, "generate_password_hash", functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
        )
        yield


def seed_into(folder, options=OPTIONS):
    engine = make_engine(f"sqlite:///{folder / 'seed.db'}")
    create_schema(engine)
    report = seed_city(engine=engine, catalog=default_catalog(), upload_folder=folder / "uploads", options=options)
    return engine, report


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeded")
    engine, report = seed_into(folder)
    yield engine, report, folder
    engine.dispose()


def digest(engine, uploads) -> str:
    """Every row of every table in key order, and every uploaded file; nothing left out."""
    total = hashlib.sha256()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            total.update(table.name.encode())
            for row in connection.execute(table.select().order_by(*table.primary_key.columns)):
                total.update(json.dumps(list(row), default=str, ensure_ascii=False).encode())
    for path in sorted(uploads.iterdir()) if uploads.exists() else []:
        total.update(path.name.encode() + path.read_bytes())
    return total.hexdigest()


@pytest.fixture
def on_the_seed_day():
    previous = clock.current_clock()
    clock.use_clock(clock.FrozenClock(datetime(2026, 11, 21, 20, 0, tzinfo=UTC)))
    yield
    clock.use_clock(previous)


# --- determinism ---------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_rows_and_files(seeded, tmp_path):
    engine, _, folder = seeded
    again, _ = seed_into(tmp_path)
    try:
        assert digest(again, tmp_path / "uploads") == digest(engine, folder / "uploads")
    finally:
        again.dispose()


def test_a_writer_in_its_own_process_stores_the_same_rows(seeded, tmp_path, monkeypatch):
    """Big loads are stored by a second process; what it stores is what the seed stores itself."""
    from seeding import writer

    engine, _, folder = seeded
    monkeypatch.setattr(writer, "SEPARATE_PROCESS_FROM", 1)
    again, _ = seed_into(tmp_path)
    try:
        assert digest(again, tmp_path / "uploads") == digest(engine, folder / "uploads")
    finally:
        again.dispose()


def test_the_fast_path_leaves_the_schema_as_the_migrations_made_it(seeded, tmp_path):
    """It drops the loaded tables' indexes while it loads; every one is back, as it was."""
    engine, _, _ = seeded
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    create_schema(fresh)

    def schema(of):
        with of.connect() as connection:
            return sorted(connection.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master").all())

    try:
        assert schema(engine) == schema(fresh)
    finally:
        fresh.dispose()


def test_seeding_leaves_the_clock_and_the_keys_as_they_were(seeded):
    assert isinstance(clock.current_clock(), clock.SystemClock)
    assert new_key() != new_key()


def test_keys_come_from_the_given_factory_only_inside_the_block():
    made = iter(["first", "second"])
    with keys_from(lambda: next(made)):
        assert (new_key(), new_key()) == ("first", "second")
    assert len(new_key()) == 16


def test_a_file_store_names_files_with_the_given_factory(tmp_path):
    names = iter(["aaa111", "bbb222"])
    store = FileStore(tmp_path, new_name=lambda: next(names))
    assert store.save(b"%PDF-1.4 x").storage_name == "aaa111"
    assert (tmp_path / "aaa111").read_bytes() == b"%PDF-1.4 x"
    assert len(FileStore(tmp_path).save(b"%PDF-1.4 y").storage_name) == 32


# --- people ---------------------------------------------------------------------------------


def test_every_seeded_identity_passes_the_portal_validators(seeded, on_the_seed_day):
    engine, _, _ = seeded
    checked = 0
    with new_session(engine) as session:
        for user in session.exec(select(User)):
            if user.id_number:
                assert validate_id_number(user.id_number) == user.id_number
                checked += 1
            if user.credit_code:
                assert validate_credit_code(user.credit_code) == user.credit_code
                checked += 1
            if user.mobile:
                validate_mobile(user.mobile)
        documents = [c.data for c in session.exec(select(Certificate))]
        documents += [a.form_data for a in session.exec(select(Application))]
        for data in documents:
            for key, value in data.items():
                if value and key.endswith("id_number"):
                    validate_id_number(value)
                    checked += 1
                if value and key == "credit_code":
                    validate_credit_code(value)
                    checked += 1
    assert checked > 200


def _surname_and_given(name: str) -> tuple[str, str] | None:
    """The name split as a surname of the locale and a given name of one or two characters, if it is one."""
    for length in (2, 1):
        surname, given = name[:length], name[length:]
        if surname in SURNAMES and 1 <= len(given) <= 2 and all("\u4e00" <= c <= "\u9fff" for c in given):
            return surname, given
    return None


def test_seeded_names_are_a_surname_and_a_given_name_of_one_or_two_characters(seeded):
    engine, _, _ = seeded
    with new_session(engine) as session:
        names = [user.full_name for user in session.exec(select(User).where(User.role == "citizen"))]
        names += [user.legal_representative for user in session.exec(select(User).where(User.role == "company"))]
        for data in [c.data for c in session.exec(select(Certificate))]:
            names += [data[key] for key in PERSON_NAME_KEYS if data.get(key)]
    assert len(names) > 100
    assert [name for name in names if _surname_and_given(name) is None] == []


def test_ages_match_the_services_asked_for(seeded):
    engine, _, _ = seeded
    settings = load_settings(default_catalog())
    with new_session(engine) as session:
        rows = session.exec(
            select(Application, User)
            .join(User, User.id == Application.applicant_id)
            .where(User.login_name != CITIZEN.id_number)
        ).all()
    checked = 0
    for application, user in rows:
        audience = settings.audiences.get(application.service_code)
        if audience is None or not user.id_number:
            continue
        born = validate_id_number(user.id_number)[6:14]
        age = application.created_at.year - int(born[:4])
        assert audience.min_age - 1 <= age <= audience.max_age + 1, (application.service_code, age)
        checked += 1
    assert checked


def test_families_are_married_to_each_other(seeded):
    engine, _, _ = seeded
    with new_session(engine) as session:
        marriages = session.exec(select(Certificate).where(Certificate.cert_type == "marriage_certificate")).all()
        registered = {u.id_number: u for u in session.exec(select(User).where(User.id_number.is_not(None)))}
    couples = 0
    for marriage in marriages:
        spouse = registered.get(marriage.data["spouse_id_number"])
        if spouse is not None:
            assert spouse.full_name == marriage.data["spouse_name"]
            couples += 1
    assert couples >= 2


# --- the life cycle -----------------------------------------------------------------------------


def test_every_recorded_step_is_a_row_of_the_transition_table(seeded):
    """Replay each application's events: each names a row whose source holds `from` and whose target is `to`."""
    engine, report, _ = seeded
    with new_session(engine) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        last_slow = session.exec(select(func.max(Application.id))).one() - report.bulk_cases
    replayed = {"slow": set(), "fast": set(), "other kinds": set()}
    for event in events:
        recorded_row = row_recorded_as(event.event)
        if recorded_row is None:
            # Recorded actions outside the table (a draft started, a file attached) change no status.
            assert (event.from_status, event.event) in (
                (None, "start"),
                (None, "attach"),
                (None, "answer_rectification"),
                (None, "share_certificate"),  # a wallet certificate a submission shares
                (None, "dispute.file"),  # a dispute is filed in its first status
                (None, "benefit_offer.create"),  # a sweep makes an offer in its first status
                (None, "sla_amber"),  # the SLA sweep's escalation chain (services/escalation.py)
                (None, "sla_red"),
                (None, "sla_city"),
            )
            continue
        _, row = recorded_row
        assert event.from_status in row.source, (event.chain, event.position, event.event)
        assert event.to_status == row.target_from(event.from_status), (event.chain, event.position)
        if event.application_id is None:  # a case of another kind (an enterprise request, a dispute)
            replayed["other kinds"].add(event.chain)
        else:
            replayed["slow" if event.application_id <= last_slow else "fast"].add(event.application_id)
    assert len(replayed["slow"]) >= 20 and len(replayed["fast"]) >= 4 and len(replayed["other kinds"]) >= 10


def test_the_audit_chain_of_seeded_data_verifies(seeded, tmp_path):
    engine, report, folder = seeded
    with new_session(engine) as session:
        chain = verify_chains(session=session)
    assert chain.ok and chain.checked == report.rows["auditevent"]
    app = _app_on_a_copy(folder, tmp_path)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and f"audit chains ok: {chain.checked} events" in result.output


def test_the_whole_life_cycle_is_there(seeded):
    engine, _, _ = seeded
    with new_session(engine) as session:
        statuses = set(session.exec(select(Application.status)).all())
        second_notices = session.exec(select(func.count()).select_from(Notice).where(Notice.breach)).one()
        beyond = session.exec(select(func.count()).select_from(Visit).where(Visit.beyond_promise)).one()
        rectifications = set(session.exec(select(Rectification.status)).all())
    assert statuses == set(APPLICATION.states)
    assert second_notices >= 1 and beyond >= 1
    assert rectifications == {"open", "answered"}


def test_enterprise_requests_are_seeded_in_every_state_with_a_common_problem_answered_for_several_firms(seeded):
    engine, _, _ = seeded
    with new_session(engine) as session:
        statuses = set(session.exec(select(EnterpriseRequest.status)).all())
        answered_problems = session.exec(select(CommonProblem).where(CommonProblem.answer.is_not(None))).all()
        linked = session.exec(
            select(func.count()).select_from(EnterpriseRequest).where(EnterpriseRequest.problem_id.is_not(None))
        ).one()
        escalated = session.exec(
            select(func.count()).select_from(EnterpriseRequest).where(EnterpriseRequest.escalated_at.is_not(None))
        ).one()
    assert statuses == set(ENTERPRISE_REQUEST.states) - {EnterpriseRequestStatus.DRAFT}  # a draft lives in one call
    assert len(answered_problems) == 1 and linked >= 1 and escalated >= 1


def test_the_demo_citizen_has_cases_in_several_states(seeded):
    engine, _, _ = seeded
    with new_session(engine) as session:
        citizen = session.exec(select(User).where(User.login_name == CITIZEN.id_number)).one()
        states = set(session.exec(select(Application.status).where(Application.applicant_id == citizen.id)).all())
    assert {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.NEEDS_CORRECTION,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.SUSPENDED,
        ApplicationStatus.COMPLETED,
        ApplicationStatus.PARTIALLY_COMPLETED,
        ApplicationStatus.WITHDRAWN,
    } <= states


def test_everything_happened_before_the_day_it_was_seeded_on(seeded):
    engine, _, _ = seeded
    with new_session(engine) as session:
        latest = session.exec(select(func.max(AuditEvent.at))).one()
        earliest = session.exec(select(func.min(Application.created_at))).one()
    assert clock.to_china(latest).date() < AS_OF
    assert (AS_OF - clock.to_china(earliest).date()).days <= 366


def test_seeded_accounts_log_in_with_the_demo_password(seeded):
    engine, _, _ = seeded
    with new_session(engine) as session:
        someone = session.exec(select(User).where(User.role == "citizen").order_by(User.id.desc())).first()
        assert (
            accounts.check_password(session=session, name=someone.login_name, password=DEMO_PASSWORD).id == someone.id
        )


def test_about_95_percent_of_cases_need_no_visit(seeded):
    """The generators plan ~95% zero-visit cases; the metrics of the (small) seeded city agree roughly."""
    catalog = default_catalog()
    settings = load_settings(catalog)
    rng = random.Random(3)
    weights = [settings.service_weights[s.code] for s in catalog.services()]
    fates = [draw_fate(rng, settings, service) for service in rng.choices(catalog.services(), weights, k=6000)]
    # A case filed at the front desk for a walk-in (the assisted channel) is a visit too.
    planned = sum(f.counter_visits == 0 and not f.assisted and f.delivery != "window" for f in fates) / len(fates)
    assert 0.935 <= planned <= 0.965
    from tests.metrics_reference import compute_metrics

    engine, _, _ = seeded
    with new_session(engine) as session:
        measured = compute_metrics(session=session, catalog=catalog).overall.rates.zero_visit
    assert 0.85 <= measured <= 1.0


def test_cases_go_to_people_they_are_meant_for():
    catalog = default_catalog()
    settings = load_settings(catalog)
    pools = Pools(locale="zh_CN", seed=1, rng=random.Random(1), settings=settings)
    timeline = Timeline(WorkingCalendar(), settings, AS_OF)
    from seeding.people import People

    residents = [r.holder for r in People(pools, settings, catalog).citizens(120, AS_OF)]
    for n, holder in enumerate(residents, start=1):
        holder.user_id = n
    planner = Planner(catalog=catalog, settings=settings, pools=pools, timeline=timeline, rng=random.Random(2))
    planner.random_cases(80, residents, [])
    assert len(planner.cases) == 80
    for case in planner.cases:
        assert eligible(case.holder, settings.audiences.get(case.service_code), case.start.date())
        assert timeline.start <= case.start < timeline.end


# --- the command ---------------------------------------------------------------------------------


def _app_on_a_copy(folder, tmp_path):
    # The backup API copies what the write-ahead log still holds too.
    with sqlite3.connect(folder / "seed.db") as source, sqlite3.connect(tmp_path / "copy.db") as copy:
        source.backup(copy)
    shutil.copytree(folder / "uploads", tmp_path / "uploads")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'copy.db'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    app.cli.add_command(seed_command)
    return app


def test_without_reset_a_database_with_cases_is_refused_and_left_alone(seeded, tmp_path):
    _, report, folder = seeded
    app = _app_on_a_copy(folder, tmp_path)
    before = digest(app.extensions["engine"], tmp_path / "uploads")
    result = app.test_cli_runner().invoke(args=["seed", "--applications", "5"])
    assert result.exit_code == 1
    with new_session(app.extensions["engine"]) as session:
        demo_owned = session.exec(
            select(func.count())
            .select_from(Application)
            .join(User, User.id == Application.applicant_id)
            .where(User.login_name.in_(DEMO_LOGINS))
        ).one()
    assert 0 < demo_owned < report.rows["application"]
    assert REFUSAL.format(count=report.rows["application"] - demo_owned) in result.output
    assert digest(app.extensions["engine"], tmp_path / "uploads") == before
    app.extensions["engine"].dispose()


def test_if_empty_leaves_a_seeded_database_alone_and_succeeds(seeded, tmp_path):
    _, report, folder = seeded
    app = _app_on_a_copy(folder, tmp_path)
    before = digest(app.extensions["engine"], tmp_path / "uploads")
    result = app.test_cli_runner().invoke(args=["seed", "--if-empty", "--applications", "5"])
    assert result.exit_code == 0
    assert "seeding skipped" in result.output
    assert digest(app.extensions["engine"], tmp_path / "uploads") == before
    app.extensions["engine"].dispose()


def test_a_database_holding_only_the_demo_is_seeded_without_reset(app, db):
    assert app.test_cli_runner().invoke(demo_command).exit_code == 0
    assert db.exec(select(func.count()).select_from(Application)).one() >= 1
    assert applications_beyond_demo(db) == 0


def test_reset_replaces_everything_and_the_files_it_made(seeded, tmp_path):
    _, report, folder = seeded
    app = _app_on_a_copy(folder, tmp_path)
    old_files = {p.name for p in (tmp_path / "uploads").iterdir()}
    result = app.test_cli_runner().invoke(
        args=["seed", "--reset", "--applications", "4", "--seed", "2", "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"seeded (\d+) applications \(\d+ through the services, 0 cloned\)", result.output)
    assert "clerk.psb" in result.output and "rows/s" in result.output
    with new_session(app.extensions["engine"]) as session:
        applications = session.exec(select(func.count()).select_from(Application)).one()
        stored = set(session.exec(select(Attachment.storage_name).where(Attachment.storage_name.is_not(None))))
        stored |= set(session.exec(select(RequestAttachment.storage_name)))
        stored |= set(session.exec(select(DisputeEvidence.storage_name)))
    assert f"seeded {applications} applications" in result.output
    assert applications < report.rows["application"]
    files = {p.name for p in (tmp_path / "uploads").iterdir()}
    assert old_files and not old_files & files
    assert files == stored
    app.extensions["engine"].dispose()


def test_the_fast_path_encodes_values_as_the_column_types_do(seeded):
    """The writer skips SQLAlchemy's per-value processors; its own encoders must give the same text."""
    from sqlalchemy.dialects import sqlite

    from seeding.rows import MODELS, _sqlite_encoder

    engine, _, _ = seeded
    dialect = sqlite.dialect()
    compared = 0
    with engine.connect() as connection:
        for model in MODELS.values():
            table = model.__table__
            for row in connection.execute(table.select().limit(20)).mappings():
                for column in table.columns:
                    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
                    encoder = _sqlite_encoder(column)
                    assert (processor is None) == (encoder is None), column
                    if processor is not None and row[column.name] is not None:
                        assert encoder(row[column.name]) == processor(row[column.name]), column
                        compared += 1
    assert compared > 500


def test_moments_and_days_are_written_as_datetime_writes_them():
    """The fast path formats moments from integers (seeding/texts.py); the text must be datetime's own."""
    from datetime import timedelta

    from seeding.rows import _sqlite_encoder
    from seeding.texts import Texts, microseconds

    stored = _sqlite_encoder(AuditEvent.__table__.c.at)
    texts, rng = Texts(), random.Random(5)
    for n in range(3000):
        moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(microseconds=rng.randrange(4 * 365 * 86_400_000_000))
        moment = moment.replace(microsecond=(0, rng.randrange(1000) * 1000, moment.microsecond)[n % 3])
        assert texts.moment(microseconds(moment)) == (stored(moment), json.dumps(moment.isoformat()))
        assert texts.day(moment.date().toordinal()) == moment.date().isoformat()


def test_cloned_rows_are_stored_as_the_column_types_store_them(seeded):
    """The newest rows of each table are the fast path's: their stored text is what SQLAlchemy writes for
    their values."""
    from sqlalchemy.dialects import sqlite

    from seeding.rows import MODELS

    engine, _, _ = seeded
    dialect = sqlite.dialect()
    compared = 0
    with engine.connect() as connection:
        for model in MODELS.values():
            table = model.__table__
            (key,) = table.primary_key.columns
            typed = connection.execute(table.select().order_by(key.desc()).limit(30)).mappings().all()
            stored = connection.exec_driver_sql(
                f"SELECT {', '.join(c.name for c in table.columns)} FROM {table.name} ORDER BY {key.name} DESC LIMIT 30"
            ).all()
            for values, texts in zip(typed, stored, strict=True):
                for column, text in zip(table.columns, texts, strict=True):
                    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
                    value = values[column.name]
                    assert text == (processor(value) if processor and value is not None else value), column
                    compared += 1
    assert compared > 1000


def test_the_seed_leaves_disputes_in_every_status_with_the_agencies_demo_clerks(seeded):
    engine, report, _ = seeded
    with new_session(engine) as session:
        statuses = set(session.exec(select(Dispute.status)))
        clerks = set(session.exec(select(User.department).where(User.login_name.startswith("clerk."))))
    assert statuses == set(DisputeStatus.LABELS) and report.disputes == report.rows["dispute"]
    assert set(default_catalog().dispute_routes) <= clerks


def test_some_applications_are_filed_at_the_front_desk_so_online_is_not_everything(seeded):
    from tests.metrics_reference import compute_metrics

    engine, _, _ = seeded
    with new_session(engine) as session:
        assisted = session.exec(select(Application).where(Application.channel == "assisted")).all()
        assert assisted and all(a.submitted_at is not None for a in assisted)
        visited = {v.application_id for v in session.exec(select(Visit)).all()}
        assert all(a.id in visited for a in assisted)  # coming in to file it was a visit
        assert compute_metrics(session=session, catalog=default_catalog()).overall.rates.online < 1
