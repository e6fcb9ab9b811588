"""Lists, at once, everything an application still lacks before it can be submitted."""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from services.catalog import Catalog, Text
from services.catalog.editions import filed_catalog
from services.i18n import N_
from services.models import Application, Attachment
from services.requirements.fields import FieldError, clean_value


@dataclass(frozen=True)
class Gap:
    kind: str  # "field" or "material"
    key: str
    label: Text
    template: str
    params: dict = field(default_factory=dict)
    # A missing non-core material does not block submission: the front desk may tolerate it (容缺受理).
    blocking: bool = True

    @property
    def reason(self) -> str:
        return self.template % self.params if self.params else self.template


def field_gaps(service, form_data: dict) -> list[Gap]:
    gaps = []
    for spec in service.fields:
        try:
            value = clean_value(spec, form_data.get(spec.key))
        except FieldError as error:
            gaps.append(Gap("field", spec.key, spec.label, error.template, error.params))
            continue
        if value == "" and spec.required:
            gaps.append(Gap("field", spec.key, spec.label, N_("is required")))
    return gaps


def material_gaps(service, attached_keys: set[str]) -> list[Gap]:
    return [
        Gap(
            "material",
            spec.key,
            spec.name,
            N_("has not been provided") if spec.core else N_("may follow later if the front desk agrees"),
            blocking=spec.core,
        )
        for spec in service.materials
        if spec.required and spec.key not in attached_keys
    ]


def blocking(gaps: list[Gap]) -> list[Gap]:
    return [gap for gap in gaps if gap.blocking]


def precheck(
    *, session: Session, application: Application, catalog: Catalog, attached: set[str] | None = None
) -> list[Gap]:
    """What is missing or wrong; `attached`, the keys of the attached materials, when the caller has just read them."""
    service = filed_catalog(catalog, application).service(application.service_code)
    if attached is None:
        attached = set(
            session.exec(select(Attachment.material_key).where(Attachment.application_id == application.id)).all()
        )
    return field_gaps(service, application.form_data) + material_gaps(service, attached)
