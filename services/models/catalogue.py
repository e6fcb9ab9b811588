"""Versions of catalogue entries made in the UI: drafted, then published with an effective date, or discarded."""

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services import clock
from services.models.keys import new_key


class CatalogueVersion(SQLModel, table=True):
    """One item's or bundle's entry as the editor wrote it (YAML), against the version it started from.

    A draft has no `number`; publishing gives it the entry's next one. Published versions are never
    changed or removed: applications name the ones they were filed under.
    """

    __tablename__ = "catalogue_version"
    __table_args__ = (
        UniqueConstraint("section", "code", "number", name="uq_catalogue_version_number"),
        # Each request's check of what is in force reads this range alone.
        Index("ix_catalogue_version_in_force", "published_at", "effective_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    section: str = Field(max_length=16)  # items | bundles
    code: str = Field(index=True, max_length=64)
    base_number: int  # the version it was drafted from; 0 for the files' entry
    entry_yaml: str = Field(sa_column=Column(Text, nullable=False))
    number: int | None = None
    drafted_by_id: int = Field(foreign_key="user_account.id")
    drafted_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: datetime | None = None
    effective_on: date | None = None
    discarded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    discarded_at: datetime | None = None

    @property
    def is_draft(self) -> bool:
        return self.published_at is None and self.discarded_at is None
