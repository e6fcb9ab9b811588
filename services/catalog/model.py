"""The service catalogue as immutable values: departments, items, one-thing bundles, and the case data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Any, ClassVar, Literal, get_args

from .policy_model import Policy
from .text import Text

# Each choice written once, as a type the checker knows; the tuples are its values for the code that lists them.
FieldType = Literal["text", "date", "number", "select", "id_number", "phone", "address", "credit_code"]
DeliveryMethod = Literal["e_certificate", "post", "window"]
ApplicantType = Literal["citizen", "company"]
ItemKind = Literal["licence", "confirmation", "registration", "payment", "benefit", "public_service", "filing"]
DayCount = Literal["calendar", "working"]
# From the top down: a centre's parent is the centre one level up.
CentreLevel = Literal["province", "city", "county", "township"]
FIELD_TYPES: tuple[FieldType, ...] = get_args(FieldType)
DELIVERY_METHODS: tuple[DeliveryMethod, ...] = get_args(DeliveryMethod)
APPLICANT_TYPES: tuple[ApplicantType, ...] = get_args(ApplicantType)
ITEM_KINDS: tuple[ItemKind, ...] = get_args(ItemKind)
CENTRE_LEVELS: tuple[CentreLevel, ...] = get_args(CentreLevel)
PROFILE_ATTRS = ("full_name", "id_number", "mobile", "address", "company_name", "credit_code")
# The applicant's identity as the account was verified: shown, never typed (a contact detail may be).
ACCOUNT_IDENTITY = frozenset({"profile.full_name", "profile.company_name", "profile.id_number", "profile.credit_code"})

_NO_DEPENDS: Mapping[str, tuple[str, ...]] = MappingProxyType({})


@dataclass(frozen=True)
class Department:
    code: str
    name: Text


@dataclass(frozen=True)
class LifeEvent:
    code: str
    name: Text


@dataclass(frozen=True)
class CertificateType:
    code: str
    name: Text
    external: bool
    data_keys: tuple[str, ...]
    # One per data key, in the same order (a card lays the data out in this order).
    labels: tuple[DataLabel, ...] = ()


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class DataLabel:
    """How one data key of a certificate reads: its label, and its type for formatting the value."""

    key: str
    label: Text
    type: FieldType = "text"
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    key: str
    type: str
    label: Text
    required: bool = True
    help: Text | None = None
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    prefill: str | None = None

    @property
    def from_account(self) -> bool:
        """The applicant's own name, ID number or credit code: taken from the account, whatever a form says."""
        return self.prefill in ACCOUNT_IDENTITY

    @property
    def wallet_source(self) -> str | None:
        """The certificate type a `wallet.<type>.<key>` prefill reads, else None."""
        if self.prefill and self.prefill.startswith("wallet."):
            return self.prefill.split(".")[1]
        return None


@dataclass(frozen=True)
class MaterialSpec:
    key: str
    name: Text
    required: bool = True
    core: bool = True
    wallet_cert: str | None = None
    note: Text | None = None
    # Whose certificate stands for it: the applicant's own, or their spouse's (from government records).
    holder: str = "self"


@dataclass(frozen=True)
class Item:
    code: str
    name: Text
    description: Text
    department: str
    kind: str
    legal_limit_days: int
    promised_limit_days: int
    max_visits: int
    instant: bool
    fee: Decimal
    delivery: tuple[str, ...]
    applicant_types: tuple[str, ...]
    life_events: tuple[str, ...]
    keywords: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    materials: tuple[MaterialSpec, ...]
    result_certificate: str | None

    is_bundle: ClassVar[bool] = False

    @property
    def item_codes(self) -> tuple[str, ...]:
        return (self.code,)

    @property
    def departments(self) -> tuple[str, ...]:
        return (self.department,)

    @property
    def depends(self) -> Mapping[str, tuple[str, ...]]:
        return _NO_DEPENDS


