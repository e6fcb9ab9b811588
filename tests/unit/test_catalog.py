"""The service catalogue: the real Hangzhou data, the bundle arithmetic, and every rule the loader enforces."""

import copy
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from services.catalog import (
    CATALOG_DIR,
    FIELD_TYPES,
    Bundle,
    CatalogError,
    Item,
    Text,
    default_catalog,
    load_catalog,
    validate_catalog,
)
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT

NEWBORN = "BUNDLE-NEWBORN"
STARTUP = "BUNDLE-BUSINESS-STARTUP"
BIRTH_CERTIFICATE = "330100-HEALTH-001"
VACCINATION = "330100-HEALTH-004"
NEWBORN_HUKOU = "330100-PSB-001"
NEWBORN_INSURANCE = "330100-HCSA-001"
NEWBORN_CARD = "330100-HRSS-001"
COMPANY_REGISTRATION = "330100-AMR-001"
TAX_REGISTRATION = "330100-TAX-001"
INVOICES = "330100-TAX-002"


@pytest.fixture(scope="module")
def real():
    return default_catalog()


# --- the real catalogue --------------------------------------------------------------------


def test_the_real_catalogue_loads_without_a_single_error(real):
    assert validate_catalog(CATALOG_DIR) == []
    counts = real.counts()
    assert counts["departments"] >= 10
    assert counts["items"] >= 40
    assert counts["bundles"] >= 6
    assert counts["life_events"] >= 8
    assert counts["certificate_types"] == len(real.certificate_types)


def test_every_name_and_description_is_bilingual(real):
    texts = [d.name for d in real.departments.values()]
    texts += [e.name for e in real.life_events.values()]
    texts += [c.name for c in real.certificate_types.values()]
    for service in real.services():
        texts += [service.name, service.description]
    for item in real.items.values():
        texts += [f.label for f in item.fields] + [m.name for m in item.materials]
        texts += [o.label for f in item.fields for o in f.options]

    def chinese(text):
        return any("\u4e00" <= char <= "\u9fff" for char in text)

    for text in texts:
        assert chinese(text.zh) and text.en.strip() and not chinese(text.en), text


def test_every_department_and_life_event_offers_something(real):
    for code in real.departments:
        # A service item, or a benefit that finds people without one (免申即享); the business-environment
        # office delivers neither: it triages the enterprise requests.
        offers = [*real.items.values(), *real.policies.values()]
        assert code == OFFICE_DEPARTMENT or any(offer.department == code for offer in offers), code
    for code in real.life_events:
        assert real.for_life_event(code), code


def test_item_codes_name_their_department(real):
    for item in real.items.values():
        assert item.code.startswith(f"330100-{item.department}-"), item.code


def test_a_shared_field_key_means_the_same_everywhere(real):
    first: dict[str, tuple[str, object]] = {}
    for item in real.items.values():
        for spec in item.fields:
            options = tuple(o.value for o in spec.options)
            seen_code, seen = first.setdefault(spec.key, (item.code, (spec.type, options)))
            assert (spec.type, options) == seen, f"{spec.key}: {seen_code} vs {item.code}"


def test_the_figures_of_the_reform_can_be_computed(real):
    items = list(real.items.values())
    zero_visit = [item for item in items if item.max_visits == 0]
    assert 0.85 < len(zero_visit) / len(items) < 1
    assert all(item.promised_limit_days <= item.legal_limit_days for item in items)
    assert any(item.fee > 0 for item in items)


def test_most_items_issue_a_certificate_and_external_types_exist(real):
    issuing = [item for item in real.items.values() if item.result_certificate]
    assert len(issuing) > len(real.items) * 0.75
    external = {c.code for c in real.certificate_types.values() if c.external}
    assert {"id_card", "hukou_booklet", "marriage_certificate", "degree_certificate"} <= external
    assert [i.code for i in real.issuers("business_licence")] == ["330100-AMR-001", "330100-AMR-002", "330100-AMR-004"]


def test_an_item_looks_like_a_one_item_bundle(real):
    item = real.service(BIRTH_CERTIFICATE)
    assert isinstance(item, Item) and not item.is_bundle
    assert item.item_codes == (BIRTH_CERTIFICATE,)
    assert item.departments == ("HEALTH",)
    assert dict(item.depends) == {}
    assert isinstance(item.fee, Decimal)


