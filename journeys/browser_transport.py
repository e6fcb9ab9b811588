"""The step vocabulary in Chromium: each person has a browser context, opens the page and clicks.

When the page offers no control for the step (the button is not shown to this person
at this moment), the browser sends the form anyway, as a tab left open from earlier
would, so the server's own refusal is what the journey reads — the same words as over
HTTP — prefixed with what the page did not offer.
"""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from journeys.page_transport import (
    ACCOUNT_FIELDS,
    CASE_PAGES,
    MEDIATION_PATHS,
    approval_form,
    offer_dispute_form,
    session_moment,
)
from journeys.pages import Outcome, Page
from journeys.people import FILES, Account, second_factor_code
from journeys.transport import DEFAULT_BANK_ACCOUNT, Case, Filling, JourneyBroken
from services.applications.form_names import (
    check_path,
    field_name,
    material_key,
    material_name,
    step_paths,
    supplement_file_name,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
CONFIRMATION = re.compile(r"/applications/[^/]+/submitted$")
ENGLISH = {"Accept-Language": "en"}


def launch_chromium(headless: bool = True, slow_mo: float = 0):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    args = CHROMIUM_ARGS + (["--headless"] if headless else [])
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=headless, slow_mo=slow_mo)
    return playwright, browser


def _typed(data: dict) -> Callable[[object], None]:
    """Fill each of the form's controls named in `data`, as a person types or picks: a list picks several."""

    def fill(form) -> None:
        for name, value in data.items():
            control = form.locator(f"[name={name}]")
            if control.first.evaluate("element => element.tagName") == "SELECT":
                control.select_option(value)
            elif control.first.get_attribute("type") == "radio":
                form.locator(f"[name={name}][value='{value}']").check()
            else:
                control.fill(value)

    return fill


def _file(kind: str) -> dict:
    name, content, content_type = FILES[kind]
    return {"name": name, "mimeType": content_type, "buffer": content}


