"""Read the catalogue YAML files, check them, build the immutable Catalog."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar, overload

import yaml
from pydantic import BaseModel, ValidationError

from .case_data import CASE_SECTIONS, CaseSection, build_case_data, check_case_data
from .errors import CatalogError, display_path, schema_problem, yaml_problem
from .model import (
    PROFILE_ATTRS,
    Bundle,
    Catalog,
    CertificateType,
    DataLabel,
    Department,
    FieldSpec,
    Item,
    LifeEvent,
    MaterialSpec,
    Option,
    Text,
)
from .policies import PolicyIn, build_policies, check_policies
from .schema import (
    BundleIn,
    CertificateTypeIn,
    DataLabelIn,
    DepartmentIn,
    FieldIn,
    ItemIn,
    LifeEventIn,
    MaterialIn,
    TextIn,
)
from .sla import SlaIn, build_sla, check_sla

Section = (
    DepartmentIn | LifeEventIn | CertificateTypeIn | DataLabelIn | ItemIn | BundleIn | CaseSection | PolicyIn | SlaIn
)
SECTIONS: dict[str, tuple[str, type[Section]]] = {
    "departments": ("department", DepartmentIn),
    "life_events": ("life event", LifeEventIn),
    "certificate_types": ("certificate type", CertificateTypeIn),
    "data_labels": ("data label", DataLabelIn),
    "items": ("item", ItemIn),
    "bundles": ("bundle", BundleIn),
    **CASE_SECTIONS,
    "policies": ("policy", PolicyIn),
    "sla": ("sla threshold", SlaIn),
}
_PROFILE_PREFILL = re.compile(r"^profile\.(\w+)$")
_WALLET_PREFILL = re.compile(r"^wallet\.(\w+)\.(\w+)$")
# A family member the marriage record names: the spouse, or a child's mother or father (the applicant or the spouse).
_FAMILY_PREFILL = re.compile(r"^family\.(spouse|mother|father)\.(full_name|id_number)$")

M = TypeVar("M", bound=BaseModel)


# An entry put in place of the files' entry of the same section and code (a catalogue version from the database).
Overrides = Mapping[tuple[str, str], Any]


def load_catalog(directory: str | Path, overrides: Overrides | None = None) -> Catalog:
    """Load and check every ``*.yaml`` under `directory`; raise the first CatalogError found."""
    errors, catalog = _Compiler(Path(directory), overrides).run()
    if errors:
        raise errors[0]
    assert catalog is not None
    return catalog


def validate_catalog(directory: str | Path, overrides: Overrides | None = None) -> list[CatalogError]:
    """Every error of the catalogue under `directory`, in file order; empty when it loads."""
    return _Compiler(Path(directory), overrides).run()[0]


# libyaml's parser when PyYAML was built with it: the pure-Python one takes seconds for the catalogue.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """SafeLoader that rejects a key repeated in one mapping instead of silently keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


@dataclass(frozen=True)
class _Parsed(Generic[M]):
    file: str
    entry: str
    spec: M