def test_service_looks_up_bundles_and_items_and_rejects_unknown_codes(real):
    assert real.service(NEWBORN).is_bundle
    assert real.service(NEWBORN_HUKOU).code == NEWBORN_HUKOU
    with pytest.raises(KeyError):
        real.service("330100-PSB-999")
    services = real.services()
    assert services[: len(real.bundles)] == list(real.bundles.values())
    assert len(services) == len(real.bundles) + len(real.items)


# --- bundles ---------------------------------------------------------------------------------


def test_newborn_bundle_asks_a_shared_field_once(real):
    bundle = real.bundles[NEWBORN]
    assert isinstance(bundle, Bundle) and bundle.is_bundle
    keys = [spec.key for spec in bundle.fields]
    assert len(keys) == len(set(keys))
    asking_child_name = [
        code for code in bundle.item_codes if any(f.key == "child_name" for f in real.items[code].fields)
    ]
    assert len(asking_child_name) >= 3
    assert keys.count("child_name") == 1
    assert {"child_name", "child_birth_date", "mother_id_number", "hukou_address"} <= set(keys)


def test_newborn_bundle_merges_materials(real):
    bundle = real.bundles[NEWBORN]
    materials = {m.key: m for m in bundle.materials}
    assert len(materials) == len(bundle.materials)
    assert materials["applicant_id_card"].wallet_cert == "id_card"
    assert materials["hukou_booklet"].required
    assert not materials["marriage_certificate"].required
    assert not materials["marriage_certificate"].core


def test_newborn_hukou_waits_on_the_birth_certificate(real):
    bundle = real.bundles[NEWBORN]
    assert bundle.depends[NEWBORN_HUKOU] == (BIRTH_CERTIFICATE,)
    assert bundle.depends[NEWBORN_INSURANCE] == (NEWBORN_HUKOU,)
    assert bundle.depends[NEWBORN_CARD] == (NEWBORN_HUKOU,)
    assert bundle.upstream(NEWBORN_CARD) == (BIRTH_CERTIFICATE, NEWBORN_HUKOU)
    assert bundle.upstream(BIRTH_CERTIFICATE) == ()
    assert bundle.departments == ("HEALTH", "PSB", "HCSA", "HRSS")
    assert bundle.life_events == ("birth",)


def test_what_an_upstream_item_issues_is_not_asked_again(real):
    bundle = real.bundles[NEWBORN]
    assert bundle.upstream_certificates(NEWBORN_CARD) == {"birth_medical_certificate", "hukou_registration"}
    # The child's ID number only exists once the hukou item is decided.
    assert any(f.key == "child_id_number" for f in real.items[NEWBORN_CARD].fields)
    assert "child_id_number" not in {f.key for f in bundle.fields}
    assert "birth_medical_certificate" not in {m.key for m in bundle.materials}
    assert "hukou_registration" not in {m.key for m in bundle.materials}


def test_a_shared_field_or_material_keeps_the_strictest_setting(real):
    birth, vaccination = real.items[BIRTH_CERTIFICATE], real.items[VACCINATION]
    lenient = replace(
        birth,
        fields=tuple(replace(f, required=False) for f in birth.fields),
        materials=tuple(replace(m, core=False) for m in birth.materials),
    )
    bundle = Bundle(
        code="BUNDLE-X",
        name=Text("测试", "Test"),
        description=Text("测试", "Test"),
        life_event="birth",
        applicant_types=("citizen",),
        items=(lenient, vaccination),
        depends={},
    )
    fields = {f.key: f for f in bundle.fields}
    assert fields["child_name"].required, "the vaccination item requires it"
    assert not fields["mother_name"].required
    materials = {m.key: m for m in bundle.materials}
    assert materials["applicant_id_card"].core
    assert not materials["spouse_id_card"].required
    assert bundle.promised_limit_days == max(birth.promised_limit_days, vaccination.promised_limit_days)


