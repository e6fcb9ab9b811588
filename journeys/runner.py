"""Replays journeys on a target (in-process, a server over HTTP, or a browser) and records every step.

A target gives each journey a fresh world: `begin(journey)` returns the transport the
people act through and the system API the clock and the expectations go through.
The first failed step ends the journey; the steps after it are reported as skipped.
"""

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from journeys.expectations import NEEDS_STATE, Check, compare
from journeys.loader import parse_moment
from journeys.model import MAIN, REVIEW, Journey, Step
from journeys.pages import Outcome
from journeys.people import Account, People
from journeys.transport import Case, Filling, JourneyBroken, SystemApi
from journeys.vocabulary import VERBS
from services.catalog import Catalog

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
# The 免申即享 steps of the scheduler and the data feeds: the test-mode job and what its answer says.
BENEFIT_JOBS = {
    "benefits_sweep": ("sweep", "sweep: offered {offered}, withdrawn {withdrawn}, expired {expired}"),
    "benefits_sweep_changes": ("sweep-changes", "changed subjects: offered {offered}, withdrawn {withdrawn}"),
    "benefits_approve": ("approve", "approved {approved}, flagged {flagged}, waiting {waiting}"),
    "benefits_pay": ("pay", "batch {reference}: {count} payments"),
    "bank_returns": ("returns", "the bank paid {paid}, returned {returned}"),
    "government_records": ("records", "records of {recorded} written"),
    "budget_left": ("budget", "{policy}: {left} yuan of the budget left"),
}


class Target(Protocol):
    mode: str

    def begin(self, journey: Journey) -> tuple[object, SystemApi]: ...

    def end(self) -> None: ...


@dataclass
class StepResult:
    index: int  # 0 for the set-up lines, then 1, 2… for the file's steps
    line: int
    title: str
    status: str
    duration: float = 0.0
    at: str = ""  # the virtual China time when it ran
    message: str = ""
    checks: list[Check] = field(default_factory=list)
    screenshot: bytes | None = None

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


@dataclass
class JourneyResult:
    journey: Journey
    mode: str
    steps: list[StepResult] = field(default_factory=list)
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return all(step.status != FAILED for step in self.steps)

    @property
    def failed_step(self) -> StepResult | None:
        return next((step for step in self.steps if step.status == FAILED), None)