class BrowserTransport:
    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base = base_url.rstrip("/")
        self.contexts: dict[str, object] = {}
        self.tabs: dict[str, object] = {}
        self.used_steps: dict[str, int] = {}
        self.problems: dict[str, str] = {}  # a common problem's title -> its key, once created

    def tab(self, account: Account):
        if account.name not in self.tabs:
            context = self.browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            # The draft form asks before leaving unsaved typing; a person would leave.
            page.on("dialog", lambda dialog: dialog.accept())
            self.contexts[account.name], self.tabs[account.name] = context, page
        return self.tabs[account.name]

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()
        self.contexts.clear()
        self.tabs.clear()

    # --- reading ----------------------------------------------------------------------------

    @staticmethod
    def _page(tab, status: int) -> Page:
        return Page(status, urlsplit(tab.url).path, tab.content())

    def _open(self, account: Account, path: str) -> tuple[object, int]:
        tab = self.tab(account)
        response = tab.goto(self.base + path)
        return tab, response.status if response else 200

    def _click(self, tab, button) -> Outcome:
        with tab.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        return Outcome.of(self._page(tab, response.status if response else 200))

    def _stale_post(self, account: Account, tab, action: str, data: dict, files: dict | None, missing: str) -> Outcome:
        """Send the form the page no longer offers, with the page's CSRF token, and read the answer."""
        token = tab.locator('meta[name="csrf-token"]').get_attribute("content") if tab.url.startswith(self.base) else ""
        form = {"csrf_token": token or "", **data}
        multipart = {name: _file(kind) for name, kind in (files or {}).items()}
        request = self.contexts[account.name].request
        # The context's locale covers navigations only; the form is sent as the page would send it, in English.
        if multipart:
            response = request.post(self.base + action, multipart={**form, **multipart}, headers=ENGLISH)
        else:
            response = request.post(self.base + action, form=form, headers=ENGLISH)
        outcome = Outcome.of(Page(response.status, urlsplit(response.url).path, response.text()))
        return Outcome(outcome.ok, f"(the page offers no {missing}) {outcome.message}".strip(), outcome.page)

    def _form_step(
        self,
        account: Account,
        page_path: str,
        action: str,
        what: str,
        data: dict,
        fill: Callable[[object], None] | None = None,
        button: str = "button[type=submit]",
        form_filter: str = "",
        files: dict | None = None,
    ) -> Outcome:
        tab, status = self._open(account, page_path)
        if status >= 400:
            return Outcome.of(self._page(tab, status))
        form = tab.locator(f'form[action="{action}"]{form_filter}')
        control = form.locator(button)
        if not control.count():
            return self._stale_post(account, tab, action, data, files, what)
        if fill:
            fill(form)
        return self._click(tab, control.first)

    # --- accounts -------------------------------------------------------------------------

    def register(self, account: Account) -> Outcome:
        profile = account.profile
        if account.actor.role == "citizen":
            path, values = (
                "/register",
                {
                    "#full_name": profile["full_name"],
                    "#id_number": profile["id_number"],
                    "#mobile": profile["mobile"],
                    "#address": profile["address"],
                },
            )
        else:
            path, values = (
                "/register/company",
                {
                    "#company_name": profile["company_name"],
                    "#credit_code": profile["credit_code"],
                    "#legal_representative": profile["legal_representative"],
                    "#mobile": profile["mobile"],
                    "#address": profile["address"],
                },
            )
        tab, _ = self._open(account, path)
        for selector, value in {**values, "#password": account.password, "#confirm": account.password}.items():
            tab.fill(selector, value)
        return self._click(tab, tab.locator("main form button[type=submit]"))

    def login(self, account: Account) -> Outcome:
        tab, _ = self._open(account, "/login")
        tab.fill("#login", account.login)
        tab.fill("#password", account.password)
        outcome = self._click(tab, tab.locator("main form button[type=submit]"))
        if outcome.page == "/login/code":  # staff: the second factor, as their app shows it
            tab.fill("#code", second_factor_code(account.totp_secret or "", self.used_steps))
            outcome = self._click(tab, tab.locator("main form button[type=submit]").first)
        return (
            outcome
            if not outcome.page.startswith("/login")
            else Outcome(False, outcome.message or f"still on the sign-in page {outcome.page}")
        )

    def page_text(self, account: Account, case: Case) -> str:
        tab, _ = self._open(account, f"{CASE_PAGES[case.kind]}/{case.key}")
        return tab.inner_text("main")

    def screenshot(self, account: Account) -> bytes | None:
        tab = self.tabs.get(account.name)
        return tab.screenshot(full_page=True) if tab is not None else None

    # --- the applicant ---------------------------------------------------------------------------

    def apply(self, account: Account, case: Case, filling: Filling) -> Outcome:
        code = case.service.code
        started = self._form_step(account, f"/services/{code}", f"/apply/{code}", "Apply online button", {})
        if not started.ok or not started.page.endswith("/edit"):
            return Outcome(False, started.message or f"no draft was opened (ended on {started.page})", started.page)
        case.key = started.page.split("/")[2]
        return self._fill(account, case, filling, "save")

    def _fill(self, account: Account, case: Case, filling: Filling, action: str) -> Outcome:
        """Through each step's page, typing and saving; then, to submit, the check page's button."""
        assert case.key is not None  # the case was started
        paths = step_paths(case.key, case.service)
        tab = self.tab(account)
        names: list[str | None] = []
        for path in paths:  # which materials ask for a file, over all the steps, before anything is typed
            tab, status = self._open(account, path)
            if status >= 400 or urlsplit(tab.url).path != path:
                paths = []
                break
            inputs = tab.locator("#application-form input[type=file]")
            names += [inputs.nth(i).get_attribute("name") for i in range(inputs.count())]
        for key, kind in filling.materials.items():
            if paths and material_name(key) not in names and kind != "missing":
                return Outcome(False, f"the form has no file input for {key!r}: the wallet supplies it", paths[0])
        outcome = Outcome(True)
        for path in paths:
            tab, status = self._open(account, path)
            outcome = self._fill_step(tab, case, filling)
            if not outcome.ok:
                return outcome
        if action != "submit":
            return outcome
        check = check_path(case.key)
        tab, status = self._open(account, check)
        button = tab.locator("#submit-form button[value=submit]")
        if status >= 400 or not button.count():
            page = self._page(tab, status)
            return self._stale_post(account, tab, check, page.form_values(), None, "submit button")
        return self._click(tab, button)

    def _fill_step(self, tab, case: Case, filling: Filling) -> Outcome:
        for spec in case.service.fields:
            field = tab.locator(f"#{field_name(spec.key)}")
            if not field.count():
                continue
            typed = filling.fields.get(spec.key)
            if typed is None and not field.input_value() and spec.key in filling.auto:
                typed = filling.auto[spec.key]
            if typed is None:
                continue
            if spec.type == "select":
                field.select_option(str(typed))
            else:
                field.fill(str(typed))
        inputs = tab.locator("#application-form input[type=file]")
        for name in [inputs.nth(i).get_attribute("name") for i in range(inputs.count())]:
            key = material_key(name or "")
            kind = key and filling.upload_for(key)
            if kind:
                tab.set_input_files(f"input[name={name}]", files=[_file(kind)])
        if filling.delivery and tab.locator(f"#delivery-{filling.delivery}").count():
            tab.check(f"#delivery-{filling.delivery}")
        return self._click(tab, tab.locator("#application-form button[value=save]"))

    def submit(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._fill(account, case, Filling(), "submit")

    def submit_twice(self, account: Account, case: Case, args: dict) -> Outcome:
        """Two tabs on the check page; both send it at once."""
        assert case.key is not None  # the case was started
        check = check_path(case.key)
        first, _ = self._open(account, check)
        second = self.contexts[account.name].new_page()
        second.goto(self.base + check)
        try:
            for tab in (first, second):
                tab.locator("#submit-form button[value=submit]").click(no_wait_after=True)
            for tab in (first, second):
                tab.wait_for_url(CONFIRMATION)
            return Outcome.of(self._page(second, 200))
        finally:
            second.close()

    def resubmit(self, account: Account, case: Case, filling: Filling) -> Outcome:
        return self._fill(account, case, filling, "submit")

    def withdraw(self, account: Account, case: Case, args: dict) -> Outcome:
        def fill(form):
            form.page.locator("details:has(form[action$='/withdraw']) > summary").click()
            form.locator("#reason").fill(args.get("reason", ""))

        return self._form_step(
            account,
            f"/applications/{case.key}",
            f"/applications/{case.key}/withdraw",
            "Withdraw button",
            {"reason": args.get("reason", "")},
            fill,
        )

    def supplement(self, account: Account, case: Case, args: dict) -> Outcome:
        material, kind = args["material"], args.get("file", "pdf")
        action = f"/applications/{case.key}/supplement/{material}"
        return self._form_step(
            account,
            f"/applications/{case.key}",
            action,
            f"hand-in form for {material}",
            {},
            lambda form: form.locator("input[type=file]").set_input_files(files=[_file(kind)]),
            files={supplement_file_name(material): kind},
        )

    def rate(self, account: Account, case: Case, args: dict) -> Outcome:
        def fill(form):
            form.locator(f"input[name=score][value='{args['score']}']").check()
            form.locator("textarea[name=comment]").fill(args.get("comment", ""))

        return self._form_step(
            account,
            f"/applications/{case.key}",
            f"/applications/{case.key}/rate",
            "rating form",
            {"score": str(args["score"]), "comment": args.get("comment", "")},
            fill,
        )

    # --- the front desk ----------------------------------------------------------------------

    def accept(self, account: Account, case: Case, args: dict) -> Outcome:
        tolerate = bool(args.get("tolerate"))
        review = f"/desk/applications/{case.key}"
        which = ":has(input[name=tolerate])" if tolerate else ":not(:has(input[name=tolerate]))"
        what = "Accept with tolerated gap button" if tolerate else "plain Accept button"
        return self._form_step(
            account, review, f"{review}/accept", what, {"tolerate": "y"} if tolerate else {}, form_filter=which
        )

    def notice(self, account: Account, case: Case, args: dict) -> Outcome:
        review = f"/desk/applications/{case.key}"
        data = {"new_fact": args.get("new_fact", "")}
        for item in args["items"]:
            kind = "field" if "field" in item else "material"
            data.update({f"tick_{kind}_{item[kind]}": "y", f"reason_{kind}_{item[kind]}": item["reason"]})
        tab, status = self._open(account, review)
        form = tab.locator(f'form[action="{review}/notice"]')
        offers_fact = tab.locator("#notice-new-fact").count() > 0
        if status >= 400 or not form.count() or (args.get("new_fact") and not offers_fact):
            return self._stale_post(account, tab, f"{review}/notice", data, None, "notice form for this")
        boxes = form.locator("input[type=checkbox][name^=tick_]")
        for i in range(boxes.count()):
            boxes.nth(i).uncheck()
        for item in args["items"]:
            kind = "field" if "field" in item else "material"
            form.locator(f"#tick_{kind}_{item[kind]}").check()
            form.locator(f"#reason_{kind}_{item[kind]}").fill(item["reason"])
        if args.get("new_fact"):
            form.locator("#notice-new-fact").fill(args["new_fact"])
        return self._click(tab, form.locator("button[type=submit]"))

    def refuse(self, account: Account, case: Case, args: dict) -> Outcome:
        review = f"/desk/applications/{case.key}"
        return self._form_step(
            account,
            review,
            f"{review}/refuse",
            "Not accept button",
            {"reason": args["reason"]},
            lambda form: form.locator("#refuse-reason").fill(args["reason"]),
        )

    def record_visit(self, account: Account, case: Case, args: dict) -> Outcome:
        review = f"/desk/applications/{case.key}"
        return self._form_step(
            account,
            review,
            f"{review}/visit",
            "Record a visit button",
            {"purpose": args["purpose"]},
            lambda form: form.locator("#visit-purpose").fill(args["purpose"]),
        )

    def deliver(self, account: Account, case: Case, args: dict) -> Outcome:
        number = args.get("tracking_number", "")

        def fill(form):
            field = form.locator("input[name=tracking_number]")
            if field.count():
                field.fill(number)

        return self._form_step(
            account,
            "/desk/deliveries",
            f"/desk/deliveries/{case.task_key(args['item'])}",
            "delivery button",
            {"tracking_number": number},
            fill,
        )

    # --- the department clerk ---------------------------------------------------------------------

    def _clerk(
        self,
        account: Account,
        case: Case,
        item: str,
        path: str,
        what: str,
        data: dict,
        fill: Callable[[object], None] | None = None,
    ) -> Outcome:
        task = f"/clerk/tasks/{case.task_key(item)}"
        return self._form_step(account, task, f"{task}/{path}", what, data, fill)

    def claim(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk(account, case, args["item"], "claim", "Claim button", {})

    def release(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk(account, case, args["item"], "release", "Release button", {})

    def resume(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk(account, case, args["item"], "resume", "Resume button", {})

    def approve(self, account: Account, case: Case, args: dict) -> Outcome:
        data = approval_form(args)
        return self._clerk(account, case, args["item"], "approve", "Approve button", data, _typed(data))

    def reject(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk(
            account,
            case,
            args["item"],
            "reject",
            "Reject button",
            {"reason": args["reason"]},
            lambda form: form.locator("#reject-reason").fill(args["reason"]),
        )

    def suspend(self, account: Account, case: Case, args: dict) -> Outcome:
        def fill(form):
            form.locator("#suspend-procedure").select_option(args["procedure"])
            form.locator("#suspend-reason").fill(args["reason"])

        return self._clerk(
            account,
            case,
            args["item"],
            "suspend",
            "Suspend button",
            {"procedure": args["procedure"], "reason": args["reason"]},
            fill,
        )

    def request_notice(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._clerk(
            account,
            case,
            args["item"],
            "request-notice",
            "Ask for a notice button",
            {"reason": args["reason"]},
            lambda form: form.locator("#notice-request-reason").fill(args["reason"]),
        )

    def request_extension(self, account: Account, case: Case, args: dict) -> Outcome:
        def fill(form):
            form.locator("#extension-days").fill(str(args["days"]))
            form.locator("#extension-reason").fill(args["reason"])

        return self._clerk(
            account,
            case,
            args["item"],
            "request-extension",
            "Ask for an extension button",
            {"days": str(args["days"]), "reason": args["reason"]},
            fill,
        )

    # --- the supervisor -------------------------------------------------------------------------------

    def _extension(self, account: Account, case: Case, item: str, decision: str, answer: str) -> Outcome:
        return self._form_step(
            account,
            "/supervisor/extensions",
            f"/supervisor/extensions/{case.task_key(item)}",
            f"{decision} button",
            {"decision": decision, "answer": answer},
            lambda form: form.locator("input[name=answer]").fill(answer),
            button=f"button[value={decision}]",
        )

    def grant_extension(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._extension(account, case, args["item"], "grant", args.get("answer", ""))

    def refuse_extension(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._extension(account, case, args["item"], "refuse", args["answer"])

    def answer_rectification(self, account: Account, case: Case, args: dict) -> Outcome:
        action = f"/supervisor/rectifications/{case.rectification_key(args.get('department'))}"
        return self._form_step(
            account,
            "/supervisor/rectifications",
            action,
            "answer form",
            {"answer": args["answer"]},
            lambda form: form.locator("textarea[name=answer]").fill(args["answer"]),
        )

    # --- enterprise requests (企呼我应) ---------------------------------------------------------

    def raise_request(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {
            "category": args["category"],
            "description": args["description"],
            "concerns_department": args.get("concerns_department", ""),
        }
        kinds = list(args.get("attachments", ()))[:1]

        def fill(form) -> None:
            _typed(data)(form)
            if kinds:
                form.locator("input[name=attachments]").set_input_files(files=[_file(kind) for kind in kinds])

        files = {"attachments": kinds[0]} if kinds else None
        outcome = self._form_step(account, "/requests/new", "/requests/new", "request form", data, fill, files=files)
        if outcome.ok:
            case.key = outcome.page.split("/")[2]
        return outcome

    def _office(self, account: Account, case: Case, action: str, what: str, data: dict) -> Outcome:
        page = f"/office/requests/{case.key}"
        return self._form_step(account, page, f"{page}/{action}", what, data, _typed(data))

    def route_request(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"lead": args["lead"], "co_handlers": args.get("co_handlers", [])}
        return self._office(account, case, "route", "routing form", data)

    def answer_request(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._office(account, case, "answer", "direct answer form", {"answer": args["answer"]})

    def answer_again(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._office(account, case, "answer-again", "second answer form", {"answer": args["answer"]})

    def _handle(self, account: Account, case: Case, action: str, what: str, data: dict | None = None) -> Outcome:
        task = f"/department/requests/tasks/{case.task_key(account.actor.department or '')}"
        return self._form_step(account, task, f"{task}/{action}", what, data or {}, _typed(data or {}))

    def claim_request(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._handle(account, case, "claim", "Claim button")

    def give_input(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._handle(account, case, "input", "input form", {"answer": args["text"]})

    def draft_answer(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._handle(account, case, "answer", "answer form", {"answer": args["answer"]})

    def _firm(self, account: Account, case: Case, action: str, what: str, data: dict | None = None) -> Outcome:
        page = f"/requests/{case.key}"
        return self._form_step(account, page, f"{page}/{action}", what, data or {}, _typed(data or {}))

    def confirm_solved(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._firm(account, case, "confirm", "Solved button")

    def reopen(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._firm(account, case, "reopen", "Reopen form", {"reason": args["reason"]})

    def close_unsolved(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._firm(account, case, "close", "Close as not solved button")

    def rate_request(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"score": str(args["score"]), "comment": args.get("comment", "")}
        return self._firm(account, case, "rate", "rating form", data)

    def create_problem(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"title": args["title"], "category": case.state()["category"]}
        outcome = self._form_step(
            account, "/office/problems", "/office/problems", "common problem form", data, _typed(data)
        )
        if outcome.ok:
            self.problems[args["title"]] = outcome.page.rsplit("/", 1)[-1]
        return outcome

    def _problem_key(self, title: str) -> str:
        if title not in self.problems:
            raise JourneyBroken(f"no common problem {title!r} was created in this journey")
        return self.problems[title]

    def link_problem(self, account: Account, case: Case, args: dict) -> Outcome:
        return self._office(account, case, "link", "link form", {"problem": self._problem_key(args["problem"])})

    def answer_problem(self, account: Account, case: Case, args: dict) -> Outcome:
        page = f"/office/problems/{self._problem_key(args['problem'])}"
        data = {"answer": args["answer"]}
        return self._form_step(account, page, f"{page}/answer", "policy answer form", data, _typed(data))

    # --- disputes (最多跑一地) ------------------------------------------------------------------

    def file_dispute(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {
            "counterparty": args["counterparty"],
            "kind": args["kind"],
            "centre": args["centre"],
            "claim": args["claim"],
        }
        kinds = list(args.get("evidence", ()))[:1]

        def fill(form) -> None:
            _typed(data)(form)
            if kinds:
                form.locator("input[name=evidence]").set_input_files(files=[_file(kind) for kind in kinds])

        files = {"evidence": kinds[0]} if kinds else None
        outcome = self._form_step(account, "/disputes/new", "/disputes/new", "dispute form", data, fill, files=files)
        if outcome.ok:
            case.key = outcome.page.split("/")[2]
        return outcome

    def _dispute(self, account: Account, case: Case, action: str, what: str, data: dict | None = None) -> Outcome:
        return self._form_step(account, f"/disputes/{case.key}", action, what, data or {}, _typed(data or {}))

    def register_dispute(self, account: Account, case: Case, args: dict) -> Outcome:
        action = f"/centre/disputes/{case.key}/register"
        return self._dispute(account, case, action, "register form", {"routes": args["routes"]})

    def escalate_dispute(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"centre": args["centre"], "reason": args["reason"]}
        return self._dispute(account, case, f"/centre/disputes/{case.key}/escalate", "escalation form", data)

    def answer_claim(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"answer": args["answer"]}
        return self._dispute(account, case, f"/disputes/{case.key}/answer", "answer form", data)

    def request_confirmation(self, account: Account, case: Case, args: dict) -> Outcome:
        action = f"/disputes/{case.key}/request-confirmation"
        return self._dispute(account, case, action, "judicial confirmation button")

    def _mediate(self, verb: str, account: Account, case: Case, data: dict | None = None) -> Outcome:
        task = case.task_key(account.actor.department or "")
        action = f"/mediation/tasks/{task}/{MEDIATION_PATHS[verb]}"
        return self._dispute(account, case, action, f"{verb.replace('_', ' ')} form", data)

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
        """My benefits lists the offer: the person clicks it."""
        tab, status = self._open(account, "/benefits")
        if status >= 400:
            return Outcome.of(self._page(tab, status))
        key = args.get("offer_key")
        link = tab.locator(f'main a[href="/benefits/{key}"]')
        if key is None or not link.count():
            return Outcome(False, f"My benefits lists no offer of {args['policy']}", "/benefits")
        outcome = self._click(tab, link.first)
        if outcome.ok:
            case.key = key
        return outcome

    def accept_offer(self, account: Account, case: Case, args: dict) -> Outcome:
        """One click, into the account the page proposes (or the step's, or a default where it proposes none)."""
        given = {name: args[name] for name in ACCOUNT_FIELDS if args.get(name)}

        def fill(form) -> None:
            for name, default in zip(ACCOUNT_FIELDS, DEFAULT_BANK_ACCOUNT, strict=True):
                control = form.locator(f"[name={name}]")
                if name in given or not control.input_value():
                    control.fill(given.get(name, default))

        page, action = f"/benefits/{case.key}", f"/benefits/{case.key}/accept"
        return self._form_step(account, page, action, "accept form", given, fill)

    def decline_offer(self, account: Account, case: Case, args: dict) -> Outcome:
        data = {"decline_reason": args["reason"], "decline_note": args.get("note", "")}
        page, action = f"/benefits/{case.key}", f"/benefits/{case.key}/decline"
        return self._form_step(account, page, action, "decline form", data, _typed(data))

    def dispute_offer(self, account: Account, case: Case, args: dict) -> Outcome:
        data = offer_dispute_form(args)
        page, action = f"/benefits/{case.key}", f"/benefits/{case.key}/dispute"
        return self._form_step(account, page, action, "dispute form", data, _typed(data))
