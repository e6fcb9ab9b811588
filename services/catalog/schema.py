"""Pydantic shapes of the catalogue YAML entries: structure only, cross-references are checked by the loader."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StringConstraints

from .model import ApplicantType, CentreLevel, DayCount, DeliveryMethod, FieldType, ItemKind

NonEmpty = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
SnakeKey = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9_]*$")]
UpperCode = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z][A-Z0-9_]*$")]
ServiceCode = Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9A-Z][0-9A-Z-]*[0-9A-Z]$")]
Days = Annotated[StrictInt, Field(ge=0)]
PositiveDays = Annotated[StrictInt, Field(gt=0)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextIn(_Entry):
    zh: NonEmpty
    en: NonEmpty


class DepartmentIn(_Entry):
    code: UpperCode
    name: TextIn


class LifeEventIn(_Entry):
    code: SnakeKey
    name: TextIn


class CertificateTypeIn(_Entry):
    code: SnakeKey
    name: TextIn
    external: StrictBool = False
    data_keys: tuple[SnakeKey, ...] = ()


class OptionIn(_Entry):
    value: NonEmpty
    label: TextIn


class DataLabelIn(_Entry):
    """The label of a certificate data key that no form field names (the others take the field's label)."""

    code: SnakeKey
    name: TextIn
    type: FieldType = "text"
    options: tuple[OptionIn, ...] = ()


class FieldIn(_Entry):
    key: SnakeKey
    type: FieldType
    label: TextIn
    required: StrictBool = True
    help: TextIn | None = None
    options: tuple[OptionIn, ...] = ()
    min: StrictFloat | None = None
    max: StrictFloat | None = None
    prefill: NonEmpty | None = None


class MaterialIn(_Entry):
    key: SnakeKey
    name: TextIn
    required: StrictBool = True
    core: StrictBool = True
    wallet_cert: SnakeKey | None = None
    note: TextIn | None = None
    holder: Literal["self", "spouse"] = "self"


class ItemIn(_Entry):
    code: ServiceCode
    name: TextIn
    description: TextIn
    department: NonEmpty
    kind: ItemKind
    legal_limit_days: Days
    promised_limit_days: Days
    max_visits: StrictInt
    instant: StrictBool
    fee: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] = Decimal(0)
    delivery: Annotated[tuple[DeliveryMethod, ...], Field(min_length=1)]
    applicant_types: Annotated[tuple[ApplicantType, ...], Field(min_length=1)]
    life_events: Annotated[tuple[NonEmpty, ...], Field(min_length=1)]
    keywords: tuple[NonEmpty, ...] = ()
    fields: tuple[FieldIn, ...]
    materials: tuple[MaterialIn, ...]
    result_certificate: SnakeKey | None = None


class BundleIn(_Entry):
    code: ServiceCode
    name: TextIn
    description: TextIn
    life_event: NonEmpty
    applicant_types: Annotated[tuple[ApplicantType, ...], Field(min_length=1)]
    items: Annotated[tuple[ServiceCode, ...], Field(min_length=2)]
    depends: dict[ServiceCode, tuple[ServiceCode, ...]] = {}
    keywords: tuple[NonEmpty, ...] = ()


class RequestCategoryIn(_Entry):
    code: SnakeKey
    name: TextIn
    answer_working_days: PositiveDays
    # Empty: the business-environment office names the lead department at triage.
    lead_departments: tuple[UpperCode, ...] = ()


class DisputeRouteIn(_Entry):
    code: SnakeKey
    name: TextIn


class DisputeKindIn(_Entry):
    code: SnakeKey
    name: TextIn
    legal_limit_days: PositiveDays
    day_count: DayCount
    routes: Annotated[tuple[SnakeKey, ...], Field(min_length=1)]


class CentreIn(_Entry):
    code: UpperCode
    name: TextIn
    level: CentreLevel
    parent: UpperCode | None = None
    routes: Annotated[tuple[SnakeKey, ...], Field(min_length=1)]