def test_startup_tax_waits_on_the_business_licence(real):
    bundle = real.bundles[STARTUP]
    assert COMPANY_REGISTRATION in bundle.depends[TAX_REGISTRATION]
    assert bundle.depends[INVOICES] == (TAX_REGISTRATION,)
    for code in bundle.item_codes[1:]:
        assert COMPANY_REGISTRATION in bundle.upstream(code)
    keys = {f.key for f in bundle.fields}
    assert "company_name" in keys
    assert "credit_code" not in keys, "the credit code comes from the licence the bundle issues"


def test_bundle_time_limits_follow_the_critical_path(real):
    newborn = real.bundles[NEWBORN]
    days = {code: real.items[code].promised_limit_days for code in newborn.item_codes}
    expected = days[BIRTH_CERTIFICATE] + days[NEWBORN_HUKOU] + max(days[NEWBORN_INSURANCE], days[NEWBORN_CARD])
    assert newborn.promised_limit_days == max(expected, days[VACCINATION])
    after_death = real.bundles["BUNDLE-AFTER-DEATH"]
    assert after_death.promised_limit_days < sum(i.promised_limit_days for i in after_death.items)
    legal = {code: real.items[code].legal_limit_days for code in newborn.item_codes}
    assert newborn.legal_limit_days == (
        legal[BIRTH_CERTIFICATE] + legal[NEWBORN_HUKOU] + max(legal[NEWBORN_INSURANCE], legal[NEWBORN_CARD])
    )
    for bundle in real.bundles.values():
        assert max(i.promised_limit_days for i in bundle.items) <= bundle.promised_limit_days
        assert bundle.promised_limit_days <= sum(i.promised_limit_days for i in bundle.items)
        assert bundle.promised_limit_days <= bundle.legal_limit_days


def test_bundle_visits_fee_instant_and_delivery_combine_their_items(real):
    for bundle in real.bundles.values():
        assert bundle.max_visits == max(i.max_visits for i in bundle.items)
        assert bundle.fee == sum(i.fee for i in bundle.items)
        assert bundle.instant == all(i.instant for i in bundle.items)
        assert set(bundle.delivery) == {d for i in bundle.items for d in i.delivery}
    assert real.bundles["BUNDLE-MARRIAGE"].max_visits == 1
    assert real.bundles["BUNDLE-NEW-HIRE"].instant
    assert not real.bundles[NEWBORN].instant


def test_bundle_item_lookup(real):
    bundle = real.bundles[NEWBORN]
    assert bundle.item(NEWBORN_HUKOU) is real.items[NEWBORN_HUKOU]
    with pytest.raises(KeyError):
        bundle.item(COMPANY_REGISTRATION)


# --- browsing and search -------------------------------------------------------------------


def test_search_finds_by_chinese_name(real):
    found = [s.code for s in real.search("出生")]
    assert found[0] == NEWBORN
    assert BIRTH_CERTIFICATE in found and NEWBORN_HUKOU in found
    assert COMPANY_REGISTRATION in [s.code for s in real.search("营业执照")]


def test_search_finds_by_english_name_case_insensitively(real):
    assert BIRTH_CERTIFICATE in [s.code for s in real.search("Birth Medical")]
    assert [s.code for s in real.search("SECOND-HAND HOME")][0] == "BUNDLE-HOME-TRANSFER"
    assert "330100-PSB-006" in [s.code for s in real.search("driving licence renewal")]


def test_search_finds_by_keyword_and_code(real):
    assert "330100-PSB-003" in [s.code for s in real.search("chop")]
    assert [s.code for s in real.search("330100-psb-004")] == ["330100-PSB-004"]


def test_search_puts_bundles_first_and_ignores_an_empty_query(real):
    results = real.search("公积金")
    kinds = [s.is_bundle for s in results]
    assert kinds == sorted(kinds, reverse=True)
    assert real.search("") == [] and real.search("   ") == []
    assert real.search("没有这个事项") == []


def test_browse_by_life_event_and_department(real):
    birth = real.for_life_event("birth")
    assert birth[0].code == NEWBORN
    assert all("birth" in s.life_events for s in birth)
    psb = real.for_department("PSB")
    assert {s.code for s in psb if not s.is_bundle} == {c for c, i in real.items.items() if i.department == "PSB"}
    assert NEWBORN in [s.code for s in psb] and STARTUP in [s.code for s in psb]
    assert real.for_life_event("nothing") == []


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Birth"),
        ("en_US", "Birth"),
        ("EN-gb", "Birth"),
        ("zh", "出生"),
        ("zh_CN", "出生"),
        ("", "出生"),
    ],
)
def test_text_picks_the_language_of_the_locale(locale, expected):
    assert Text("出生", "Birth").get(locale) == expected


# --- broken catalogues ----------------------------------------------------------------------

A = "330100-HEALTH-001"
B = "330100-PSB-001"


def _text(zh, en):
    return {"zh": zh, "en": en}


def _item(code, department, *, result, fields, materials):
    return {
        "code": code,
        "name": _text(f"事项{code}", f"Item {code}"),
        "description": _text("说明", "What it gives you"),
        "department": department,
        "kind": "confirmation",
        "legal_limit_days": 10,
        "promised_limit_days": 2,
        "max_visits": 0,
        "instant": False,
        "delivery": ["e_certificate"],
        "applicant_types": ["citizen"],
        "life_events": ["birth"],
        "fields": fields,
        "materials": materials,
        "result_certificate": result,
    }


CHILD_NAME = {"key": "child_name", "type": "text", "label": _text("姓名", "Name")}


def minimal():
    """The smallest catalogue using every section; each broken case changes one thing in it."""
    return {
        "departments": [
            {"code": "HEALTH", "name": _text("卫生健康委", "Health Commission")},
            {"code": "PSB", "name": _text("公安局", "Public Security Bureau")},
        ],
        "life_events": [{"code": "birth", "name": _text("出生", "Birth")}],
        "certificate_types": [
            {
                "code": "id_card",
                "name": _text("身份证", "ID card"),
                "external": True,
                "data_keys": ["full_name", "id_number"],
            },
            {
                "code": "birth_medical_certificate",
                "name": _text("出生医学证明", "Birth certificate"),
                "data_keys": ["child_name"],
            },
            {
                "code": "hukou_registration",
                "name": _text("户口登记", "Hukou record"),
                "data_keys": ["child_name", "child_id_number"],
            },
        ],
        "data_labels": [
            {"code": "full_name", "name": _text("姓名", "Full name")},
            {"code": "id_number", "name": _text("公民身份号码", "ID number"), "type": "id_number"},
            {"code": "child_id_number", "name": _text("子女身份号码", "Child's ID number"), "type": "id_number"},
        ],
        "items": [
            _item(
                A,
                "HEALTH",
                result="birth_medical_certificate",
                fields=[copy.deepcopy(CHILD_NAME)],
                materials=[{"key": "applicant_id_card", "name": _text("身份证", "ID card"), "wallet_cert": "id_card"}],
            ),
            _item(
                B,
                "PSB",
                result="hukou_registration",
                fields=[{**CHILD_NAME, "prefill": "wallet.birth_medical_certificate.child_name"}],
                materials=[
                    {
                        "key": "birth_certificate",
                        "name": _text("出生证", "Birth certificate"),
                        "wallet_cert": "birth_medical_certificate",
                    }
                ],
            ),
        ],
        "bundles": [
            {
                "code": "BUNDLE-TEST",
                "name": _text("测试一件事", "Test bundle"),
                "description": _text("说明", "Description"),
                "life_event": "birth",
                "applicant_types": ["citizen"],
                "items": [A, B],
                "depends": {B: [A]},
            }
        ],
    }


def _write(directory: Path, data, name="catalog.yaml") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _node(data, path):
    for step in path:
        data = data[step]
    return data


def setting(*path, value):
    def mutate(data):
        _node(data, path[:-1])[path[-1]] = copy.deepcopy(value)

    return mutate


def deleting(*path):
    def mutate(data):
        del _node(data, path[:-1])[path[-1]]

    return mutate


def appending(*path, value):
    def mutate(data):
        _node(data, path).append(copy.deepcopy(value))

    return mutate


