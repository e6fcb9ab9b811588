"""The service catalogue: departments, service items and one-thing bundles, loaded from seed_data/catalog."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .loader import CatalogError, load_catalog, validate_catalog
from .model import (
    APPLICANT_TYPES,
    DELIVERY_METHODS,
    FIELD_TYPES,
    ITEM_KINDS,
    PROFILE_ATTRS,
    Bundle,
    Catalog,
    CertificateType,
    Department,
    FieldSpec,
    Item,
    LifeEvent,
    MaterialSpec,
    Option,
    Service,
    Text,
)

CATALOG_DIR = Path(__file__).resolve().parents[2] / "seed_data" / "catalog"


@cache
def default_catalog() -> Catalog:
    return load_catalog(CATALOG_DIR)


__all__ = [
    "APPLICANT_TYPES",
    "CATALOG_DIR",
    "DELIVERY_METHODS",
    "FIELD_TYPES",
    "ITEM_KINDS",
    "PROFILE_ATTRS",
    "Bundle",
    "Catalog",
    "CatalogError",
    "CertificateType",
    "Department",
    "FieldSpec",
    "Item",
    "LifeEvent",
    "MaterialSpec",
    "Option",
    "Service",
    "Text",
    "default_catalog",
    "load_catalog",
    "validate_catalog",
]
