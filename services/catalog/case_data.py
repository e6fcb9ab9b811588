"""The catalogue data of the enterprise requests (企呼我应) and of dispute mediation (最多跑一地).

Request categories, dispute routes and kinds, and the centres at four levels: their cross-references
checked here, and built into the Catalog's values, so that the loader only reads the files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Protocol

from .model import CENTRE_LEVELS, Centre, DisputeKind, DisputeRoute, RequestCategory, Text
from .schema import CentreIn, DisputeKindIn, DisputeRouteIn, RequestCategoryIn, TextIn

CaseSection = RequestCategoryIn | DisputeRouteIn | DisputeKindIn | CentreIn
CASE_SECTIONS: dict[str, tuple[str, type[CaseSection]]] = {
    "request_categories": ("request category", RequestCategoryIn),
    "dispute_routes": ("dispute route", DisputeRouteIn),
    "dispute_kinds": ("dispute kind", DisputeKindIn),
    "centres": ("centre", CentreIn),
}


class Located(Protocol):
    """A parsed entry and where it was written (the loader's record of it)."""

    @property
    def file(self) -> str: ...
    @property
    def entry(self) -> str: ...
    @property
    def spec(self) -> Any: ...


Parsed = Mapping[str, Mapping[str, Located]]
Report = Callable[[str, str | None, str], None]
Known = Callable[[str, str], bool]


def check_case_data(parsed: Parsed, known: Known, report: Report) -> None:
    """Report each code the case data names that is not defined, and each centre not one level below its parent."""
    for located in parsed["request_categories"].values():
        category: RequestCategoryIn = located.spec
        _check_references(located, category.lead_departments, "lead department", "departments", known, report)
    for located in parsed["dispute_kinds"].values():
        kind: DisputeKindIn = located.spec
        _check_references(located, kind.routes, "route", "dispute_routes", known, report)
    for located in parsed["centres"].values():
        centre: CentreIn = located.spec
        _check_references(located, centre.routes, "route", "dispute_routes", known, report)
        _check_parent(located, parsed["centres"], known, report)


def _check_references(
    located: Located, codes: tuple[str, ...], what: str, section: str, known: Known, report: Report
) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            report(located.file, located.entry, f"{what} {code!r} is listed twice")
        elif not known(section, code):
            report(located.file, located.entry, f"{what} {code!r} is not defined")
        seen.add(code)


def _check_parent(located: Located, centres: Mapping[str, Located], known: Known, report: Report) -> None:
    centre: CentreIn = located.spec
    say = partial(report, located.file, located.entry)
    depth = CENTRE_LEVELS.index(centre.level)
    if depth == 0:
        if centre.parent is not None:
            say(f"a {centre.level} centre has no parent, not {centre.parent!r}")
        return
    above = CENTRE_LEVELS[depth - 1]
    if centre.parent is None:
        say(f"a {centre.level} centre needs a parent (a {above} centre)")
    elif centre.parent in centres:
        level = centres[centre.parent].spec.level
        if level != above:
            say(f"parent {centre.parent!r} is a {level} centre; a {centre.level} centre's parent is a {above} centre")
    elif not known("centres", centre.parent):
        say(f"parent {centre.parent!r} is not defined")


def build_case_data(parsed: Parsed) -> dict[str, dict[str, Any]]:
    """The Catalog's fields for the case data, keyed by code in file order."""

    def specs(section: str) -> list[Any]:
        return [located.spec for located in parsed[section].values()]

    return {
        "request_categories": {
            c.code: RequestCategory(c.code, _text(c.name), c.answer_working_days, c.lead_departments)
            for c in specs("request_categories")
        },
        "dispute_routes": {r.code: DisputeRoute(r.code, _text(r.name)) for r in specs("dispute_routes")},
        "dispute_kinds": {
            k.code: DisputeKind(k.code, _text(k.name), k.legal_limit_days, k.day_count, k.routes)
            for k in specs("dispute_kinds")
        },
        "centres": {c.code: Centre(c.code, _text(c.name), c.level, c.parent, c.routes) for c in specs("centres")},
    }


def _text(text: TextIn) -> Text:
    return Text(text.zh, text.en)
