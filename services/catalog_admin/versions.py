"""Draft, discard and publish a version of one item or bundle; every step is an event on the entry's own chain.

A draft is the entry as YAML, the way the files hold it. It is checked by the loader itself, over
the files with the versions in force and the draft put in place of its entry, so the UI refuses
exactly what `flask --app app catalog check` would. A version takes effect on its effective date,
any calendar day from today: a change of the catalogue is announced for a date (often the first
of a month, a weekend as often as not), and applications are filed online every day.
"""

import difflib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services import clock
from services.audit import record_event
from services.catalog import Catalog, load_catalog, validate_catalog
from services.catalog.model import version_key
from services.catalog_admin.in_force import in_force, published_versions
from services.db import transactional
from services.errors import Conflict, Invalid, NotFound
from services.i18n import N_
from services.models import CatalogueVersion, User
from services.policy import require_city_supervisor

SECTIONS = {"items": "item", "bundles": "bundle"}
CLOSED = N_("this version is published or discarded already")
OVERTAKEN = N_("another version of this entry was published after this draft began: start a new draft")
# The YAML a draft may hold; more is not an entry of the catalogue but a mistake.
ENTRY_MAX_LENGTH = 50_000


@dataclass(frozen=True)
class EntryVersion:
    """A version of an entry as its page lists it: the row (None for the files'), its YAML and its diff."""

    number: int
    row: CatalogueVersion | None
    text: str
    diff: str


def files_entry_text(directory: Path, section: str, code: str) -> str:
    """The entry as the files hold it, as YAML (the files' comments are not kept)."""
    for path in sorted(directory.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for raw in data.get(section) or () if isinstance(data, dict) else ():
            if isinstance(raw, dict) and raw.get("code") == code:
                return _dump(raw)
    raise NotFound(N_("no such catalogue entry"))


def entry_text(*, session: Session, directory: Path, catalog: Catalog, section: str, code: str) -> str:
    """The entry in force now, as YAML: where a new draft starts."""
    number = catalog.versions.get(version_key(section, code), 0)
    if number == 0:
        return files_entry_text(directory, section, code)
    return _version(session, section, code, number).entry_yaml


def entry_versions(*, session: Session, actor: User, directory: Path, section: str, code: str) -> list[EntryVersion]:
    """Every version of the entry, the newest first, each with its diff against the one it was drafted from."""
    require_city_supervisor(actor)
    _check_section(section)
    rows = list(
        session.exec(
            select(CatalogueVersion)
            .where(CatalogueVersion.section == section, CatalogueVersion.code == code)
            .order_by(col(CatalogueVersion.id))
        )
    )
    texts = {0: files_entry_text(directory, section, code)}
    texts.update({row.number: row.entry_yaml for row in rows if row.number is not None})
    listed = [EntryVersion(0, None, texts[0], "")]
    for row in rows:
        listed.append(
            EntryVersion(row.number or 0, row, row.entry_yaml, diff_text(texts[row.base_number], row.entry_yaml))
        )
    return listed[::-1]


def drafts(*, session: Session, actor: User) -> list[CatalogueVersion]:
    require_city_supervisor(actor)
    return list(
        session.exec(
            select(CatalogueVersion)
            .where(col(CatalogueVersion.published_at).is_(None), col(CatalogueVersion.discarded_at).is_(None))
            .order_by(col(CatalogueVersion.updated_at).desc())
        )
    )


def draft(*, session: Session, actor: User, key: str) -> CatalogueVersion:
    require_city_supervisor(actor)
    row = session.exec(select(CatalogueVersion).where(CatalogueVersion.key == key)).first()
    if row is None:
        raise NotFound(N_("no such catalogue version"))
    return row


@transactional
def save_draft(
    *,
    session: Session,
    actor: User,
    directory: Path,
    catalog: Catalog,
    section: str,
    code: str,
    entry_yaml: str,
    key: str | None = None,
) -> CatalogueVersion:
    """Start a draft of the entry (no `key`) or change one; refused, naming every problem, unless it checks."""
    require_city_supervisor(actor)
    _check_section(section)
    assert actor.id is not None  # a signed-in account is a stored row
    if key is None:
        base = catalog.versions.get(version_key(section, code), 0)
        base_text = entry_text(session=session, directory=directory, catalog=catalog, section=section, code=code)
        row = CatalogueVersion(section=section, code=code, base_number=base, entry_yaml="", drafted_by_id=actor.id)
    else:
        row = _open_draft(session, actor, key)
        base_text = _base_text(session, directory, row)
    entry = parse_entry(entry_yaml, section, code)
    check_with(session, directory, section, code, entry, clock.china_today())
    text = entry_yaml.strip() + "\n"
    if row.id is None:
        row.entry_yaml, row.updated_at = text, clock.now()
        session.add(row)
        session.flush()
    else:
        _change_draft(session, row, entry_yaml=text, updated_at=clock.now())
    _record(session, actor, row, "catalogue.draft", diff=diff_text(base_text, row.entry_yaml))
    return row


@transactional
def discard_draft(*, session: Session, actor: User, key: str) -> CatalogueVersion:
    row = _open_draft(session, actor, key)
    _change_draft(session, row, discarded_at=clock.now(), discarded_by_id=actor.id)
    _record(session, actor, row, "catalogue.discard")
    return row


@transactional
def publish_draft(
    *, session: Session, actor: User, directory: Path, key: str, effective_on: date | None
) -> CatalogueVersion:
    """Give the draft the entry's next number, in force from `effective_on` (today or later)."""
    row = _open_draft(session, actor, key)
    today = clock.china_today()
    if effective_on is None or effective_on < today:
        raise Invalid("effective date", {"effective_on": N_("Choose today or a later date.")})
    latest = _latest_number(session, row.section, row.code)
    if row.base_number != latest:
        raise Conflict(OVERTAKEN)
    # Checked again on the day it takes effect: the files or other versions may have moved since it was saved.
    check_with(
        session, directory, row.section, row.code, parse_entry(row.entry_yaml, row.section, row.code), effective_on
    )
    try:
        _change_draft(
            session,
            row,
            number=latest + 1,
            published_at=clock.now(),
            published_by_id=actor.id,
            effective_on=effective_on,
        )
    except IntegrityError as exc:  # another draft of the entry took this number a moment ago
        raise Conflict(OVERTAKEN) from exc
    _record(
        session,
        actor,
        row,
        "catalogue.publish",
        number=row.number,
        effective_on=effective_on.isoformat(),
        diff=diff_text(_base_text(session, directory, row), row.entry_yaml),
    )
    return row


def preview_catalogue(*, session: Session, actor: User, directory: Path, key: str) -> tuple[CatalogueVersion, Catalog]:
    """The catalogue in force today with the draft in place of its entry: what citizens would see."""
    row = draft(session=session, actor=actor, key=key)
    entry = parse_entry(row.entry_yaml, row.section, row.code)
    return row, load_catalog(directory, _overrides(session, clock.china_today()) | {(row.section, row.code): entry})


def parse_entry(entry_yaml: str, section: str, code: str) -> dict[str, Any]:
    if len(entry_yaml) > ENTRY_MAX_LENGTH:
        raise Invalid("too long", {"entry_yaml": N_("The entry is too long.")})
    try:
        entry = yaml.safe_load(entry_yaml)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise Invalid("not YAML", {"entry_yaml": f"invalid YAML{where}: {problem}"}) from exc
    if not isinstance(entry, dict):
        raise Invalid("not an entry", {"entry_yaml": N_("The entry must be a mapping of keys, as in the files.")})
    if entry.get("code") != code:
        raise Invalid("code changed", {"entry_yaml": N_("The code of an entry cannot change.")})
    return entry


def check_with(session: Session, directory: Path, section: str, code: str, entry: dict[str, Any], day: date) -> None:
    """The loader's checks over the catalogue in force on `day` with `entry` in place; Invalid names each problem."""
    errors = validate_catalog(directory, _overrides(session, day) | {(section, code): entry})
    if errors:
        raise Invalid("the catalogue check fails", {"entry_yaml": "\n".join(str(error) for error in errors)})


def diff_text(before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), "before", "after")
    )


