"""Which published versions are in force, and the catalogue they make: what every process serves.

Each process keeps the catalogue it built with the token it was built from (`catalogue_token`: the
count and the last id of the versions in force today). A request, or a worker's round, reads the
token again, one indexed query, and rebuilds only when it moved: a publish with today's date, or
the first day of a version published for a later date.
"""

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func
from sqlmodel import Session, col, select

from services.catalog import Catalog, load_catalog
from services.catalog.editions import CatalogueHistory
from services.catalog.model import version_key
from services.models import CatalogueVersion

Token = tuple[int, int]


def _published_by(day: date):
    return col(CatalogueVersion.published_at).is_not(None), col(CatalogueVersion.effective_on) <= day


def catalogue_token(*, session: Session, day: date) -> Token:
    """Changes whenever the set of versions in force on `day` does (published versions are never removed)."""
    count, last = session.exec(
        select(func.count(), func.max(CatalogueVersion.id)).select_from(CatalogueVersion).where(*_published_by(day))
    ).one()
    return count, last or 0


def published_versions(*, session: Session) -> list[CatalogueVersion]:
    return list(
        session.exec(
            select(CatalogueVersion)
            .where(col(CatalogueVersion.published_at).is_not(None))
            .order_by(col(CatalogueVersion.id))
        )
    )


def in_force(versions: list[CatalogueVersion], day: date) -> dict[str, int]:
    """Each entry's version in force on `day`: the latest effective date reached, the later number on a tie."""
    chosen: dict[str, CatalogueVersion] = {}
    for version in versions:
        assert version.effective_on is not None and version.number is not None
        if version.effective_on > day:
            continue
        key = version_key(version.section, version.code)
        held = chosen.get(key)
        if held is None or (version.effective_on, version.number) > (held.effective_on, held.number):
            chosen[key] = version
    return {key: version.number for key, version in chosen.items() if version.number is not None}


def history_of(versions: list[CatalogueVersion], directory: Path) -> CatalogueHistory:
    entries: dict[str, dict[int, Any]] = {}
    for version in versions:
        assert version.number is not None
        entries.setdefault(version_key(version.section, version.code), {})[version.number] = yaml.safe_load(
            version.entry_yaml
        )
    return CatalogueHistory(directory, entries)


def catalogue_in_force(*, session: Session, directory: Path, day: date, files: Catalog | None = None) -> Catalog:
    """The catalogue new applications use on `day`, able to rebuild any version an application was filed under.

    `files`: the catalogue of the files alone when the caller holds it already (no version in force).
    """
    versions = published_versions(session=session)
    history = history_of(versions, directory)
    numbers = in_force(versions, day)
    if not numbers:
        return replace(files or load_catalog(directory), history=history)
    return history.catalog_with(numbers)
