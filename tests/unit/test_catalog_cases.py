"""The catalogue data of enterprise requests and dispute mediation: the shipped data, and every rule on it."""

import copy
from pathlib import Path

import pytest
import yaml

from services.catalog import CATALOG_DIR, CatalogError, default_catalog, load_catalog, validate_catalog


@pytest.fixture(scope="module")
def real():
    return default_catalog()


# --- the shipped data -----------------------------------------------------------------------


def test_the_shipped_case_data_passes_the_check(real):
    assert validate_catalog(CATALOG_DIR) == []
    assert set(real.request_categories) == {
        "policy_question",
        "approval_stuck",
        "land_utilities",
        "finance",
        "talent",
        "export",
        "other",
    }
    assert set(real.dispute_kinds) == {
        "neighbour",
        "family",
        "labour",
        "consumer",
        "property_management",
        "traffic",
        "contract",
    }
    assert set(real.dispute_routes) == {
        "people_mediation",
        "labour_arbitration",
        "court_mediation",
        "petition",
        "joint_session",
    }


def test_request_categories_promise_working_days_and_lead_departments_of_the_catalogue(real):
    land = real.request_categories["land_utilities"]
    assert land.name.zh == "用地与水电气" and land.name.en == "Land and utilities"
    assert land.answer_working_days == 10
    assert land.lead_departments == ("NRPB", "HOUSING", "URBAN")
    # A policy question has no default lead: the business-environment office picks one at triage.
    assert real.request_categories["policy_question"].lead_departments == ()
    for category in real.request_categories.values():
        assert category.answer_working_days > 0
        assert set(category.lead_departments) <= set(real.departments)


def test_dispute_kinds_carry_their_legal_limit_in_calendar_or_working_days(real):
    limits = {code: (kind.legal_limit_days, kind.day_count) for code, kind in real.dispute_kinds.items()}
    assert limits["neighbour"] == (30, "calendar")
    assert limits["labour"] == (45, "calendar")
    assert limits["consumer"] == (45, "working")
    assert real.dispute_kinds["labour"].routes[0] == "labour_arbitration"
    for kind in real.dispute_kinds.values():
        assert set(kind.routes) <= set(real.dispute_routes)


def test_the_centres_form_one_tree_of_four_levels_over_every_district_of_hangzhou(real):
    centres = real.centres
    by_level = {level: [c for c in centres.values() if c.level == level] for level in ("province", "city", "county")}
    assert [c.code for c in by_level["province"]] == ["ZJ"]
    assert [c.code for c in by_level["city"]] == ["HZ"] and centres["HZ"].parent == "ZJ"
    assert len(by_level["county"]) == 13 and all(c.parent == "HZ" for c in by_level["county"])
    xixi = centres["HZ_XIHU_XIXI"]
    assert (xixi.level, xixi.parent) == ("township", "HZ_XIHU")
    assert xixi.name.zh == "西湖区西溪街道社会治理中心"
    # Every route a dispute kind allows is hosted at a county centre, the one that receives most disputes.
    allowed = {route for kind in real.dispute_kinds.values() for route in kind.routes}
    assert allowed <= set(centres["HZ_XIHU"].routes)


def test_every_name_of_the_case_data_is_bilingual(real):
    texts = [c.name for c in real.request_categories.values()]
    texts += [k.name for k in real.dispute_kinds.values()]
    texts += [r.name for r in real.dispute_routes.values()]
    texts += [c.name for c in real.centres.values()]

    def chinese(text):
        return any("\u4e00" <= char <= "\u9fff" for char in text)

    for text in texts:
        assert chinese(text.zh) and text.en.strip() and not chinese(text.en), text


# --- broken data ----------------------------------------------------------------------------


def _text(zh, en):
    return {"zh": zh, "en": en}


def minimal():
    """A department and the smallest case data using every section; each broken case changes one thing."""
    return {
        "departments": [{"code": "HRSS", "name": _text("人社局", "Human Resources Bureau")}],
        "request_categories": [
            {
                "code": "talent",
                "name": _text("人才", "Talent"),
                "answer_working_days": 7,
                "lead_departments": ["HRSS"],
            }
        ],
        "dispute_routes": [
            {"code": "people_mediation", "name": _text("人民调解", "People's mediation")},
            {"code": "labour_arbitration", "name": _text("劳动仲裁", "Labour arbitration")},
        ],
        "dispute_kinds": [
            {
                "code": "labour",
                "name": _text("劳动争议", "Labour dispute"),
                "legal_limit_days": 45,
                "day_count": "calendar",
                "routes": ["labour_arbitration", "people_mediation"],
            }
        ],
        "centres": [
            {
                "code": "ZJ",
                "name": _text("省中心", "Province centre"),
                "level": "province",
                "routes": ["people_mediation"],
            },
            {
                "code": "HZ",
                "name": _text("市中心", "City centre"),
                "level": "city",
                "parent": "ZJ",
                "routes": ["people_mediation", "labour_arbitration"],
            },
            {
                "code": "HZ_XIHU",
                "name": _text("区中心", "County centre"),
                "level": "county",
                "parent": "HZ",
                "routes": ["people_mediation"],
            },
            {
                "code": "HZ_XIHU_XIXI",
                "name": _text("街道中心", "Township centre"),
                "level": "township",
                "parent": "HZ_XIHU",
                "routes": ["people_mediation"],
            },
        ],
    }


