"""A loaded, checked journey: what the runner replays."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAIN = "main"  # the label of the case a journey's steps address unless they name another
REVIEW = "review"  # the label of the application a dispute of an offer's amount files, unless it names another


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    line: int
    department: str | None = None
    wallet: tuple[str, ...] = ()
    demo: str | None = None  # the login of a demo account (`flask --app app demo`)

    @property
    def is_applicant(self) -> bool:
        return self.role in ("citizen", "company")


@dataclass(frozen=True)
class Step:
    """One line of the story. `kind` is "action", "refused", "advance" or "expect"."""

    index: int
    line: int
    kind: str
    args: dict[str, Any]
    verb: str | None = None
    actor: str | None = None
    application: str = MAIN
    pattern: str | None = None  # what the refusal must say (expect_refused)
    note: str | None = None

    @property
    def title(self) -> str:
        if self.note:
            return self.note
        if self.kind == "advance":
            moved = ", ".join(f"{value} {unit.replace('_', ' ')}" for unit, value in self.args.items())
            return f"advance the clock: {moved}"
        if self.kind == "expect":
            return "expect " + ", ".join(self.args)
        who = f"{self.actor} " if self.actor else ""
        what = self.verb.replace("_", " ")
        detail = describe(self.args)
        text = f"{who}{what}" + (f" {detail}" if detail else "")
        return f"{text}, refused" if self.kind == "refused" else text


def describe(args: dict[str, Any]) -> str:
    """A short line for reports: the argument values that name things."""
    parts = []
    for key in (
        "service",
        "category",
        "item",
        "material",
        "lead",
        "problem",
        "title",
        "score",
        "procedure",
        "reason",
        "purpose",
        "answer",
        "text",
        "days",
    ):
        if args.get(key) not in (None, ""):
            parts.append(str(args[key]))
    if args.get("tolerate"):
        parts.append("tolerating the gap")
    if "items" in args:
        parts.append("listing " + ", ".join(item.get("key", "?") for item in args["items"]))
    return " ".join(parts)


@dataclass(frozen=True)
class Application:
    """What the loader knows of each case a journey opens: an application, or a case of another kind."""

    label: str
    service: str  # an application's service code; a request's category
    applicant: str
    line: int
    kind: str = "application"


@dataclass(frozen=True)
class Journey:
    path: str
    name: str
    purpose: str
    seed: int
    start: datetime
    actors: dict[str, Actor]
    steps: tuple[Step, ...]
    applications: dict[str, Application] = field(default_factory=dict)
    start_line: int = 1

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]
