"""The step vocabulary over the real pages: open the page a person would be on, send its form.

One client (cookie jar) per person. Works with the in-process test client and with
real HTTP alike, since both hand back `Page`s.
"""

from collections.abc import Callable

from journeys.clients import Files
from journeys.pages import Outcome
from journeys.people import FILES, Account, second_factor_code
from journeys.transport import DEFAULT_BANK_ACCOUNT, Case, Filling, JourneyBroken
from journeys.vocabulary import APPLICATION, DISPUTE, OFFER, REQUEST
from services.applications.form_names import (
    check_path,
    field_name,
    material_key,
    material_name,
    step_paths,
    supplement_file_name,
)

CLERK_PATHS = {
    "claim": "claim",
    "release": "release",
    "resume": "resume",
    "approve": "approve",
    "reject": "reject",
    "suspend": "suspend",
    "request_notice": "request-notice",
    "request_extension": "request-extension",
}


# Where the person who opened a case reads it, by kind.
CASE_PAGES = {APPLICATION: "/applications", REQUEST: "/requests", DISPUTE: "/disputes", OFFER: "/benefits"}
ACCOUNT_FIELDS = ("bank_account", "bank_name")
# The dispute's task, by its agency: the page's forms post here (the dispute page shows them all).
MEDIATION_PATHS = {
    "claim_dispute": "claim",
    "schedule_session": "schedule",
    "record_agreement": "agreement",
    "record_no_agreement": "no-agreement",
    "confirm_agreement": "confirm",
}


def session_moment(text: str) -> str:
    """A journey's China time as a datetime-local input holds it."""
    return text.strip().replace(" ", "T")[:16]


def approval_form(args: dict) -> dict:
    """The approve form: a note, and the amount due when the task decides a disputed benefit amount."""
    data = {"note": args.get("note", "")}
    if "amount" in args:
        data["decided_amount"] = str(args["amount"])
    return data


def offer_dispute_form(args: dict) -> dict:
    """The offer's "the amount is wrong" form."""
    return {"claimed_amount": str(args["amount"]), "dispute_reason": args["reason"]}