def _write(directory: Path, data, name="cases.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def setting(section, index, key, value):
    def mutate(data):
        data[section][index][key] = copy.deepcopy(value)

    return mutate


def deleting(section, index, *path):
    def mutate(data):
        node = data[section][index]
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return mutate


def appending(section, value):
    def mutate(data):
        data[section].append(copy.deepcopy(value))

    return mutate


def test_the_minimal_case_data_loads(tmp_path):
    _write(tmp_path, minimal())
    catalog = load_catalog(tmp_path)
    assert catalog.request_categories["talent"].lead_departments == ("HRSS",)
    assert catalog.dispute_kinds["labour"].routes == ("labour_arbitration", "people_mediation")
    assert catalog.dispute_routes["people_mediation"].name.en == "People's mediation"
    assert [(c.code, c.parent) for c in catalog.centres.values()] == [
        ("ZJ", None),
        ("HZ", "ZJ"),
        ("HZ_XIHU", "HZ"),
        ("HZ_XIHU_XIXI", "HZ_XIHU"),
    ]
    counts = catalog.counts()
    assert (counts["request_categories"], counts["dispute_kinds"], counts["dispute_routes"], counts["centres"]) == (
        1,
        1,
        2,
        4,
    )


BROKEN = [
    pytest.param(
        setting("request_categories", 0, "lead_departments", ["HRSS", "LAND"]),
        "request category talent",
        "lead department 'LAND' is not defined",
        id="unknown-lead-department",
    ),
    pytest.param(
        setting("request_categories", 0, "lead_departments", ["HRSS", "HRSS"]),
        "request category talent",
        "lead department 'HRSS' is listed twice",
        id="lead-department-twice",
    ),
    pytest.param(
        setting("request_categories", 0, "answer_working_days", 0),
        "request category talent",
        "answer_working_days: Input should be greater than 0 (got 0)",
        id="no-answer-days",
    ),
    pytest.param(
        deleting("request_categories", 0, "name", "en"),
        "request category talent",
        "name: missing key 'en'",
        id="category-missing-translation",
    ),
    pytest.param(
        appending("request_categories", {"code": "talent", "name": _text("人才", "Talent"), "answer_working_days": 3}),
        "request category talent",
        "duplicate request category code 'talent'",
        id="duplicate-category",
    ),
    pytest.param(
        setting("dispute_kinds", 0, "routes", ["labour_arbitration", "arbitration_court"]),
        "dispute kind labour",
        "route 'arbitration_court' is not defined",
        id="kind-unknown-route",
    ),
    pytest.param(
        setting("dispute_kinds", 0, "routes", ["people_mediation", "people_mediation"]),
        "dispute kind labour",
        "route 'people_mediation' is listed twice",
        id="kind-route-twice",
    ),
    pytest.param(
        setting("dispute_kinds", 0, "routes", []),
        "dispute kind labour",
        "routes: must list at least 1",
        id="kind-without-route",
    ),
    pytest.param(
        setting("dispute_kinds", 0, "legal_limit_days", -30),
        "dispute kind labour",
        "legal_limit_days: Input should be greater than 0 (got -30)",
        id="negative-legal-limit",
    ),
    pytest.param(
        setting("dispute_kinds", 0, "day_count", "weekdays"),
        "dispute kind labour",
        "day_count: 'weekdays' is not one of 'calendar' or 'working'",
        id="unknown-day-count",
    ),
    pytest.param(
        deleting("dispute_kinds", 0, "name", "zh"),
        "dispute kind labour",
        "name: missing key 'zh'",
        id="kind-missing-translation",
    ),
    pytest.param(
        appending("dispute_routes", {"code": "people_mediation", "name": _text("调解", "Mediation")}),
        "dispute route people_mediation",
        "duplicate dispute route code 'people_mediation'",
        id="duplicate-route",
    ),
    pytest.param(
        setting("centres", 3, "parent", "HZ"),
        "centre HZ_XIHU_XIXI",
        "parent 'HZ' is a city centre; a township centre's parent is a county centre",
        id="parent-two-levels-up",
    ),
    pytest.param(
        setting("centres", 2, "parent", "HZ_XIHU_XIXI"),
        "centre HZ_XIHU",
        "parent 'HZ_XIHU_XIXI' is a township centre; a county centre's parent is a city centre",
        id="parent-below",
    ),
    pytest.param(
        setting("centres", 1, "parent", "SH"),
        "centre HZ",
        "parent 'SH' is not defined",
        id="unknown-parent",
    ),
    pytest.param(
        deleting("centres", 2, "parent"),
        "centre HZ_XIHU",
        "a county centre needs a parent (a city centre)",
        id="missing-parent",
    ),
    pytest.param(
        setting("centres", 0, "parent", "HZ"),
        "centre ZJ",
        "a province centre has no parent, not 'HZ'",
        id="province-with-parent",
    ),
    pytest.param(
        setting("centres", 1, "level", "district"),
        "centre HZ",
        "level: 'district' is not one of",
        id="unknown-level",
    ),
    pytest.param(
        setting("centres", 3, "routes", ["people_mediation", "petition"]),
        "centre HZ_XIHU_XIXI",
        "route 'petition' is not defined",
        id="centre-unknown-route",
    ),
    pytest.param(
        appending(
            "centres",
            {"code": "ZJ", "name": _text("省", "Province"), "level": "province", "routes": ["people_mediation"]},
        ),
        "centre ZJ",
        "duplicate centre code 'ZJ'",
        id="duplicate-centre",
    ),
]


@pytest.mark.parametrize(("mutate", "entry", "message"), BROKEN)
def test_broken_case_data_names_the_file_and_the_entry(tmp_path, mutate, entry, message):
    data = minimal()
    mutate(data)
    path = _write(tmp_path, data)
    errors = validate_catalog(tmp_path)
    assert len(errors) == 1, errors
    error = errors[0]
    assert isinstance(error, CatalogError)
    assert Path(error.file).resolve() == path.resolve()
    assert error.entry == entry
    assert message in error.message
    assert str(error) == f"{error.file}: {entry}: {error.message}"


def test_a_centre_whose_parent_failed_its_schema_is_not_reported_again(tmp_path):
    data = minimal()
    data["centres"][2]["level"] = "district"
    _write(tmp_path, data)
    assert [(e.entry, e.message.split(":")[0]) for e in validate_catalog(tmp_path)] == [("centre HZ_XIHU", "level")]


def test_a_broken_copy_of_the_shipped_data_names_its_file(tmp_path):
    shipped = yaml.safe_load((CATALOG_DIR / "disputes.yaml").read_text(encoding="utf-8"))
    shipped["dispute_kinds"][0]["routes"].append("mediation_by_the_moon")
    catalog = tmp_path / "catalog"
    for path in CATALOG_DIR.rglob("*.yaml"):
        target = catalog / path.relative_to(CATALOG_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    _write(catalog, shipped, name="disputes.yaml")
    errors = validate_catalog(catalog)
    assert [(Path(e.file).name, e.entry, e.message) for e in errors] == [
        ("disputes.yaml", "dispute kind neighbour", "route 'mediation_by_the_moon' is not defined")
    ]
