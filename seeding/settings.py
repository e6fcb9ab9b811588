"""The generators' settings (seed_data/faker.yaml) as checked, immutable values."""

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import yaml

from services.catalog import Catalog

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "seed_data" / "faker.yaml"
NEEDS = frozenset({"married", "unmarried", "degree", "driving_licence", "home_owner", "tenant"})


@dataclass(frozen=True)
class Audience:
    min_age: int
    max_age: int
    needs: frozenset[str]


@dataclass(frozen=True)
class Settings:
    raw: dict[str, Any]
    window_days: int
    recent_share: float
    recent_working_days: int
    working_hours: tuple[tuple[time, time], ...]
    online_hours: tuple[time, time]
    people: dict[str, Any]
    staff: dict[str, int]
    service_weights: dict[str, float]
    audiences: dict[str, Audience]
    delivery: dict[str, float]
    outcomes: dict[str, float]
    tasks: dict[str, Any]
    visits: dict[str, float]
    ratings: dict[str, Any]
    texts: dict[str, dict[str, Any]]

    def text(self, language: str, name: str) -> Any:
        return self.texts[language][name]


def _time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _share(section: str, name: str, value) -> float:
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{SETTINGS_FILE.name}: {section}.{name} must be a share from 0 to 1, not {value!r}")
    return float(value)


def load_settings(catalog: Catalog, path: Path = SETTINGS_FILE) -> Settings:
    """Read and check the settings against the catalogue; errors name the entry."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = {service.code for service in catalog.services()}
    for section in ("service_weights", "audiences"):
        unknown = sorted(set(raw[section]) - codes)
        if unknown:
            raise ValueError(f"{path.name}: {section} names services the catalogue lacks: {', '.join(unknown)}")
    audiences = {}
    for code, entry in raw["audiences"].items():
        needs = frozenset(entry.get("needs", ()))
        if needs - NEEDS:
            raise ValueError(f"{path.name}: audiences.{code} needs one of {sorted(NEEDS)}")
        audiences[code] = Audience(entry["ages"][0], entry["ages"][1], needs)
    for section in ("outcomes", "visits", "delivery"):
        for name, value in raw[section].items():
            _share(section, name, value)
    for name in ("rejected", "suspended", "extension", "extension_granted", "notice_request", "released", "late"):
        _share("tasks", name, raw["tasks"][name])
    calendar = raw["calendar"]
    languages = set(raw["texts"])
    if languages != {"zh", "en"} or set(raw["texts"]["zh"]) != set(raw["texts"]["en"]):
        raise ValueError(f"{path.name}: texts needs the same entries under zh and en")
    return Settings(
        raw=raw,
        window_days=int(calendar["window_days"]),
        recent_share=_share("calendar", "recent_share", calendar["recent_share"]),
        recent_working_days=int(calendar["recent_working_days"]),
        working_hours=tuple((_time(start), _time(end)) for start, end in calendar["working_hours"]),
        online_hours=(_time(calendar["online_hours"][0]), _time(calendar["online_hours"][1])),
        people=raw["people"],
        staff=raw["staff"],
        service_weights={code: float(raw["service_weights"].get(code, 1)) for code in sorted(codes)},
        audiences=audiences,
        delivery=raw["delivery"],
        outcomes=raw["outcomes"],
        tasks=raw["tasks"],
        visits=raw["visits"],
        ratings=raw["ratings"],
        texts=raw["texts"],
    )
