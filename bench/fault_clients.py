"""The people of the fault run: citizens who sign in and submit, and a probe that notes when the service answers.

Each has a bench.browser.Browser (its connection is opened again after a failure). Times are
seconds since the run's start.
"""

import queue
import re
import threading
import time
from dataclasses import dataclass, field

from bench.browser import Browser, Refused

NUMBER = re.compile(r"ZJ-\d{8}-\d{6}")


@dataclass
class Outcome:
    key: str
    at: float  # when the answer came (or did not): what a fault is blamed by
    status: int | None  # None: no answer at all (connection reset or refused, timeout)
    redirected: bool = False  # the 302 a success gets: a submit to the case's page, an acceptance to the desk queue
    number: str | None = None  # the public number the next page showed


@dataclass
class SubmitterLog:
    login: str
    outcomes: list[Outcome] = field(default_factory=list)
    sign_ins: int = 0
    failed_sign_ins: list[float] = field(default_factory=list)


def submitter(
    port: int,
    login: str,
    password: str,
    drafts: list[str],
    started: float,
    stop_at: float,
    relogin_every: int,
    log: SubmitterLog,
    submitted: queue.Queue,
) -> None:
    """Sign in, submit each prepared draft once (never again, whatever the answer), sign in afresh now and then."""
    browser = Browser(port)
    token = None
    since_sign_in = 0
    position = 0
    while position < len(drafts) and time.monotonic() < stop_at:
        if token is None or (relogin_every and since_sign_in >= relogin_every):
            try:
                browser.sign_in(login, password)
                token = browser.token("/")
                log.sign_ins += 1
                since_sign_in = 0
            except Refused:
                log.failed_sign_ins.append(time.monotonic() - started)
                token = None
                time.sleep(0.2)
                continue
        key = drafts[position]
        position += 1
        since_sign_in += 1
        outcome = Outcome(key, time.monotonic() - started, None)
        log.outcomes.append(outcome)
        try:
            outcome.status, location, _ = browser.request(
                "POST", f"/applications/{key}/check", {"csrf_token": token, "action": "submit"}
            )
        except Refused:
            continue
        finally:
            outcome.at = time.monotonic() - started
        outcome.redirected = outcome.status == 302 and location == f"/applications/{key}/submitted"
        if outcome.redirected:
            outcome.number = _number_shown(browser, location)
            submitted.put(key)
        elif outcome.status in (302, 400):  # sent to sign in, or the token went with the session
            token = None


def _number_shown(browser: Browser, path: str) -> str | None:
    """The public number on the page the submit led to; a few tries, the service may be restarting (up to 10 s)."""
    for _ in range(20):
        try:
            status, _, page = browser.request("GET", path)
        except Refused:
            time.sleep(0.5)
            continue
        found = NUMBER.search(page) if status == 200 else None
        if found:
            return found.group(0)
        time.sleep(0.5)
    return None


@dataclass
class DeskLog:
    outcomes: list[Outcome] = field(default_factory=list)  # redirected: accepted (302 to the queue)
    failed_sign_ins: list[float] = field(default_factory=list)


def front_desk(
    port: int, login: str, password: str, submitted: queue.Queue, started: float, stop_at: float, log: DeskLog
) -> None:
    """Accept, once each, the applications the citizens' submits were answered for; acceptance creates the tasks."""
    browser = Browser(port)
    token = None
    while time.monotonic() < stop_at:
        if token is None:
            try:
                browser.sign_in_staff(login, password)
                token = browser.token("/")
            except Refused:
                log.failed_sign_ins.append(time.monotonic() - started)
                token = None
                time.sleep(0.2)
                continue
        try:
            key = submitted.get(timeout=0.2)
        except queue.Empty:
            continue
        outcome = Outcome(key, time.monotonic() - started, None)
        log.outcomes.append(outcome)
        try:
            outcome.status, location, _ = browser.request(
                "POST", f"/desk/applications/{key}/accept", {"csrf_token": token}
            )
        except Refused:
            continue
        finally:
            outcome.at = time.monotonic() - started
        outcome.redirected = outcome.status == 302 and location == "/desk"
        if outcome.status == 400 or (outcome.status == 302 and location.startswith("/login")):
            token = None


@dataclass
class ProbeLog:
    samples: list[tuple[float, bool]] = field(default_factory=list)

    def outages(self) -> list[tuple[float, float]]:
        """(start, length) of each stretch in which every probe failed, from its first failure to the next answer."""
        stretches = []
        failed_since = None
        for at, ok in self.samples:
            if not ok and failed_since is None:
                failed_since = at
            elif ok and failed_since is not None:
                stretches.append((failed_since, at - failed_since))
                failed_since = None
        if failed_since is not None:
            stretches.append((failed_since, self.samples[-1][0] - failed_since))
        return stretches


def probe(browser: Browser, path: str, started: float, stop_at: float, log: ProbeLog, every: float = 0.1) -> None:
    """GET a signed-in page (it reads the database) every `every` seconds; a 200 is an answering service."""
    browser.timeout = 2
    while time.monotonic() < stop_at:
        try:
            ok = browser.request("GET", path)[0] == 200
        except Refused:
            ok = False
        log.samples.append((time.monotonic() - started, ok))  # when the answer came, as for the others
        time.sleep(every)


def start_thread(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread
