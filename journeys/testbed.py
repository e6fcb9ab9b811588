"""What only a test-mode server does for a journey: wipe its data, add staff and wallet certificates.

Applicants register through the real pages; staff and the certificates other
authorities issued long ago have no page, so a journey sets them up here.
"""

import shutil
from datetime import timedelta
from pathlib import Path

import pyotp
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlmodel import Session

from journeys.state import find_user
from services import clock
from services.accounts import create_staff
from services.catalog import Catalog
from services.db import transactional
from services.errors import Invalid
from services.models import Certificate, User
from services.workflow.numbers import next_number


def wipe_data(engine: Engine, folders: tuple[Path, ...] = ()) -> int:
    """Delete every row of every table (the schema stays) and the files under `folders`; return the rows."""
    metadata = MetaData()
    deleted = 0
    with engine.begin() as connection:
        metadata.reflect(connection)
        for table in reversed(metadata.sorted_tables):
            if table.name != "alembic_version":
                deleted += connection.execute(table.delete()).rowcount
    for folder in folders:
        if folder.is_dir():
            for entry in folder.iterdir():
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink(missing_ok=True)
    return deleted


def add_staff(
    *,
    session: Session,
    catalog: Catalog,
    username: str,
    full_name: str,
    role: str,
    department: str | None,
    password: str,
) -> User:
    # Enrolled in the second factor already: the journey signs in through the real code page with it.
    return create_staff(
        session=session,
        catalog=catalog,
        username=username,
        full_name=full_name,
        role=role,
        department=department,
        password=password,
        totp_secret=pyotp.random_base32(),
    )


def _issuer(catalog: Catalog, cert_type: str) -> str:
    issuers = catalog.issuers(cert_type)
    return issuers[0].department if issuers else "GOV"


@transactional
def add_certificates(*, session: Session, catalog: Catalog, login: str, certificates: list[dict]) -> list[Certificate]:
    """Certificates issued before this system existed, as the shared-data platform holds them."""
    owner = find_user(session, login)
    issued = clock.china_today() - timedelta(days=365)
    added = []
    for entry in certificates:
        cert_type = catalog.certificate_types.get(entry["type"])
        if cert_type is None:
            raise Invalid("unknown certificate type", {"type": f"Unknown certificate type {entry['type']!r}."})
        serial = next_number(session, "journey-wallet")
        certificate = Certificate(
            owner_id=owner.id,
            cert_type=cert_type.code,
            number=f"EXT-{cert_type.code.upper()}-{serial:06d}",
            data={k: v for k, v in (entry.get("data") or {}).items() if k in cert_type.data_keys},
            issued_by=_issuer(catalog, cert_type.code),
            issued_on=issued,
        )
        session.add(certificate)
        added.append(certificate)
    session.flush()
    return added
