"""What every transport shares: the case a step works on, the answers to fill in, the system endpoints.

A transport (pages over HTTP, or a real browser) offers one method per verb of the
vocabulary, `verb(account, case, args) -> Outcome`; the runner calls them by name.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from journeys.vocabulary import APPLICATION, VERBS
from services.catalog import Service

# The account a subject accepts into when the offer page proposes none and the journey names none.
DEFAULT_BANK_ACCOUNT = ("6222021202041234567", "中国工商银行杭州分行")


class JourneyBroken(RuntimeError):
    """The journey cannot go on (no case, a task that does not exist yet…)."""


@dataclass
class Case:
    """One case of the journey (an application, or a case of another kind), as the runner knows it."""

    label: str
    service: Service | None  # an application's service; None for the other kinds
    applicant: str
    lookup: Callable[[str], dict]
    key: str | None = None
    kind: str = APPLICATION

    def state(self) -> dict:
        if self.key is None:
            raise JourneyBroken(f"{self.kind} {self.label!r} was never created: the step that opens it failed")
        return self.lookup(self.key)

    def task_key(self, item: str) -> str:
        """The key of the case's task for an item (an application) or a department (the other kinds)."""
        task = self.state()["tasks"].get(item)
        if task is None:
            raise JourneyBroken(f"{item} has no task on {self.kind} {self.label!r} yet")
        return task["key"]

    def rectification_key(self, department: str | None) -> str:
        open_ones = [
            r for r in self.state()["rectifications"] if r["status"] == "open" and department in (None, r["department"])
        ]
        if not open_ones:
            raise JourneyBroken("there is no open rectification to answer")
        return open_ones[0]["key"]


@dataclass(frozen=True)
class Filling:
    """What the applicant types and uploads on the application form."""

    fields: dict[str, str] = field(default_factory=dict)  # typed whatever the field holds
    auto: dict[str, str] = field(default_factory=dict)  # typed only into empty fields
    materials: dict[str, str] = field(default_factory=dict)  # material key -> pdf, png, exe or missing
    auto_materials: bool = False  # a PDF into every other file input
    delivery: str | None = None

    def upload_for(self, material_key: str) -> str | None:
        kind = self.materials.get(material_key, "pdf" if self.auto_materials else None)
        return None if kind == "missing" else kind


class SystemApi:
    """The test-mode endpoints (`/_test/...`) of the server a journey runs on."""

    def __init__(self, call: Callable[[str, str, dict | None], tuple[int, dict]]):
        self._call = call

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        status, answer = self._call(method, "/_test" + path, body)
        if status == 404 and "error" not in answer:
            raise JourneyBroken("the server has no test-mode endpoints: start it with APP_ENV=test")
        if status >= 400:
            raise JourneyBroken(f"{method} /_test{path} answered {status}: {answer.get('error', answer)}")
        return answer

    def reset(self) -> None:
        self.call("POST", "/reset")

    def set_clock(self, moment_iso: str) -> dict:
        return self.call("POST", "/clock", {"to": moment_iso})

    def advance(self, **units: int) -> dict:
        return self.call("POST", "/clock", units)

    def staff(self, **account) -> dict:
        return self.call("POST", "/staff", account)

    def wallet(self, login: str, certificates: list[dict]) -> None:
        self.call("POST", "/wallet", {"login": login, "certificates": certificates})

    def demo(self) -> None:
        self.call("POST", "/demo")

    def sweep(self) -> dict:
        return self.call("POST", "/sweep")

    def send_outbox(self) -> dict:
        return self.call("POST", "/outbox")

    def benefits(self, job: str, body: dict | None = None) -> dict:
        """A 免申即享 job of the scheduler, or a data feed (journeys/benefit_jobs.py)."""
        return self.call("POST", f"/benefits/{job}", body or {})

    def application(self, key: str) -> dict:
        return self.call("GET", f"/applications/{key}")

    def case_lookup(self, kind: str) -> Callable[[str], dict]:
        """What the expectations of a case of this kind compare against: `/_test/<kind>s/<key>`."""
        return lambda key: self.call("GET", f"/{kind}s/{key}")

    def user(self, login: str) -> dict:
        return self.call("GET", f"/users/{login}")


def person_verbs() -> list[str]:
    """The verbs a transport must implement (the system's jobs go through SystemApi)."""
    return [name for name, verb in VERBS.items() if not verb.system]