class _Compiler:
    def __init__(self, directory: Path, overrides: Overrides | None = None):
        self.directory = directory
        self.overrides = overrides or {}
        self.errors: list[CatalogError] = []
        self.parsed: dict[str, dict[str, _Parsed[Any]]] = {section: {} for section in SECTIONS}
        # Codes of entries that failed their schema: references to them are not reported again.
        self.broken: dict[str, set[str]] = {section: set() for section in SECTIONS}
        self.broken_results: set[str] = set()

    def run(self) -> tuple[list[CatalogError], Catalog | None]:
        if not self.directory.is_dir():
            self.error(display_path(self.directory), None, "catalogue directory not found")
        else:
            for path in sorted(self.directory.rglob("*.yaml")):
                self.read(path)
            self.check_items()
            self.check_certificate_types()
            self.check_bundles()
            check_case_data(self.parsed, self.known, self.error)
            check_policies(self.parsed, self.known, self.error)
            check_sla(self.parsed, self.known, self.error)
        return self.errors, (None if self.errors else self.build())

    def error(self, file: str, entry: str | None, message: str) -> None:
        self.errors.append(CatalogError(file, entry, message))

    def known(self, section: str, code: str) -> bool:
        return code in self.parsed[section] or code in self.broken[section]

    def read(self, path: Path) -> None:
        file = display_path(path)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
        except yaml.YAMLError as exc:
            self.error(file, None, yaml_problem(exc))
            return
        except UnicodeDecodeError:
            self.error(file, None, "file is not UTF-8 text")
            return
        if data is None:
            return
        if not isinstance(data, dict):
            self.error(file, None, f"top level must be a mapping of sections ({', '.join(SECTIONS)})")
            return
        for section, entries in data.items():
            if section not in SECTIONS:
                self.error(file, None, f"unknown section {section!r} (expected one of: {', '.join(SECTIONS)})")
            elif not isinstance(entries, list):
                self.error(file, None, f"section {section!r} must be a list")
            else:
                for index, raw in enumerate(entries):
                    code = raw.get("code") if isinstance(raw, dict) else None
                    replaced = self.overrides.get((section, code), raw) if isinstance(code, str) else raw
                    self.read_entry(file, section, index, replaced)

    def read_entry(self, file: str, section: str, index: int, raw: Any) -> None:
        label, schema = SECTIONS[section]
        code = raw.get("code") if isinstance(raw, dict) else None
        entry = f"{label} {code}" if isinstance(code, str) else f"{section}[{index}]"
        try:
            spec = schema.model_validate(raw)
        except ValidationError as exc:
            problems = exc.errors()
            for problem in problems:
                if not _echo_of_element_error(problem, problems):
                    self.error(file, entry, schema_problem(problem, raw))
            if isinstance(code, str):
                self.broken[section].add(code)
            if section == "items" and isinstance(raw, dict) and isinstance(raw.get("result_certificate"), str):
                self.broken_results.add(raw["result_certificate"])
            return
        first = self.parsed[section].get(spec.code)
        if first is not None:
            self.error(file, entry, f"duplicate {label} code {spec.code!r} (first defined in {first.file})")
        else:
            self.parsed[section][spec.code] = _Parsed(file, entry, spec)

    def check_items(self) -> None:
        for parsed in self.parsed["items"].values():
            item: ItemIn = parsed.spec
            say = partial(self.error, parsed.file, parsed.entry)
            if not self.known("departments", item.department):
                say(f"department {item.department!r} is not defined")
            for event in item.life_events:
                if not self.known("life_events", event):
                    say(f"life event {event!r} is not defined")
            for what, values in (("delivery method", item.delivery), ("applicant type", item.applicant_types)):
                for value in _repeated(values):
                    say(f"{what} {value!r} is listed twice")
            self.check_limits(item, say)
            self.check_fields(item.fields, say)
            self.check_materials(item.materials, say)
            if item.result_certificate and not self.known("certificate_types", item.result_certificate):
                say(f"result_certificate {item.result_certificate!r} is not a defined certificate type")

    @staticmethod
    def check_limits(item: ItemIn, say: Callable[[str], None]) -> None:
        if item.promised_limit_days > item.legal_limit_days:
            say(f"promised_limit_days {item.promised_limit_days} exceeds legal_limit_days {item.legal_limit_days}")
        if item.instant and item.promised_limit_days != 0:
            say(f"an instant item must have promised_limit_days 0, not {item.promised_limit_days}")
        if not item.instant and item.promised_limit_days == 0:
            say("promised_limit_days 0 is only allowed for an instant item")
        if item.max_visits not in (0, 1):
            say(f"max_visits must be 0 or 1, not {item.max_visits}")

    def check_fields(self, fields: tuple[FieldIn, ...], say: Callable[[str], None]) -> None:
        for key in _repeated(spec.key for spec in fields):
            say(f"duplicate field key {key!r}")
        for spec in fields:
            where = f"field {spec.key}"
            if spec.type == "select" and not spec.options:
                say(f"{where}: a select field needs options")
            if spec.type != "select" and spec.options:
                say(f"{where}: options are only allowed on a select field")
            for value in _repeated(option.value for option in spec.options):
                say(f"{where}: option {value!r} is listed twice")
            if spec.type != "number" and (spec.min is not None or spec.max is not None):
                say(f"{where}: min/max are only allowed on a number field")
            if spec.min is not None and spec.max is not None and spec.min > spec.max:
                say(f"{where}: min {spec.min:g} is greater than max {spec.max:g}")
            if spec.prefill is not None:
                problem = self.prefill_problem(spec.prefill)
                if problem:
                    say(f"{where}: prefill {spec.prefill!r}: {problem}")

    def prefill_problem(self, prefill: str) -> str | None:
        if profile := _PROFILE_PREFILL.match(prefill):
            attr = profile.group(1)
            if attr not in PROFILE_ATTRS:
                return f"unknown profile attribute {attr!r} (known: {', '.join(PROFILE_ATTRS)})"
            return None
        if wallet := _WALLET_PREFILL.match(prefill):
            cert_code, data_key = wallet.groups()
            cert = self.parsed["certificate_types"].get(cert_code)
            if cert is None:
                if cert_code in self.broken["certificate_types"]:
                    return None
                return f"certificate type {cert_code!r} is not defined"
            if data_key not in cert.spec.data_keys:
                return f"data key {data_key!r} is not declared by certificate type {cert_code!r}"
            return None
        if _FAMILY_PREFILL.match(prefill):
            return None
        return (
            "must be 'profile.<attribute>', 'wallet.<certificate type>.<data key>' "
            "or 'family.<spouse|mother|father>.<full_name|id_number>'"
        )

    def check_materials(self, materials: tuple[MaterialIn, ...], say: Callable[[str], None]) -> None:
        for key in _repeated(spec.key for spec in materials):
            say(f"duplicate material key {key!r}")
        for spec in materials:
            if spec.wallet_cert and not self.known("certificate_types", spec.wallet_cert):
                say(f"material {spec.key}: wallet_cert {spec.wallet_cert!r} is not a defined certificate type")
            if spec.holder != "self" and not spec.wallet_cert:
                say(f"material {spec.key}: a {spec.holder}'s material must name its wallet_cert")

    def check_certificate_types(self) -> None:
        issued = {parsed.spec.result_certificate for parsed in self.parsed["items"].values()}
        issued |= self.broken_results
        labelled = self.field_labels().keys() | self.parsed["data_labels"].keys() | self.broken["data_labels"]
        for code, parsed in self.parsed["certificate_types"].items():
            cert: CertificateTypeIn = parsed.spec
            for key in _repeated(cert.data_keys):
                self.error(parsed.file, parsed.entry, f"data key {key!r} is listed twice")
            for key in dict.fromkeys(cert.data_keys):
                if key not in labelled:
                    self.error(
                        parsed.file, parsed.entry, f"data key {key!r} has no label: no field names it, nor data_labels"
                    )
            if not cert.external and code not in issued:
                self.error(
                    parsed.file,
                    parsed.entry,
                    "nothing issues this certificate type: no item has it as result_certificate "
                    "and it is not marked external",
                )

    def check_bundles(self) -> None:
        for parsed in self.parsed["bundles"].values():
            bundle: BundleIn = parsed.spec
            say = partial(self.error, parsed.file, parsed.entry)
            if not self.known("life_events", bundle.life_event):
                say(f"life event {bundle.life_event!r} is not defined")
            for value in _repeated(bundle.applicant_types):
                say(f"applicant type {value!r} is listed twice")
            for code in _repeated(bundle.items):
                say(f"item {code!r} is listed twice")
            for code in bundle.items:
                if not self.known("items", code):
                    say(f"item {code!r} is not defined")
            members = set(bundle.items)
            for code, waits in bundle.depends.items():
                if code not in members:
                    say(f"depends names {code!r}, which is not an item of this bundle")
                for wait in waits:
                    if wait not in members:
                        say(f"depends: {code} waits on {wait!r}, which is not an item of this bundle")
            cycle = _find_cycle(bundle.depends)
            if cycle:
                say(f"dependency cycle: {' -> '.join(cycle)}")
            self.check_shared_fields(bundle, say)

    def check_shared_fields(self, bundle: BundleIn, say: Callable[[str], None]) -> None:
        first: dict[str, tuple[str, FieldIn]] = {}
        for code in dict.fromkeys(bundle.items):
            parsed = self.parsed["items"].get(code)
            for spec in parsed.spec.fields if parsed else ():
                first_code, first_spec = first.setdefault(spec.key, (code, spec))
                if spec.type != first_spec.type:
                    say(f"field {spec.key!r} is {first_spec.type} in {first_code} but {spec.type} in {code}")
                elif _option_values(spec) != _option_values(first_spec):
                    say(f"select field {spec.key!r} has different options in {first_code} and {code}")

    def field_labels(self) -> dict[str, FieldIn]:
        """The first field of any item with each key: a certificate's data key reads as that field does."""
        fields: dict[str, FieldIn] = {}
        for parsed in self.parsed["items"].values():
            for spec in parsed.spec.fields:
                fields.setdefault(spec.key, spec)
        return fields

    def data_labels(self) -> dict[str, DataLabel]:
        labels = {
            key: DataLabel(key, _text(spec.label), spec.type, _options(spec))
            for key, spec in self.field_labels().items()
        }
        for spec in (parsed.spec for parsed in self.parsed["data_labels"].values()):
            labels[spec.code] = DataLabel(spec.code, _text(spec.name), spec.type, _options(spec))
        return labels

    def build(self) -> Catalog:
        def specs(section: str) -> list[Any]:
            return [parsed.spec for parsed in self.parsed[section].values()]

        items = {spec.code: _item(spec) for spec in specs("items")}
        labels = self.data_labels()
        return Catalog(
            departments={d.code: Department(d.code, _text(d.name)) for d in specs("departments")},
            life_events={e.code: LifeEvent(e.code, _text(e.name)) for e in specs("life_events")},
            certificate_types={
                c.code: CertificateType(
                    c.code, _text(c.name), c.external, c.data_keys, tuple(labels[key] for key in c.data_keys)
                )
                for c in specs("certificate_types")
            },
            items=items,
            bundles={
                b.code: Bundle(
                    code=b.code,
                    name=_text(b.name),
                    description=_text(b.description),
                    life_event=b.life_event,
                    applicant_types=b.applicant_types,
                    items=tuple(items[code] for code in b.items),
                    depends=MappingProxyType({code: tuple(waits) for code, waits in b.depends.items()}),
                    keywords=b.keywords,
                )
                for b in specs("bundles")
            },
            **build_case_data(self.parsed),
            policies=build_policies(self.parsed),
            sla=build_sla(self.parsed),
        )


@overload
def _text(text: TextIn) -> Text: ...
@overload
def _text(text: TextIn | None) -> Text | None: ...
def _text(text: TextIn | None) -> Text | None:
    return Text(text.zh, text.en) if text is not None else None


def _options(spec: FieldIn | DataLabelIn) -> tuple[Option, ...]:
    return tuple(Option(o.value, _text(o.label)) for o in spec.options)


def _item(spec: ItemIn) -> Item:
    return Item(
        code=spec.code,
        name=_text(spec.name),
        description=_text(spec.description),
        department=spec.department,
        kind=spec.kind,
        legal_limit_days=spec.legal_limit_days,
        promised_limit_days=spec.promised_limit_days,
        max_visits=spec.max_visits,
        instant=spec.instant,
        fee=spec.fee,
        delivery=spec.delivery,
        applicant_types=spec.applicant_types,
        life_events=spec.life_events,
        keywords=spec.keywords,
        fields=tuple(
            FieldSpec(
                key=f.key,
                type=f.type,
                label=_text(f.label),
                required=f.required,
                help=_text(f.help),
                options=_options(f),
                min=f.min,
                max=f.max,
                prefill=f.prefill,
            )
            for f in spec.fields
        ),
        materials=tuple(
            MaterialSpec(
                key=m.key,
                name=_text(m.name),
                required=m.required,
                core=m.core,
                wallet_cert=m.wallet_cert,
                note=_text(m.note),
                holder=m.holder,
            )
            for m in spec.materials
        ),
        result_certificate=spec.result_certificate,
    )


def _echo_of_element_error(problem: Any, problems: list[Any]) -> bool:
    """Pydantic also calls a list 'too short' once its invalid elements are dropped; that is noise."""
    loc = problem["loc"]
    return problem["type"] == "too_short" and any(
        len(other["loc"]) > len(loc) and other["loc"][: len(loc)] == loc for other in problems
    )


def _option_values(spec: FieldIn) -> tuple[str, ...]:
    return tuple(option.value for option in spec.options)


def _repeated(values: Any) -> list[Any]:
    seen: set[Any] = set()
    repeated: list[Any] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _find_cycle(depends: dict[str, tuple[str, ...]]) -> list[str] | None:
    done: set[str] = set()
    path: list[str] = []

    def visit(code: str) -> list[str] | None:
        path.append(code)
        for wait in depends.get(code, ()):
            if wait in path:
                return path[path.index(wait) :] + [wait]
            if wait not in done:
                cycle = visit(wait)
                if cycle:
                    return cycle
        path.pop()
        done.add(code)
        return None

    for code in depends:
        if code not in done:
            cycle = visit(code)
            if cycle:
                return cycle
    return None