def test_a_certificate_reads_with_the_labels_of_its_fields_and_of_data_labels(tmp_path):
    _write(tmp_path, minimal())
    labels = load_catalog(tmp_path).certificate_types["hukou_registration"].labels
    assert [(label.key, label.label.en, label.type) for label in labels] == [
        ("child_name", "Name", "text"),  # the field's label
        ("child_id_number", "Child's ID number", "id_number"),
    ]


def test_the_minimal_catalogue_loads(tmp_path):
    _write(tmp_path, minimal())
    catalog = load_catalog(tmp_path)
    assert catalog.counts() == {
        "departments": 2,
        "items": 2,
        "bundles": 1,
        "life_events": 1,
        "certificate_types": 3,
        "request_categories": 0,
        "dispute_kinds": 0,
        "dispute_routes": 0,
        "centres": 0,
        "policies": 0,
    }
    bundle = catalog.bundles["BUNDLE-TEST"]
    assert [f.key for f in bundle.fields] == ["child_name"]
    assert [m.key for m in bundle.materials] == ["applicant_id_card"]
    assert bundle.promised_limit_days == 4
    assert validate_catalog(tmp_path) == []


BROKEN = [
    pytest.param(deleting("items", 0, "department"), f"item {A}", "missing key 'department'", id="missing-key"),
    pytest.param(
        setting("items", 0, "legal_limit_days", value="ten"), f"item {A}", "legal_limit_days: ", id="wrong-type"
    ),
    pytest.param(setting("items", 0, "fee", value=-5), f"item {A}", "fee: ", id="negative-fee"),
    pytest.param(setting("items", 0, "colour", value="red"), f"item {A}", "unknown key 'colour'", id="unknown-key"),
    pytest.param(
        setting("items", 0, "fields", 0, "colour", value="red"),
        f"item {A}",
        "fields[child_name]: unknown key 'colour'",
        id="unknown-key-in-field",
    ),
    pytest.param(
        setting("items", 0, "delivery", value=["email"]),
        f"item {A}",
        "delivery[0]: 'email' is not one of",
        id="unknown-delivery",
    ),
    pytest.param(
        setting("items", 0, "delivery", value=[]), f"item {A}", "delivery: must list at least 1", id="empty-delivery"
    ),
    pytest.param(
        setting("items", 0, "department", value="PSX"),
        f"item {A}",
        "department 'PSX' is not defined",
        id="unknown-department",
    ),
    pytest.param(setting("items", 1, "code", value=A), f"item {A}", "duplicate item code", id="duplicate-item"),
    pytest.param(
        appending("bundles", value=minimal()["bundles"][0]),
        "bundle BUNDLE-TEST",
        "duplicate bundle code",
        id="duplicate-bundle",
    ),
    pytest.param(
        appending("departments", value={"code": "PSB", "name": _text("公安", "Police")}),
        "department PSB",
        "duplicate department code",
        id="duplicate-department",
    ),
    pytest.param(
        appending("certificate_types", value=minimal()["certificate_types"][0]),
        "certificate type id_card",
        "duplicate certificate type code",
        id="duplicate-certificate-type",
    ),
    pytest.param(
        appending("items", 0, "fields", value=CHILD_NAME),
        f"item {A}",
        "duplicate field key 'child_name'",
        id="duplicate-field-key",
    ),
    pytest.param(
        appending("items", 1, "materials", value={"key": "birth_certificate", "name": _text("证", "Cert")}),
        f"item {B}",
        "duplicate material key 'birth_certificate'",
        id="duplicate-material-key",
    ),
    pytest.param(
        setting("items", 0, "life_events", value=["birth", "wedding"]),
        f"item {A}",
        "life event 'wedding' is not defined",
        id="unknown-life-event",
    ),
    pytest.param(
        setting("items", 0, "fields", 0, "type", value="txt"),
        f"item {A}",
        "fields[child_name].type: 'txt' is not one of",
        id="unknown-field-type",
    ),
    pytest.param(
        setting("items", 0, "fields", 0, "type", value="select"),
        f"item {A}",
        "field child_name: a select field needs options",
        id="select-without-options",
    ),
    pytest.param(
        setting("items", 0, "fields", 0, "options", value=[{"value": "a", "label": _text("甲", "A")}]),
        f"item {A}",
        "options are only allowed on a select field",
        id="options-on-text",
    ),
    pytest.param(
        setting("items", 0, "fields", 0, "min", value=1),
        f"item {A}",
        "min/max are only allowed on a number field",
        id="min-on-text",
    ),
    pytest.param(
        setting("items", 0, "fields", 0, "prefill", value="profile.nickname"),
        f"item {A}",
        "unknown profile attribute 'nickname'",
        id="prefill-unknown-profile-attr",
    ),
    pytest.param(
        setting("items", 0, "fields", 0, "prefill", value="wallet.passport.child_name"),
        f"item {A}",
        "certificate type 'passport' is not defined",
        id="prefill-unknown-certificate-type",
    ),
    pytest.param(
        setting("items", 0, "fields", 0, "prefill", value="wallet.birth_medical_certificate.weight"),
        f"item {A}",
        "data key 'weight' is not declared by certificate type 'birth_medical_certificate'",
        id="prefill-undeclared-data-key",
    ),
    pytest.param(
        setting("items", 0, "fields", 0, "prefill", value="child_name"),
        f"item {A}",
        "must be 'profile.<attribute>', 'wallet.<certificate type>.<data key>' or 'family.",
        id="prefill-malformed",
    ),
    pytest.param(
        setting("items", 0, "promised_limit_days", value=20),
        f"item {A}",
        "promised_limit_days 20 exceeds legal_limit_days 10",
        id="promised-over-legal",
    ),
    pytest.param(
        setting("items", 0, "instant", value=True),
        f"item {A}",
        "an instant item must have promised_limit_days 0",
        id="instant-with-days",
    ),
    pytest.param(
        setting("items", 0, "promised_limit_days", value=0),
        f"item {A}",
        "promised_limit_days 0 is only allowed for an instant item",
        id="zero-days-not-instant",
    ),
    pytest.param(
        setting("items", 0, "max_visits", value=2), f"item {A}", "max_visits must be 0 or 1, not 2", id="max-visits"
    ),
    pytest.param(
        setting("items", 1, "materials", 0, "wallet_cert", value="birth_cert"),
        f"item {B}",
        "material birth_certificate: wallet_cert 'birth_cert' is not a defined certificate type",
        id="material-unknown-wallet-cert",
    ),
    pytest.param(
        setting("items", 0, "result_certificate", value="birth_cert"),
        f"item {A}",
        "result_certificate 'birth_cert' is not a defined certificate type",
        id="unknown-result-certificate",
    ),
    pytest.param(
        appending("certificate_types", value={"code": "passport", "name": _text("护照", "Passport")}),
        "certificate type passport",
        "nothing issues this certificate type",
        id="certificate-nothing-issues",
    ),
    pytest.param(
        appending("certificate_types", 0, "data_keys", value="valid_until"),
        "certificate type id_card",
        "data key 'valid_until' has no label",
        id="certificate-data-key-unlabelled",
    ),
    pytest.param(
        appending("bundles", 0, "items", value="330100-PSB-999"),
        "bundle BUNDLE-TEST",
        "item '330100-PSB-999' is not defined",
        id="bundle-unknown-item",
    ),
    pytest.param(
        setting("bundles", 0, "life_event", value="wedding"),
        "bundle BUNDLE-TEST",
        "life event 'wedding' is not defined",
        id="bundle-unknown-life-event",
    ),
    pytest.param(
        setting("bundles", 0, "depends", value={"330100-PSB-002": [A]}),
        "bundle BUNDLE-TEST",
        "depends names '330100-PSB-002', which is not an item of this bundle",
        id="depends-outside-key",
    ),
    pytest.param(
        setting("bundles", 0, "depends", value={B: ["330100-PSB-002"]}),
        "bundle BUNDLE-TEST",
        f"{B} waits on '330100-PSB-002', which is not an item of this bundle",
        id="depends-outside-value",
    ),
    pytest.param(
        setting("bundles", 0, "depends", value={A: [B], B: [A]}),
        "bundle BUNDLE-TEST",
        f"dependency cycle: {A} -> {B} -> {A}",
        id="dependency-cycle",
    ),
    pytest.param(
        setting("bundles", 0, "depends", value={A: [A]}),
        "bundle BUNDLE-TEST",
        f"dependency cycle: {A} -> {A}",
        id="self-dependency",
    ),
    pytest.param(
        setting("items", 1, "fields", 0, "type", value="date"),
        "bundle BUNDLE-TEST",
        f"field 'child_name' is text in {A} but date in {B}",
        id="bundle-field-type-clash",
    ),
]