@dataclass(frozen=True)
class Bundle:
    code: str
    name: Text
    description: Text
    life_event: str
    applicant_types: tuple[str, ...]
    items: tuple[Item, ...]
    # hash=False: a mapping is not hashable; equality still compares it.
    depends: Mapping[str, tuple[str, ...]] = field(hash=False)
    keywords: tuple[str, ...] = ()

    is_bundle: ClassVar[bool] = True

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def upstream(self, code: str) -> tuple[str, ...]:
        """Codes of every item `code` waits on, directly or not, in bundle order."""
        seen: set[str] = set()
        pending = list(self.depends.get(code, ()))
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending.extend(self.depends.get(current, ()))
        return tuple(c for c in self.item_codes if c in seen)

    def upstream_certificates(self, code: str) -> frozenset[str]:
        """Certificate types that items upstream of `code` issue during the bundle.

        A field whose prefill reads one of them, or a material standing in for one,
        is filled from that upstream result, so the bundle form does not ask for it.
        """
        issued = (self.item(c).result_certificate for c in self.upstream(code))
        return frozenset(cert for cert in issued if cert)

    @cached_property
    def fields(self) -> tuple[FieldSpec, ...]:
        merged: dict[str, FieldSpec] = {}
        for item in self.items:
            supplied = self.upstream_certificates(item.code)
            for spec in item.fields:
                if spec.wallet_source in supplied:
                    continue
                first = merged.setdefault(spec.key, spec)
                if spec.required and not first.required:
                    merged[spec.key] = replace(first, required=True)
        return tuple(merged.values())

    @cached_property
    def materials(self) -> tuple[MaterialSpec, ...]:
        merged: dict[str, MaterialSpec] = {}
        for item in self.items:
            supplied = self.upstream_certificates(item.code)
            for spec in item.materials:
                if spec.wallet_cert in supplied:
                    continue
                first = merged.setdefault(spec.key, spec)
                merged[spec.key] = replace(
                    first,
                    required=first.required or spec.required,
                    core=first.core or spec.core,
                    wallet_cert=first.wallet_cert or spec.wallet_cert,
                )
        return tuple(merged.values())

    @property
    def max_visits(self) -> int:
        return max(item.max_visits for item in self.items)

    @property
    def fee(self) -> Decimal:
        return sum((item.fee for item in self.items), Decimal(0))

    @property
    def promised_limit_days(self) -> int:
        return self._critical_path(lambda item: item.promised_limit_days)

    @property
    def legal_limit_days(self) -> int:
        return self._critical_path(lambda item: item.legal_limit_days)

    @property
    def instant(self) -> bool:
        return all(item.instant for item in self.items)

    @property
    def delivery(self) -> tuple[str, ...]:
        used = {method for item in self.items for method in item.delivery}
        return tuple(method for method in DELIVERY_METHODS if method in used)

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.department for item in self.items))

    @property
    def life_events(self) -> tuple[str, ...]:
        return (self.life_event,)

    def _critical_path(self, days: Callable[[Item], int]) -> int:
        finish: dict[str, int] = {}

        def finished_after(code: str) -> int:
            if code not in finish:
                waits = (finished_after(c) for c in self.depends.get(code, ()))
                finish[code] = days(self.item(code)) + max(waits, default=0)
            return finish[code]

        return max(finished_after(code) for code in self.item_codes)


Service = Item | Bundle


@dataclass(frozen=True)
class RequestCategory:
    """A kind of enterprise request (企呼我应) and the answer it is promised."""

    code: str
    name: Text
    answer_working_days: int
    # The departments triage proposes as lead; empty when the office chooses each time.
    lead_departments: tuple[str, ...]


@dataclass(frozen=True)
class DisputeRoute:
    """A way a dispute is handled (people's mediation, labour arbitration, ...)."""

    code: str
    name: Text


@dataclass(frozen=True)
class DisputeKind:
    code: str
    name: Text
    legal_limit_days: int
    day_count: DayCount
    routes: tuple[str, ...]


@dataclass(frozen=True)
class Centre:
    """A social governance centre (社会治理中心) where disputes are received and handled."""

    code: str
    name: Text
    level: CentreLevel
    parent: str | None
    routes: tuple[str, ...]


def version_key(section: str, code: str) -> str:
    """How a version of an item or a bundle is named on an application: ``item:CODE``, ``bundle:CODE``."""
    return f"{'bundle' if section == 'bundles' else 'item'}:{code}"


@dataclass(frozen=True)
class SlaThreshold:
    """When a task's deadline turns amber, and when its lateness goes up to the city's supervisors."""

    # Amber once this many working days or fewer are left, today's included (0: on the deadline day only).
    amber_working_days: int
    # The city's supervisors are told once a task is this many working days past its deadline.
    escalate_after_working_days: int


# Where no catalogue entry says otherwise (also the city entry's keys it leaves out).
BUILT_IN_SLA = SlaThreshold(amber_working_days=1, escalate_after_working_days=3)