class Replay:
    def __init__(self, journey: Journey, catalog: Catalog, transport, system: SystemApi):
        self.journey = journey
        self.catalog = catalog
        self.transport = transport
        self.system = system
        self.people = People(journey, catalog)
        self.accounts: dict[str, Account] = self.people.accounts
        self.cases: dict[str, Case] = {}
        self.now = ""

    @property
    def when(self) -> str:
        """The virtual China time, to the minute."""
        return self.now[:16].replace("T", " ")

    # --- set-up --------------------------------------------------------------------------

    def set_up(self) -> list[tuple[int, str, Callable[[], str]]]:
        """The set-up as (line, title, work): start the clock, then make each actor."""
        journey = self.journey
        steps = [(journey.start_line, f"start the clock at {journey.start:%Y-%m-%d %H:%M}", self._start_clock)]
        demo = [actor.line for actor in journey.actors.values() if actor.demo]
        if demo:
            steps.append((demo[0], "create the demo accounts", self._demo))
        steps += [
            (account.actor.line, self._actor_title(account), lambda account=account: self._make(account))
            for account in self.accounts.values()
        ]
        return steps

    def _start_clock(self) -> str:
        self.now = self.system.set_clock(self.journey.start.isoformat())["china"]
        return f"virtual time {self.when}"

    def _demo(self) -> str:
        self.system.demo()
        return "demo accounts ready"

    @staticmethod
    def _actor_title(account: Account) -> str:
        actor = account.actor
        if actor.demo:
            return f"{actor.name} logs in with demo account {actor.demo}"
        what = actor.role.replace("_", " ") + (f" of {actor.department}" if actor.department else "")
        return f"{actor.name} joins as {what}"

    def _make(self, account: Account) -> str:
        actor = account.actor
        if actor.is_applicant and not actor.demo:
            account.login = account.profile.get("id_number") or account.profile["credit_code"]
            self._must(self.transport.register(account), "registration")
            self._must(self.transport.login(account), "login")
            if actor.wallet:
                self.system.wallet(
                    account.login,
                    [{"type": kind, "data": self.people.certificate_data(kind, account)} for kind in actor.wallet],
                )
        else:
            if not actor.demo:
                account.totp_secret = self.system.staff(
                    username=account.login,
                    role=actor.role,
                    department=actor.department,
                    password=account.password,
                    full_name=account.profile["full_name"],
                )["totp_secret"]
            self._must(self.transport.login(account), "login")
        account.key = self.system.user(account.login)["key"]
        name = account.profile.get("full_name") or account.profile.get("company_name") or account.login
        return f"{name} ({account.login})" + (f", wallet: {', '.join(actor.wallet)}" if actor.wallet else "")

    @staticmethod
    def _must(outcome: Outcome, what: str) -> None:
        if not outcome.ok:
            raise JourneyBroken(f"{what} refused: {outcome.message or outcome.page}")

    # --- steps ---------------------------------------------------------------------------

    def run(self, step: Step) -> tuple[str, list[Check]]:
        """Do one step; returns what happened, and the checks of an expect block. Raises AssertionError on failure."""
        if step.kind == "advance":
            if "to" in step.args:
                self.now = self.system.set_clock(parse_moment(step.args["to"]).isoformat())["china"]
            else:
                self.now = self.system.advance(**step.args)["china"]
            return f"now {self.when}", []
        if step.kind == "expect":
            checks = self.expect(step)
            failed = [check.line for check in checks if not check.ok]
            if failed:
                raise ExpectationFailed(checks)
            return f"{len(checks)} checks passed", checks
        outcome = self.act(step)
        if step.kind == "action":
            if not outcome.ok:
                raise AssertionError(f"refused: {outcome.message or 'no message'} (on {outcome.page})")
            landed = f" → {outcome.page}" if outcome.page else ""
            return f"{outcome.message}{landed}", []
        if outcome.ok:
            raise AssertionError(
                f"expected a refusal matching /{step.pattern}/, but it went through"
                + (f": {outcome.message}" if outcome.message else "")
            )
        if not re.search(step.pattern, outcome.message, re.IGNORECASE):
            raise AssertionError(
                f"refused as expected, but the message {outcome.message!r} does not match /{step.pattern}/"
            )
        return f"refused: {outcome.message}", []

    def act(self, step: Step) -> Outcome:
        if step.verb == "sweep":
            report = self.system.sweep()
            return Outcome(
                True,
                "sweep: recoloured {recoloured}, notified {notified}, terminated {terminated}, "
                "requests escalated {escalated}".format(**report),
            )
        if step.verb == "send_outbox":
            return Outcome(True, "outbox: sent {sent}, failed {failed}".format(**self.system.send_outbox()))
        if step.verb in BENEFIT_JOBS:
            return self.benefit_job(step)
        account = self.accounts[step.actor]
        method = getattr(self.transport, step.verb)
        if step.verb == "apply":
            service = self.catalog.service(step.args["service"])
            case = Case(step.application, service, step.actor, self.system.application)
            self.cases[step.application] = case
            return method(account, case, self.filling(step, service, auto=True))
        opens = VERBS[step.verb].opens
        if opens:
            label = step.args.get("label", MAIN)
            case = Case(label, None, step.actor, self.system.case_lookup(opens), kind=opens)
            self.cases[label] = case
            return method(account, case, self.opening(step, label))
        case = self.cases.get(step.application)
        if case is None:
            raise JourneyBroken(f"case {step.application!r} was never opened")
        if step.verb == "resubmit":
            return method(account, case, self.filling(step, case.service, auto=False))
        outcome = method(account, case, step.args)
        if step.verb == "dispute_offer" and outcome.ok:
            self.follow_review(step, case)
        return outcome

    def follow_review(self, step: Step, offer: Case) -> None:
        """Disputing an offer's amount filed an application of the policy's review item: the journey names it."""
        state = offer.state()
        review_item = self.catalog.policies[state["policy"]].amount_review_item
        assert review_item is not None  # the loader refuses a dispute of a policy without one
        review = Case(
            step.args.get("review", REVIEW), self.catalog.service(review_item), step.actor, self.system.application
        )
        review.key = state["review"]
        self.cases[review.label] = review

    def opening(self, step: Step, label: str) -> dict:
        """What a case of another kind opens with: the step's own words over seeded ones, the other party's login,
        the key of the offer a sweep made (None when there is none)."""
        written = self.people.description(label)
        args = {"description": written, "claim": written, **step.args}
        if "against" in args:
            args["counterparty"] = self.accounts[args["against"]].login
        if "policy" in args:
            args["offer_key"] = self.system.user(self.accounts[step.actor].login)["offers"].get(args["policy"])
        return args

    def benefit_job(self, step: Step) -> Outcome:
        """A 免申即享 job of the scheduler, or a data feed; actors and cases named by the journey's names."""
        job, say = BENEFIT_JOBS[step.verb]
        body = dict(step.args)
        if "of" in body:
            body["of"] = self.accounts[body["of"]].login
        if "returned" in body:
            body["returned"] = {self._case_key(label): reason for label, reason in body["returned"].items()}
        return Outcome(True, say.format(**self.system.benefits(job, body)))

    def _case_key(self, label: str) -> str:
        case = self.cases.get(label)
        if case is None or case.key is None:
            raise JourneyBroken(f"case {label!r} was never opened")
        return case.key

    def filling(self, step: Step, service, auto: bool) -> Filling:
        """`apply` fills the form (auto answers and uploads, the step's own over them);
        `resubmit` only what it names."""
        fields, materials = step.args.get("fields"), step.args.get("materials")
        return Filling(
            fields=fields if isinstance(fields, dict) else {},
            auto=self.people.answers(service, step.application) if auto else {},
            materials=materials if isinstance(materials, dict) else {},
            auto_materials=auto,
            delivery=step.args.get("delivery"),
        )

    def expect(self, step: Step) -> list[Check]:
        case = self.cases.get(step.application)
        needs_case = any(key in step.args for key in (*NEEDS_STATE, "sees"))
        if needs_case and case is None:
            raise JourneyBroken(f"case {step.application!r} was never opened")
        state = case.state() if needs_case else None
        users: dict[str, dict] = {}

        def read_user(account: Account) -> dict:
            if account.name not in users:
                users[account.name] = self.system.user(account.login)
            return users[account.name]

        def read_page() -> str:
            return self.transport.page_text(self.accounts[case.applicant], case)

        return compare(step.args, state, self.accounts, read_user, read_page)

    def screenshot(self, step: Step | None) -> bytes | None:
        actor = step.actor if step is not None and step.actor else None
        if step is not None and step.kind == "expect" and step.application in self.cases:
            actor = self.cases[step.application].applicant
        if actor is None:
            return None
        try:
            return self.transport.screenshot(self.accounts[actor])
        except Exception:  # noqa: BLE001 - a failed screenshot must not hide the failure it illustrates
            return None