@pytest.mark.parametrize(("mutate", "entry", "message"), BROKEN)
def test_a_broken_catalogue_names_the_file_and_the_entry(tmp_path, mutate, entry, message):
    data = minimal()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    error = caught.value
    assert isinstance(error, ValueError)
    assert Path(error.file).resolve() == path.resolve()
    assert error.entry == entry
    assert message in error.message
    assert str(error) == f"{error.file}: {entry}: {error.message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("items: [\n  - code: x\n", "invalid YAML at line", id="yaml-syntax"),
        pytest.param("departments: []\ndepartments: []\n", "duplicate key 'departments'", id="yaml-duplicate-key"),
        pytest.param("itemz: []\n", "unknown section 'itemz'", id="unknown-section"),
        pytest.param("items: {code: x}\n", "section 'items' must be a list", id="section-not-a-list"),
        pytest.param("- departments\n", "top level must be a mapping", id="top-level-list"),
    ],
)
def test_a_broken_file_is_named(tmp_path, text, message):
    path = _write(tmp_path, text, name="broken.yaml")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert Path(caught.value.file).resolve() == path.resolve()
    assert caught.value.entry is None
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{caught.value.file}: ")


def test_an_entry_without_a_code_is_named_by_its_position(tmp_path):
    data = minimal()
    del data["departments"][1]["code"]
    _write(tmp_path, data)
    error = validate_catalog(tmp_path)[0]
    assert error.entry == "departments[1]"
    assert error.message == "missing key 'code'"