@dataclass(frozen=True)
class SlaThresholds:
    """The city default and the thresholds of the task codes (item, dispute route, request category) that differ."""

    default: SlaThreshold = BUILT_IN_SLA
    # hash=False: a mapping is not hashable.
    by_code: Mapping[str, SlaThreshold] = field(default_factory=dict, hash=False)

    def of(self, code: str) -> SlaThreshold:
        """The threshold of a task by its SLA code (services/models/cases.py `Task.sla_key`): an item, a dispute
        route, an enterprise request's category."""
        return self.by_code.get(code, self.default)


@dataclass(frozen=True, eq=False)
class Catalog:
    departments: dict[str, Department]
    life_events: dict[str, LifeEvent]
    certificate_types: dict[str, CertificateType]
    items: dict[str, Item]
    bundles: dict[str, Bundle]
    request_categories: dict[str, RequestCategory]
    dispute_routes: dict[str, DisputeRoute]
    dispute_kinds: dict[str, DisputeKind]
    centres: dict[str, Centre]
    policies: dict[str, Policy]
    # The version in force of each item or bundle changed in the UI, by `version_key` (the files' are 0),
    # and the published versions behind them; none for a catalogue read from the files alone.
    versions: Mapping[str, int] = field(default_factory=dict, hash=False)
    # A CatalogueHistory (editions.py), to rebuild what an older application was filed under; typed Any
    # because the loader fills the other fields from a dict of sections.
    history: Any = None

    def version_keys(self, code: str) -> tuple[str, ...]:
        """The entries a service is made of: the bundle and its items, or the item."""
        if code in self.bundles:
            return (version_key("bundles", code), *(version_key("items", c) for c in self.bundles[code].item_codes))
        return (version_key("items", code),)

    def filed_versions(self, code: str) -> dict[str, int]:
        """What an application for `code` submitted now records: the version of each of its entries."""
        return {key: self.versions.get(key, 0) for key in self.version_keys(code)}

    def as_filed(self, code: str, filed: Mapping[str, int]) -> Catalog:
        """The catalogue as an application for `code` filed under `filed` reads it (this one when nothing changed)."""
        numbers = {key: filed.get(key, 0) for key in (*filed, *self.version_keys(code))}
        if all(self.versions.get(key, 0) == number for key, number in numbers.items()):
            return self
        if self.history is None:
            raise LookupError(f"{code} was filed under versions {numbers} this catalogue has no history of")
        return self.history.catalog_with(numbers)

    sla: SlaThresholds = SlaThresholds()

    def service(self, code: str) -> Service:
        if code in self.bundles:
            return self.bundles[code]
        return self.items[code]

    def services(self) -> list[Service]:
        return [*self.bundles.values(), *self.items.values()]

    def review_items(self) -> frozenset[str]:
        """The items that review a benefit's disputed amount: filed from the offer's page, never applied for."""
        return frozenset(policy.amount_review_item for policy in self.policies.values() if policy.amount_review_item)

    def applicable(self) -> list[Service]:
        """The services an applicant starts itself: every one but the amount reviews, which a dispute files."""
        reviews = self.review_items()
        return [service for service in self.services() if service.code not in reviews]

    def search(self, query: str) -> list[Service]:
        terms = query.casefold().split()
        if not terms:
            return []

        def matches(service: Service) -> bool:
            haystack = [service.code, service.name.zh, service.name.en, *service.keywords]
            folded = [text.casefold() for text in haystack]
            return all(any(term in text for text in folded) for term in terms)

        return [service for service in self.applicable() if matches(service)]

    def for_life_event(self, code: str) -> list[Service]:
        return [service for service in self.applicable() if code in service.life_events]

    def for_department(self, code: str) -> list[Service]:
        return [service for service in self.applicable() if code in service.departments]

    def issuers(self, cert_type: str) -> list[Item]:
        return [item for item in self.items.values() if item.result_certificate == cert_type]

    def counts(self) -> dict[str, int]:
        return {
            "departments": len(self.departments),
            "items": len(self.items),
            "bundles": len(self.bundles),
            "life_events": len(self.life_events),
            "certificate_types": len(self.certificate_types),
            "request_categories": len(self.request_categories),
            "dispute_kinds": len(self.dispute_kinds),
            "dispute_routes": len(self.dispute_routes),
            "centres": len(self.centres),
            "policies": len(self.policies),
        }
