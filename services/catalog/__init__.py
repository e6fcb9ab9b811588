"""The service catalogue, loaded from seed_data/catalog: departments, service items and one-thing bundles,
and the request categories, dispute kinds and routes, and centres the other case types stand on."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .loader import CatalogError, load_catalog, validate_catalog
from .model import (
    APPLICANT_TYPES,
    CENTRE_LEVELS,
    DELIVERY_METHODS,
    FIELD_TYPES,
    ITEM_KINDS,
    PROFILE_ATTRS,
    Bundle,
    Catalog,
    Centre,
    CertificateType,
    Department,
    DisputeKind,
    DisputeRoute,
    FieldSpec,
    Item,
    LifeEvent,
    MaterialSpec,
    Option,
    RequestCategory,
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
    "CENTRE_LEVELS",
    "DELIVERY_METHODS",
    "FIELD_TYPES",
    "ITEM_KINDS",
    "PROFILE_ATTRS",
    "Bundle",
    "Catalog",
    "CatalogError",
    "Centre",
    "CertificateType",
    "Department",
    "DisputeKind",
    "DisputeRoute",
    "FieldSpec",
    "Item",
    "LifeEvent",
    "MaterialSpec",
    "Option",
    "RequestCategory",
    "Service",
    "Text",
    "default_catalog",
    "load_catalog",
    "validate_catalog",
]
