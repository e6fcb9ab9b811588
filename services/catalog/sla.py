"""SLA thresholds as catalogue data: when a deadline turns amber, when its lateness goes up to the city.

One `sla` entry per level: `city` (the default), an `item`, a `bundle` (its items, unless an item
says otherwise), a dispute `route` or an enterprise-request `category` (the tasks of its requests).
A key an entry leaves out is the next level's: item, then bundle, then city, then the built-in
value; a route's and a category's, the city's. See docs/catalog.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import StrictInt

from .model import BUILT_IN_SLA, SlaThreshold, SlaThresholds
from .schema import NonEmpty, _Entry

Report = Callable[[str, str | None, str], None]
Known = Callable[[str, str], bool]
Level = Literal["city", "item", "bundle", "route", "category"]
# The catalogue section each level's code names.
LEVEL_SECTIONS = {"item": "items", "bundle": "bundles", "route": "dispute_routes", "category": "request_categories"}
CITY = "city"


class SlaIn(_Entry):
    code: NonEmpty  # "city", or the item's, bundle's, route's or request category's code
    level: Level
    amber_working_days: StrictInt | None = None
    escalate_after_working_days: StrictInt | None = None


def check_sla(parsed: Mapping[str, Mapping[str, Any]], known: Known, report: Report) -> None:
    """Report each entry naming an unknown code, a negative or late amber, or an escalation before the red."""
    for located in parsed["sla"].values():
        spec: SlaIn = located.spec

        def say(message: str, located: Any = located) -> None:
            report(located.file, located.entry, message)

        if spec.level == CITY:
            if spec.code != CITY:
                say(f"the city level's code is {CITY!r}, not {spec.code!r}")
        elif not known(LEVEL_SECTIONS[spec.level], spec.code):
            say(f"{spec.level} {spec.code!r} is not defined")
        amber = spec.amber_working_days
        if amber is not None and amber < 0:
            say(f"amber_working_days {amber} is negative: amber would start after the deadline")
        if amber is not None and amber >= 0 and spec.level == "category" and spec.code in parsed["request_categories"]:
            answer = parsed["request_categories"][spec.code].spec.answer_working_days
            if amber >= answer:
                say(
                    f"amber_working_days {amber} is not less than category {spec.code}'s answer_working_days "
                    f"{answer}: its tasks would be amber from their first day"
                )
        if amber is not None and amber >= 0:
            for code, promised in _promised_limits(parsed, spec):
                if promised and amber >= promised:
                    say(
                        f"amber_working_days {amber} is not less than item {code}'s promised_limit_days {promised}: "
                        "its tasks would be amber from their first day"
                    )
        escalate = spec.escalate_after_working_days
        if escalate is not None and escalate < 1:
            say(f"escalate_after_working_days {escalate} must be at least 1 (working days past the deadline)")
    for code, bundles in _bundles_of_items(parsed).items():
        differing = {bundle: _spec_of(parsed, bundle) for bundle in bundles}
        shapes = {(s.amber_working_days, s.escalate_after_working_days) for s in differing.values()}
        if len(shapes) > 1 and code not in parsed["sla"]:
            first, *rest = differing
            for bundle in rest:
                located = parsed["sla"][bundle]
                report(
                    located.file,
                    located.entry,
                    f"item {code} is also in bundle {first} with other thresholds: give the item its own entry",
                )


def build_sla(parsed: Mapping[str, Mapping[str, Any]]) -> SlaThresholds:
    city = parsed["sla"].get(CITY)
    default = _apply(city.spec, BUILT_IN_SLA) if city is not None and city.spec.level == CITY else BUILT_IN_SLA
    by_code: dict[str, SlaThreshold] = {}
    for code, bundles in _bundles_of_items(parsed).items():
        by_code[code] = _apply(_spec_of(parsed, bundles[0]), default)
    for located in parsed["sla"].values():
        spec: SlaIn = located.spec
        if spec.level in ("item", "route", "category"):
            by_code[spec.code] = _apply(spec, by_code.get(spec.code, default))
    return SlaThresholds(default, {code: t for code, t in by_code.items() if t != default})


def _apply(spec: SlaIn, base: SlaThreshold) -> SlaThreshold:
    return SlaThreshold(
        amber_working_days=base.amber_working_days if spec.amber_working_days is None else spec.amber_working_days,
        escalate_after_working_days=(
            base.escalate_after_working_days
            if spec.escalate_after_working_days is None
            else spec.escalate_after_working_days
        ),
    )


def _spec_of(parsed: Mapping[str, Mapping[str, Any]], code: str) -> SlaIn:
    return parsed["sla"][code].spec


def _bundles_of_items(parsed: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """Item code → the bundles with an sla entry that hold it, in file order."""
    held: dict[str, list[str]] = {}
    for located in parsed["sla"].values():
        spec: SlaIn = located.spec
        bundle = parsed["bundles"].get(spec.code) if spec.level == "bundle" else None
        if bundle is not None:
            for code in bundle.spec.items:
                held.setdefault(code, []).append(spec.code)
    return held


def _promised_limits(parsed: Mapping[str, Mapping[str, Any]], spec: SlaIn) -> list[tuple[str, int]]:
    """The promised limits of the items the entry covers (none for the city and route levels)."""
    if spec.level == "item":
        codes = [spec.code]
    elif spec.level == "bundle" and spec.code in parsed["bundles"]:
        codes = list(parsed["bundles"][spec.code].spec.items)
    else:
        return []
    return [(code, parsed["items"][code].spec.promised_limit_days) for code in codes if code in parsed["items"]]
