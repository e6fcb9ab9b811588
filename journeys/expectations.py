"""Comparing an `expect:` block with what the server reports and what the applicant sees."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from journeys.pages import matches_text
from journeys.people import Account


@dataclass(frozen=True)
class Check:
    name: str
    expected: Any
    actual: Any
    ok: bool

    @property
    def line(self) -> str:
        if self.ok:
            return f"{self.name}: {self.expected!r}"
        return f"{self.name}: expected {self.expected!r}, got {self.actual!r}"


def _equal(name: str, expected, actual) -> Check:
    return Check(name, expected, actual, expected == actual)


def _tasks(expected: dict, state: dict) -> list[Check]:
    checks = []
    for item, wanted in expected.items():
        task = state["tasks"].get(item)
        if isinstance(wanted, str):
            checks.append(_equal(f"tasks.{item}", wanted, task["status"] if task else "no task yet"))
            continue
        for key, value in wanted.items():
            actual = task.get(key) if task else "no task yet"
            if key == "owed" and task:
                checks.append(
                    Check(f"tasks.{item}.owed", sorted(value), sorted(actual), sorted(value) == sorted(actual))
                )
            else:
                checks.append(_equal(f"tasks.{item}.{key}", value, actual))
    return checks


def _notifications(expected, state: dict, accounts: dict[str, Account]) -> list[Check]:
    checks = []
    for entry in expected if isinstance(expected, list) else [expected]:
        to = entry["to"]
        messages = [n for n in state["notifications"] if n["to"] == accounts[to].key]
        if "count" in entry:
            checks.append(_equal(f"notifications to {to}", entry["count"], len(messages)))
        if "sent" in entry:
            checks.append(_equal(f"notifications sent to {to}", entry["sent"], sum(n["sent"] for n in messages)))
        if "contains" in entry:
            texts = [n["text"] for n in messages]
            checks.append(
                Check(
                    f"a notification to {to} contains",
                    entry["contains"],
                    texts,
                    any(entry["contains"] in text for text in texts),
                )
            )
    return checks


def compare(
    expect: dict,
    state: dict | None,
    accounts: dict[str, Account],
    read_user: Callable[[Account], dict],
    read_page: Callable[[], str],
) -> list[Check]:
    """Every expectation of the block as a check; a block may mix application, people and page."""
    checks: list[Check] = []
    for name in ("status", "deadline", "colour", "visits", "rating"):
        if name in expect:
            checks.append(_equal(name, expect[name], state[name]))
    if "breaches" in expect:
        checks += [
            _equal(f"breaches.{flag}", value, state["breaches"][flag]) for flag, value in expect["breaches"].items()
        ]
    if "tasks" in expect:
        checks += _tasks(expect["tasks"], state)
    if "certificates" in expect:
        checks.append(
            Check(
                "certificates",
                sorted(expect["certificates"]),
                state["certificates"],
                sorted(expect["certificates"]) == sorted(state["certificates"]),
            )
        )
    if "rectifications" in expect:
        counts = Counter(r["status"] for r in state["rectifications"])
        checks += [
            _equal(f"rectifications.{status}", n, counts.get(status, 0))
            for status, n in expect["rectifications"].items()
        ]
    if "notifications" in expect:
        checks += _notifications(expect["notifications"], state, accounts)
    for name, wanted in expect.get("wallet", {}).items():
        held = read_user(accounts[name])["wallet"]
        checks.append(Check(f"wallet of {name}", sorted(wanted), held, not (Counter(wanted) - Counter(held))))
    for name, count in expect.get("applications", {}).items():
        checks.append(_equal(f"applications of {name}", count, read_user(accounts[name])["applications"]))
    for name in ("escalated", "reopened", "centre", "referral"):
        if name in expect:
            checks.append(_equal(name, expect[name], state[name]))
    if "amount" in expect:
        wanted = Decimal(str(expect["amount"]))
        checks.append(Check("amount", f"{wanted:.2f}", state["amount"], wanted == Decimal(state["amount"])))
    if "answer" in expect:
        actual = state["answer"] or ""
        checks.append(Check("the answer contains", expect["answer"], actual, expect["answer"] in actual))
    if "sees" in expect:
        text = read_page()
        wanted_texts = expect["sees"] if isinstance(expect["sees"], list) else [expect["sees"]]
        for wanted in wanted_texts:
            ok = matches_text(text, wanted)
            checks.append(Check("the applicant sees", wanted, "it is on the page" if ok else excerpt(text), ok))
    return checks


def excerpt(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


NEEDS_STATE = (
    "status",
    "deadline",
    "colour",
    "visits",
    "rating",
    "breaches",
    "tasks",
    "certificates",
    "rectifications",
    "notifications",
    "escalated",
    "reopened",
    "answer",
    "centre",
    "referral",
    "amount",
)
