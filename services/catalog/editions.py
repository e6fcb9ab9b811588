"""The catalogue with the versions published in the UI put in place of the files' entries.

The files are version 0 of every item and bundle; a version published in the UI (kept in the
database, `services.catalog_admin`) replaces its entry from its effective date. An application
records the version of each entry it was filed under, and reads the catalogue as it was then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from .loader import load_catalog
from .model import Catalog


class Filed(Protocol):
    service_code: str
    submitted_at: Any
    catalogue_versions: dict[str, int]


class CatalogueHistory:
    """Every published version's entry (`entries[key][number]`, as parsed YAML) over the files in `directory`."""

    def __init__(self, directory: Path, entries: Mapping[str, Mapping[int, Any]]):
        self.directory = directory
        self.entries = entries
        # Rebuilding costs a tenth of a second; few editions are ever read at once.
        self._build = lru_cache(maxsize=32)(self._catalog_for)

    def catalog_with(self, numbers: Mapping[str, int]) -> Catalog:
        """The files with version `numbers[key]` of each entry named (0: the files' own)."""
        return self._build(frozenset((key, number) for key, number in numbers.items() if number))

    def _catalog_for(self, numbers: frozenset[tuple[str, int]]) -> Catalog:
        overrides = {_section_code(key): self.entries[key][number] for key, number in numbers}
        catalog = load_catalog(self.directory, overrides)
        return replace(catalog, versions=dict(numbers), history=self)


def filed_catalog(catalog: Catalog, application: Filed) -> Catalog:
    """The catalogue as `application` was filed under it; a draft reads the one in force."""
    if application.submitted_at is None:
        return catalog
    return catalog.as_filed(application.service_code, application.catalogue_versions)


def _section_code(key: str) -> tuple[str, str]:
    kind, code = key.split(":", 1)
    return ("bundles" if kind == "bundle" else "items"), code
