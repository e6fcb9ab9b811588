"""The fault run's city: a database on its own PostgreSQL server, migrated, seeded, and complete drafts ready."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from bench.load import _clone_case, _item_for, _value
from bench.pg_server import PostgresServer
from seeding import SeedOptions, seed_city
from services.applications.drafts import save_draft, start_draft
from services.audit import record_event
from services.catalog import default_catalog
from services.db import create_schema, make_engine, new_session
from services.models import Application, ApplicationStatus, Role, User
from services.requirements.precheck import blocking, precheck

DATABASE = "atmostonce"


def seeded_database(server: PostgresServer, applications: int, upload_folder: Path) -> str:
    """A new database on `server`, at the schema's head, seeded with a city of `applications` cases; its URL."""
    admin = make_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    database_url = server.url.rsplit("/", 1)[0] + f"/{DATABASE}"
    engine = make_engine(database_url)
    create_schema(engine)
    seed_city(
        engine=engine,
        catalog=default_catalog(),
        upload_folder=upload_folder,
        options=SeedOptions(applications=applications, seed=1),
    )
    engine.dispose()
    return database_url


@dataclass(frozen=True)
class Applicant:
    login: str
    drafts: list[str]  # keys of complete drafts, each to be submitted once from its check-answers page


def prepare_applicants(database_url: str, citizens: int, drafts: int) -> list[Applicant]:
    """`citizens` seeded citizens whose wallet covers an item completely, each with `drafts` complete drafts."""
    catalog = default_catalog()
    engine = make_engine(database_url)
    applicants = []
    with new_session(engine) as session:
        for citizen in session.exec(select(User).where(User.role == Role.CITIZEN).order_by(User.id)):
            try:
                item = _item_for(session, citizen, catalog)
            except StopIteration:  # nothing this citizen can apply for without uploading a file
                continue
            draft = start_draft(session=session, actor=citizen, service_code=item.code, catalog=catalog)
            save_draft(
                session=session,
                actor=citizen,
                key=draft.key,
                catalog=catalog,
                values={f.key: _value(f) for f in item.fields if not draft.form_data.get(f.key)},
            )
            if blocking(precheck(session=session, application=draft, catalog=catalog)):
                continue
            ids = _clone_case(session, draft, drafts, with_tasks=False)
            # Each copy gets the event a draft is started with, so the copies are whole drafts too.
            for application_id in ids:
                record_event(
                    session,
                    actor=citizen,
                    event="start",
                    case=Application(id=application_id),
                    to_status=ApplicationStatus.DRAFT,
                )
            session.commit()
            keys = list(session.exec(select(Application.key).where(Application.id.in_(ids)).order_by(Application.id)))
            applicants.append(Applicant(citizen.login_name, keys))
            if len(applicants) == citizens:
                break
    engine.dispose()
    return applicants
