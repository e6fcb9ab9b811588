"""The seed on the database the suite runs on (SQLite, and PostgreSQL in the second run of `make test`).

The seed writes many rows with their ids given; afterwards the application must go on
inserting its own rows as usual (on PostgreSQL that needs the id sequences moved past them).
"""

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from seeding import SeedOptions, seed_city
from services.audit_check import verify_chains
from services.models import Application, AuditEvent, Certificate, User
from tests.factories import make_certificate, make_citizen
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"


def test_after_seeding_through_both_paths_the_app_goes_on_inserting(
    engine, session, catalog, store, tmp_path, quick_password_hashing
):
    # More people than the services' cases need: the rest are written in bulk, every column of theirs too.
    options = SeedOptions(applications=12, slow_cases=8, seed=3, citizens=60, companies=12, as_of=date(2026, 11, 22))
    report = seed_city(engine=engine, catalog=catalog, upload_folder=tmp_path / "seeded", options=options)
    assert report.bulk_cases == 4 and report.slow_cases >= 8  # the demo accounts bring cases of their own
    assert session.exec(select(func.count()).select_from(User)).one() >= 60 + 12
    before = {model: session.exec(select(func.max(model.id))).one() for model in (User, Certificate, Application)}

    citizen = make_citizen(session)
    certificate = make_certificate(session, citizen, "hukou")
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM, applicant=citizen)

    assert citizen.id > before[User]
    assert certificate.id > before[Certificate]
    assert application.id > before[Application]
    chain = verify_chains(session=session)
    assert chain.ok, chain
    assert chain.checked == session.exec(select(func.count()).select_from(AuditEvent)).one()