class ExpectationFailed(AssertionError):
    def __init__(self, checks: list[Check]):
        self.checks = checks
        super().__init__("; ".join(check.line for check in checks if not check.ok))


def _timed(result: StepResult, work: Callable[[], str]) -> bool:
    started = time.perf_counter()
    try:
        result.message = work() or ""
        result.status = PASSED
    except ExpectationFailed as failure:
        result.checks, result.message, result.status = failure.checks, str(failure), FAILED
    except (AssertionError, JourneyBroken) as failure:
        result.message, result.status = str(failure), FAILED
    except Exception as error:  # noqa: BLE001 - a crash in one journey is that journey's failure
        result.message, result.status = f"{type(error).__name__}: {error}", FAILED
    result.duration = time.perf_counter() - started
    return result.status == PASSED


def run_journey(journey: Journey, target: Target, catalog: Catalog) -> JourneyResult:
    result = JourneyResult(journey, target.mode)
    started = time.perf_counter()
    transport, system = target.begin(journey)
    try:
        replay = Replay(journey, catalog, transport, system)
        going = True
        for line, title, work in replay.set_up():
            step_result = StepResult(0, line, title, SKIPPED, at=replay.when)
            result.steps.append(step_result)
            if going:
                going = _timed(step_result, work)
        for step in journey.steps:
            step_result = StepResult(step.index + 1, step.line, step.title, SKIPPED, at=replay.when)
            result.steps.append(step_result)
            if not going:
                continue
            going = _timed(
                step_result, lambda step=step, step_result=step_result: _run_and_keep(replay, step, step_result)
            )
            if not going:
                step_result.screenshot = replay.screenshot(step)
    finally:
        target.end()
    result.duration = time.perf_counter() - started
    return result


def _run_and_keep(replay: Replay, step: Step, step_result: StepResult) -> str:
    message, checks = replay.run(step)
    step_result.checks = checks
    if step.kind == "advance":
        step_result.at = replay.when
    return message


def run_journeys(
    journeys: Iterable[Journey],
    target: Target,
    catalog: Catalog,
    on_result: Callable[[JourneyResult], None] | None = None,
) -> list[JourneyResult]:
    results = []
    for journey in journeys:
        result = run_journey(journey, target, catalog)
        results.append(result)
        if on_result:
            on_result(result)
    return results