class PageTransport:
    def __init__(self, new_client: Callable[[], object]):
        self.new_client = new_client
        self.clients: dict[str, object] = {}
        self.used_steps: dict[str, int] = {}
        self.problems: dict[str, str] = {}  # a common problem's title -> its key, once created

    def client(self, account: Account):
        if account.name not in self.clients:
            self.clients[account.name] = self.new_client()
        return self.clients[account.name]

    def _send(
        self, account: Account, page_path: str, action: str, data: dict | None = None, files: Files | None = None
    ) -> Outcome:
        """Open the page, then send one of its forms with the page's CSRF token, as a person does."""
        client = self.client(account)
        page = client.get(page_path)
        if page.status >= 400:
            return Outcome.of(page)
        return Outcome.of(client.post(action, {"csrf_token": page.csrf() or "", **(data or {})}, files))

    # --- accounts --------------------------------------------------------------------

    def register(self, account: Account) -> Outcome:
        profile = account.profile
        if account.actor.role == "citizen":
            path = "/register"
            data = {
                "full_name": profile["full_name"],
                "id_number": profile["id_number"],
                "mobile": profile["mobile"],
                "address": profile["address"],
            }
        else:
            path = "/register/company"
            data = {
                "company_name": profile["company_name"],
                "credit_code": profile["credit_code"],
                "legal_representative": profile["legal_representative"],
                "mobile": profile["mobile"],
                "address": profile["address"],
            }
        data.update(password=account.password, confirm=account.password, email="")
        return self._send(account, path, path, data)

    def login(self, account: Account) -> Outcome:
        outcome = self._send(account, "/login", "/login", {"login": account.login, "password": account.password})
        if outcome.page == "/login/code":  # staff: the second factor, as their app shows it
            outcome = self._send(
                account,
                "/login/code",
                "/login/code",
                {"code": second_factor_code(account.totp_secret or "", self.used_steps)},
            )
        return (
            outcome
            if not outcome.page.startswith("/login")
            else Outcome(False, outcome.message or f"still on the sign-in page {outcome.page}")
        )

    def page_text(self, account: Account, case: Case) -> str:
        page = self.client(account).get(f"{CASE_PAGES[case.kind]}/{case.key}")
        if page.status >= 400:
            raise JourneyBroken(f"the applicant cannot open the {case.kind}'s page: {page.message()}")
        return page.text()

    def screenshot(self, account: Account) -> bytes | None:
        return None

    def close(self) -> None:
        self.clients.clear()

    # --- the applicant ------------------------------------------------------------------

    def apply(self, account: Account, case: Case, filling: Filling) -> Outcome:
        code = case.service.code
        started = self._send(account, f"/services/{code}", f"/apply/{code}")
        if not started.ok or not started.page.endswith("/edit"):
            return Outcome(False, started.message or f"no draft was opened (ended on {started.page})", started.page)
        case.key = started.page.split("/")[2]
        return self._fill(account, case, filling, "save")

    def _fill(self, account: Account, case: Case, filling: Filling, action: str) -> Outcome:
        """Each step's page filled in and saved, as a person goes through them; then, to submit, the check page."""
        client = self.client(account)
        assert case.key is not None  # the case was started
        pages = []
        for path in step_paths(case.key, case.service):
            page = client.get(path)
            if page.status >= 400 or page.path != path:  # no longer editable: only the check page is left
                pages = []
                break
            pages.append((path, page))
        inputs = {name for _, page in pages for name in page.file_inputs()}
        for key, kind in filling.materials.items():
            if pages and material_name(key) not in inputs and kind != "missing":
                return Outcome(False, f"the form has no file input for {key!r}: the wallet supplies it", pages[0][0])
        outcome = Outcome(True)
        for path, page in pages:
            data = page.form_values()
            for spec in case.service.fields:
                name = field_name(spec.key)
                if name not in data:
                    continue
                if spec.key in filling.fields:
                    data[name] = "" if filling.fields[spec.key] is None else str(filling.fields[spec.key])
                elif not data.get(name) and spec.key in filling.auto:
                    data[name] = filling.auto[spec.key]
            if filling.delivery:
                data["delivery_method"] = filling.delivery
            files = {}
            for name in page.file_inputs():
                key = material_key(name)
                kind = key and filling.upload_for(key)
                if kind:
                    files[name] = FILES[kind]
            data.update(action="save", csrf_token=page.csrf() or "")
            outcome = Outcome.of(client.post(path, data, files))
            if not outcome.ok:
                return outcome
        if action != "submit":
            return outcome
        return self._send(account, check_path(case.key), check_path(case.key))

    def submit(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._fill(account, case, Filling(), "submit")

    def submit_twice(self, account: Account, case: Case, args: dict) -> Outcome:
        """Two tabs on the check page, both sending it: the second must land on the same application."""
        client = self.client(account)
        assert case.key is not None  # the case was started
        check = check_path(case.key)
        tabs = [client.get(check), client.get(check)]
        results = [client.post(check, {**tab.form_values(), "csrf_token": tab.csrf() or ""}) for tab in tabs]
        refused = [page for page in results if page.refused]
        return Outcome.of(refused[0] if refused else results[-1])

    def resubmit(self, account: Account, case: Case, filling: Filling) -> Outcome:
        return self._fill(account, case, filling, "submit")

    def withdraw(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._send(
            account,
            f"/applications/{case.key}",
            f"/applications/{case.key}/withdraw",
            {"reason": args.get("reason", "")},
        )

    def supplement(self, account: Account, case: Case, args: dict) -> Outcome:
        material = args["material"]
        return self._send(
            account,
            f"/applications/{case.key}",
            f"/applications/{case.key}/supplement/{material}",
            files={supplement_file_name(material): FILES[args.get("file", "pdf")]},
        )

    def rate(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._send(
            account,
            f"/applications/{case.key}",
            f"/applications/{case.key}/rate",
            {"score": str(args["score"]), "comment": args.get("comment", "")},
        )

    # --- the front desk ---------------------------------------------------------------------

    def _desk(self, account: Account, case: Case, action: str, data: dict | None = None) -> Outcome:
        review = f"/desk/applications/{case.key}"
        return self._send(account, review, f"{review}/{action}", data)

    def accept(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._desk(account, case, "accept", {"tolerate": "y"} if args.get("tolerate") else {})

    def notice(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"new_fact": args.get("new_fact", "")}
        for item in args["items"]:
            kind = "field" if "field" in item else "material"
            data[f"tick_{kind}_{item[kind]}"] = "y"
            data[f"reason_{kind}_{item[kind]}"] = item["reason"]
        return self._desk(account, case, "notice", data)

    def refuse(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._desk(account, case, "refuse", {"reason": args["reason"]})

    def record_visit(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._desk(account, case, "visit", {"purpose": args["purpose"]})

    def deliver(self, account: Account, case: Case, args: dict) -> Outcome:
        task = case.task_key(args["item"])
        return self._send(
            account,
            "/desk/deliveries",
            f"/desk/deliveries/{task}",
            {"tracking_number": args.get("tracking_number", "")},
        )

    # --- the department clerk ----------------------------------------------------------------

    def _clerk(self, verb: str, account: Account, case: Case, data: dict | None = None, item: str = "") -> Outcome:
        task = f"/clerk/tasks/{case.task_key(item)}"
        return self._send(account, task, f"{task}/{CLERK_PATHS[verb]}", data)

    def claim(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk("claim", account, case, item=args["item"])

    def release(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk("release", account, case, item=args["item"])

    def resume(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk("resume", account, case, item=args["item"])

    def approve(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk("approve", account, case, approval_form(args), args["item"])

    def reject(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk("reject", account, case, {"reason": args["reason"]}, args["item"])

    def suspend(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk(
            "suspend", account, case, {"procedure": args["procedure"], "reason": args["reason"]}, args["item"]
        )

    def request_notice(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk("request_notice", account, case, {"reason": args["reason"]}, args["item"])

    def request_extension(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk(
            "request_extension", account, case, {"days": str(args["days"]), "reason": args["reason"]}, args["item"]
        )

    # --- the supervisor -------------------------------------------------------------------------

    def _extension(self, account: Account, case: Case, item: str, decision: str, answer: str) -> Outcome:
        return self._send(
            account,
            "/supervisor/extensions",
            f"/supervisor/extensions/{case.task_key(item)}",
            {"decision": decision, "answer": answer},
        )

    def grant_extension(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._extension(account, case, args["item"], "grant", args.get("answer", ""))

    def refuse_extension(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._extension(account, case, args["item"], "refuse", args["answer"])

    def answer_rectification(self, account: Account, case: Case, args: dict) -> Outcome:
        key = case.rectification_key(args.get("department"))
        return self._send(
            account, "/supervisor/rectifications", f"/supervisor/rectifications/{key}", {"answer": args["answer"]}
        )

    # --- enterprise requests (企呼我应) ---------------------------------------------------------

    def raise_request(self, account: Account, case: Case, args: dict) -> Outcome:
        client = self.client(account)
        page = client.get("/requests/new")
        if page.status >= 400:
            return Outcome.of(page)
        data = {
            **page.form_values(),
            "category": args["category"],
            "description": args["description"],
            "concerns_department": args.get("concerns_department", ""),
            "csrf_token": page.csrf() or "",
        }
        kinds = list(args.get("attachments", ()))[:1]  # the schema allows one file
        files = {"attachments": FILES[kinds[0]]} if kinds else None
        outcome = Outcome.of(client.post("/requests/new", data, files))
        if outcome.ok:
            case.key = outcome.page.split("/")[2]
        return outcome

    def _office(self, account: Account, case: Case, action: str, data: dict) -> Outcome:
        page = f"/office/requests/{case.key}"
        return self._send(account, page, f"{page}/{action}", data)

    def route_request(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._office(account, case, "route", {"lead": args["lead"], "co_handlers": args.get("co_handlers", [])})

    def answer_request(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._office(account, case, "answer", {"answer": args["answer"]})

    def answer_again(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._office(account, case, "answer-again", {"answer": args["answer"]})

    def _handle(self, account: Account, case: Case, action: str, data: dict | None = None) -> Outcome:
        """The clerk's department's task on the request."""
        task = f"/department/requests/tasks/{case.task_key(account.actor.department or '')}"
        return self._send(account, task, f"{task}/{action}", data)

    def claim_request(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._handle(account, case, "claim")

    def give_input(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._handle(account, case, "input", {"answer": args["text"]})

    def draft_answer(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._handle(account, case, "answer", {"answer": args["answer"]})

    def _firm(self, account: Account, case: Case, action: str, data: dict | None = None) -> Outcome:
        return self._send(account, f"/requests/{case.key}", f"/requests/{case.key}/{action}", data)

    def confirm_solved(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._firm(account, case, "confirm")

    def reopen(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._firm(account, case, "reopen", {"reason": args["reason"]})

    def close_unsolved(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._firm(account, case, "close")

    def rate_request(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._firm(account, case, "rate", {"score": str(args["score"]), "comment": args.get("comment", "")})

    def create_problem(self, account: Account, case: Case, args: dict) -> Outcome:
        category = case.state()["category"]
        outcome = self._send(
            account, "/office/problems", "/office/problems", {"title": args["title"], "category": category}
        )
        if outcome.ok:
            self.problems[args["title"]] = outcome.page.rsplit("/", 1)[-1]
        return outcome

    def _problem_key(self, title: str) -> str:
        if title not in self.problems:
            raise JourneyBroken(f"no common problem {title!r} was created in this journey")
        return self.problems[title]

    def link_problem(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._office(account, case, "link", {"problem": self._problem_key(args["problem"])})

    def answer_problem(self, account: Account, case: Case, args: dict) -> Outcome:
        page = f"/office/problems/{self._problem_key(args['problem'])}"
        return self._send(account, page, f"{page}/answer", {"answer": args["answer"]})

    # --- disputes (最多跑一地) ------------------------------------------------------------------

    def file_dispute(self, account: Account, case: Case, args: dict) -> Outcome:
        client = self.client(account)
        page = client.get("/disputes/new")
        if page.status >= 400:
            return Outcome.of(page)
        data = {
            **page.form_values(),
            "counterparty": args["counterparty"],
            "kind": args["kind"],
            "centre": args["centre"],
            "claim": args["claim"],
            "csrf_token": page.csrf() or "",
        }
        kinds = list(args.get("evidence", ()))[:1]  # the schema allows one file
        outcome = Outcome.of(client.post("/disputes/new", data, {"evidence": FILES[kinds[0]]} if kinds else None))
        if outcome.ok:
            case.key = outcome.page.split("/")[2]
        return outcome

    def _dispute(self, account: Account, case: Case, action: str, data: dict | None = None) -> Outcome:
        return self._send(account, f"/disputes/{case.key}", action, data)

    def register_dispute(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._dispute(account, case, f"/centre/disputes/{case.key}/register", {"routes": args["routes"]})

    def escalate_dispute(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"centre": args["centre"], "reason": args["reason"]}
        return self._dispute(account, case, f"/centre/disputes/{case.key}/escalate", data)

    def answer_claim(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._dispute(account, case, f"/disputes/{case.key}/answer", {"answer": args["answer"]})

    def request_confirmation(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._dispute(account, case, f"/disputes/{case.key}/request-confirmation")

    def _mediate(self, verb: str, account: Account, case: Case, data: dict | None = None) -> Outcome:
        task = case.task_key(account.actor.department or "")
        return self._dispute(account, case, f"/mediation/tasks/{task}/{MEDIATION_PATHS[verb]}", data)

    def claim_dispute(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._mediate("claim_dispute", account, case)

    def schedule_session(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"at": session_moment(args["at"]), "place": args["place"]}
        return self._mediate("schedule_session", account, case, data)

    def record_agreement(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._mediate("record_agreement", account, case, {"terms": args["terms"]})

    def record_no_agreement(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"referral": args["referral"], "reason": args["reason"]}
        return self._mediate("record_no_agreement", account, case, data)

    def confirm_agreement(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._mediate("confirm_agreement", account, case)

    # --- benefit offers (免申即享) ------------------------------------------------------------

    def find_offer(self, account: Account, case: Case, args: dict) -> Outcome:
        """My benefits lists the offer: the person opens it from there."""
        client = self.client(account)
        listing = client.get("/benefits")
        if listing.status >= 400:
            return Outcome.of(listing)
        key = args.get("offer_key")
        if key is None or f'href="/benefits/{key}"' not in listing.html:
            return Outcome(False, f"My benefits lists no offer of {args['policy']}", listing.path)
        page = client.get(f"/benefits/{key}")
        if page.status < 400:
            case.key = key
        return Outcome.of(page)

    def accept_offer(self, account: Account, case: Case, args: dict) -> Outcome:
        """One click, into the account the page proposes (or the step's, or a default where it proposes none)."""
        client = self.client(account)
        page = client.get(f"/benefits/{case.key}")
        if page.status >= 400:
            return Outcome.of(page)
        shown = page.form_values(set(ACCOUNT_FIELDS))
        data = {
            name: args.get(name) or shown.get(name) or default
            for name, default in zip(ACCOUNT_FIELDS, DEFAULT_BANK_ACCOUNT, strict=True)
        }
        return Outcome.of(client.post(f"/benefits/{case.key}/accept", {"csrf_token": page.csrf() or "", **data}))

    def decline_offer(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"decline_reason": args["reason"], "decline_note": args.get("note", "")}
        return self._send(account, f"/benefits/{case.key}", f"/benefits/{case.key}/decline", data)

    def dispute_offer(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._send(account, f"/benefits/{case.key}", f"/benefits/{case.key}/dispute", offer_dispute_form(args))