def test_sections_may_be_spread_over_nested_files(tmp_path):
    data = minimal()
    items = data.pop("items")
    _write(tmp_path, data, name="base.yaml")
    _write(tmp_path, {"items": items[:1]}, name="items/health.yaml")
    _write(tmp_path, {"items": items[1:]}, name="items/deeper/psb.yaml")
    assert set(load_catalog(tmp_path).items) == {A, B}


def test_a_duplicate_across_files_names_the_second_file_and_the_first(tmp_path):
    data = minimal()
    first = _write(tmp_path, data, name="a.yaml")
    second = _write(tmp_path, {"departments": [data["departments"][0]]}, name="b.yaml")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert Path(caught.value.file).resolve() == second.resolve()
    assert caught.value.entry == "department HEALTH"
    assert str(first) in caught.value.message


def test_validate_collects_every_error_and_load_raises_the_first(tmp_path):
    data = minimal()
    data["items"][0]["department"] = "PSX"
    data["items"][1]["max_visits"] = 3
    data["bundles"][0]["depends"] = {A: [B], B: [A]}
    _write(tmp_path, data)
    errors = validate_catalog(tmp_path)
    assert [(e.entry, e.message) for e in errors] == [
        (f"item {A}", "department 'PSX' is not defined"),
        (f"item {B}", "max_visits must be 0 or 1, not 3"),
        ("bundle BUNDLE-TEST", f"dependency cycle: {A} -> {B} -> {A}"),
    ]
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == str(errors[0])


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        pytest.param(("kind",), "permit", "kind: 'permit' is not one of", id="bad-kind"),
        pytest.param(("delivery",), ["email"], "delivery[0]: 'email' is not one of", id="bad-delivery"),
    ],
)
def test_an_entry_that_fails_its_schema_is_reported_once(tmp_path, path, value, message):
    data = minimal()
    setting("items", 0, *path, value=value)(data)
    _write(tmp_path, data)
    errors = validate_catalog(tmp_path)
    assert [e.message for e in errors if not e.message.startswith(message)] == []
    assert len(errors) == 1


def test_a_missing_directory_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="catalogue directory not found"):
        load_catalog(tmp_path / "nowhere")


def test_field_types_are_the_documented_ones():
    assert FIELD_TYPES == ("text", "date", "number", "select", "id_number", "phone", "address", "credit_code")
