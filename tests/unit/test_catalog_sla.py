"""SLA thresholds in the catalogue: levels resolve item over bundle over city, and bad values are named."""

from pathlib import Path

import pytest

from services.catalog import default_catalog, load_catalog, validate_catalog
from services.catalog.model import BUILT_IN_SLA, SlaThreshold
from tests.unit.test_catalog import A, B, _write, minimal


def _with_sla(tmp_path, *entries) -> Path:
    _write(tmp_path, minimal())
    return _write(tmp_path, {"sla": list(entries)}, name="sla.yaml")


def test_without_entries_every_task_has_the_built_in_thresholds(tmp_path):
    _write(tmp_path, minimal())
    assert load_catalog(tmp_path).sla.of(A) == BUILT_IN_SLA


def test_an_item_beats_its_bundle_and_the_bundle_beats_the_city_key_by_key(tmp_path):
    _with_sla(
        tmp_path,
        {"code": "city", "level": "city", "amber_working_days": 0, "escalate_after_working_days": 4},
        {"code": "BUNDLE-TEST", "level": "bundle", "escalate_after_working_days": 2},
        {"code": A, "level": "item", "amber_working_days": 1},
    )
    sla = load_catalog(tmp_path).sla
    assert sla.default == SlaThreshold(amber_working_days=0, escalate_after_working_days=4)
    assert sla.of(A) == SlaThreshold(amber_working_days=1, escalate_after_working_days=2)
    assert sla.of(B) == SlaThreshold(amber_working_days=0, escalate_after_working_days=2)
    assert sla.of("330100-ELSEWHERE-001") == sla.default


@pytest.mark.parametrize(
    ("entry", "named", "message"),
    [
        pytest.param(
            {"code": A, "level": "item", "amber_working_days": -1},
            f"sla threshold {A}",
            "amber_working_days -1 is negative: amber would start after the deadline",
            id="negative-amber",
        ),
        pytest.param(
            {"code": A, "level": "item", "amber_working_days": 2},
            f"sla threshold {A}",
            f"amber_working_days 2 is not less than item {A}'s promised_limit_days 2",
            id="amber-from-the-first-day",
        ),
        pytest.param(
            {"code": "330100-HEALTH-999", "level": "item", "amber_working_days": 1},
            "sla threshold 330100-HEALTH-999",
            "item '330100-HEALTH-999' is not defined",
            id="unknown-item",
        ),
        pytest.param(
            {"code": "BUNDLE-NONE", "level": "bundle", "amber_working_days": 1},
            "sla threshold BUNDLE-NONE",
            "bundle 'BUNDLE-NONE' is not defined",
            id="unknown-bundle",
        ),
        pytest.param(
            {"code": "city", "level": "city", "escalate_after_working_days": 0},
            "sla threshold city",
            "escalate_after_working_days 0 must be at least 1",
            id="escalation-on-the-deadline",
        ),
        pytest.param(
            {"code": "citywide", "level": "city"},
            "sla threshold citywide",
            "the city level's code is 'city'",
            id="city-code",
        ),
        pytest.param(
            {"code": A, "level": "department", "amber_working_days": 1},
            f"sla threshold {A}",
            "level",
            id="unknown-level",
        ),
    ],
)
def test_a_bad_threshold_names_the_file_and_the_entry(tmp_path, entry, named, message):
    path = _with_sla(tmp_path, entry)
    errors = validate_catalog(tmp_path)
    assert len(errors) == 1, errors
    assert Path(errors[0].file).resolve() == path.resolve()
    assert errors[0].entry == named
    assert message in errors[0].message


def test_an_item_in_two_bundles_with_different_thresholds_needs_its_own_entry(tmp_path):
    data = minimal()
    data["bundles"].append({**data["bundles"][0], "code": "BUNDLE-TWO"})
    _write(tmp_path, data)
    path = _write(
        tmp_path,
        {
            "sla": [
                {"code": "BUNDLE-TEST", "level": "bundle", "escalate_after_working_days": 2},
                {"code": "BUNDLE-TWO", "level": "bundle", "escalate_after_working_days": 5},
            ]
        },
        name="sla.yaml",
    )
    errors = validate_catalog(tmp_path)
    assert {(Path(e.file).resolve(), e.entry) for e in errors} == {(path.resolve(), "sla threshold BUNDLE-TWO")}
    assert f"item {A} is also in bundle BUNDLE-TEST" in errors[0].message


def _with_category_sla(tmp_path, *entries) -> Path:
    """The minimal catalogue, an enterprise-request category promising an answer in 3 working days, and `entries`."""
    _write(tmp_path, minimal())
    category = {"code": "approval_stuck", "name": {"zh": "审批卡点", "en": "Approval stuck"}, "answer_working_days": 3}
    _write(tmp_path, {"request_categories": [category]}, name="request_categories.yaml")
    return _write(tmp_path, {"sla": list(entries)}, name="sla.yaml")


def test_a_request_category_has_its_own_thresholds_and_the_city_s_for_the_keys_it_leaves_out(tmp_path):
    _with_category_sla(
        tmp_path,
        {"code": "city", "level": "city", "amber_working_days": 1, "escalate_after_working_days": 4},
        {"code": "approval_stuck", "level": "category", "amber_working_days": 2},
    )
    sla = load_catalog(tmp_path).sla
    assert sla.of("approval_stuck") == SlaThreshold(amber_working_days=2, escalate_after_working_days=4)
    assert sla.of(A) == sla.default


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param(
            {"code": "land_grab", "level": "category", "amber_working_days": 1},
            "category 'land_grab' is not defined",
            id="unknown-category",
        ),
        pytest.param(
            {"code": "approval_stuck", "level": "category", "amber_working_days": 3},
            "amber_working_days 3 is not less than category approval_stuck's answer_working_days 3",
            id="amber-from-the-first-day",
        ),
    ],
)
def test_a_bad_category_threshold_names_the_file_and_the_entry(tmp_path, entry, message):
    path = _with_category_sla(tmp_path, entry)
    errors = validate_catalog(tmp_path)
    assert [(Path(e.file).resolve(), e.entry) for e in errors] == [(path.resolve(), f"sla threshold {entry['code']}")]
    assert message in errors[0].message


def test_the_real_catalogue_sets_a_city_default_and_some_items_routes_and_categories_of_their_own():
    catalog = default_catalog()
    assert catalog.sla.default.escalate_after_working_days >= 1
    assert catalog.sla.by_code
    known = catalog.items.keys() | catalog.dispute_routes.keys() | catalog.request_categories.keys()
    assert set(catalog.sla.by_code) <= known
    assert set(catalog.sla.by_code) & catalog.request_categories.keys()