def _overrides(session: Session, day: date) -> dict[tuple[str, str], Any]:
    versions = published_versions(session=session)
    numbers = in_force(versions, day)
    return {
        (row.section, row.code): yaml.safe_load(row.entry_yaml)
        for row in versions
        if numbers.get(version_key(row.section, row.code)) == row.number
    }


def _open_draft(session: Session, actor: User, key: str) -> CatalogueVersion:
    row = draft(session=session, actor=actor, key=key)
    if not row.is_draft:
        raise Conflict(CLOSED)
    return row


def _change_draft(session: Session, row: CatalogueVersion, **values: Any) -> None:
    """Write the draft's columns only while it is still a draft, then read it back.

    The check and the write are one statement: two clicks of Publish, or a save racing a publish,
    both read an open draft, and only the first write may find it so.
    """
    still_open = col(CatalogueVersion.published_at).is_(None) & col(CatalogueVersion.discarded_at).is_(None)
    written = session.execute(
        update(CatalogueVersion).where(col(CatalogueVersion.id) == row.id, still_open).values(**values)
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        raise Conflict(CLOSED)
    session.refresh(row)


def _latest_number(session: Session, section: str, code: str) -> int:
    return (
        session.exec(
            select(func.max(CatalogueVersion.number)).where(
                CatalogueVersion.section == section, CatalogueVersion.code == code
            )
        ).one()
        or 0
    )


def _version(session: Session, section: str, code: str, number: int) -> CatalogueVersion:
    row = session.exec(
        select(CatalogueVersion).where(
            CatalogueVersion.section == section, CatalogueVersion.code == code, CatalogueVersion.number == number
        )
    ).first()
    if row is None:
        raise NotFound(N_("no such catalogue version"))
    return row


def _base_text(session: Session, directory: Path, row: CatalogueVersion) -> str:
    if row.base_number == 0:
        return files_entry_text(directory, row.section, row.code)
    return _version(session, row.section, row.code, row.base_number).entry_yaml


def _check_section(section: str) -> None:
    if section not in SECTIONS:
        raise NotFound(N_("no such catalogue entry"))


def _dump(raw: Any) -> str:
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=100)


def _record(session: Session, actor: User, row: CatalogueVersion, event: str, **payload: Any) -> None:
    record_event(
        session,
        actor=actor,
        event=event,
        chain=f"catalogue:{version_key(row.section, row.code)}",
        payload={"version": row.key, "base": row.base_number, **payload},
    )
