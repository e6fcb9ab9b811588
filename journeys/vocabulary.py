"""The step vocabulary: every verb a journey may use, who may use it, and its argument's shape.

One table read by the loader (checks and normalisation), by the drivers (one method per
verb) and by a test that keeps `seed_data/journeys/schema.json` in step with it.
"""

from dataclasses import dataclass

from services.workflow.enterprise.actors import OFFICE_DEPARTMENT

# The agency whose clerks confirm a mediation agreement (services/workflow/disputes/rules.py gives it the task).
JUDICIAL_CONFIRMATION_AGENCY = "court_mediation"

# The kinds of case a journey may open; a verb works on the kinds it names.
APPLICATION, REQUEST, DISPUTE = "application", "request", "dispute"
OFFER = "offer"  # a benefit offer (免申即享): the sweep makes it, its subject opens it from My benefits
CASE_KINDS = (APPLICATION, REQUEST, DISPUTE, OFFER)

APPLICANT = ("citizen", "company")
COMPANY = ("company",)
FRONT_DESK = ("front_desk",)
CLERK = ("clerk",)
SUPERVISOR = ("supervisor",)
SYSTEM = ()  # no `as:`: the scheduler's jobs
ROLES = ("citizen", "company", "front_desk", "clerk", "supervisor")
MATERIAL_KINDS = ("pdf", "png", "exe", "missing")
COLOURS = ("green", "amber", "red", "paused", "none")


@dataclass(frozen=True)
class Verb:
    name: str
    roles: tuple[str, ...]
    # What the argument names: "item" (a task of the application), "material", or None.
    target: str | None = None
    # The key a bare scalar argument stands for, e.g. `refuse: why` is `refuse: {reason: why}`.
    scalar: str | None = None
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    summary: str = ""
    kinds: tuple[str, ...] = (APPLICATION,)  # the kinds of case it works on
    opens: str | None = None  # the kind of case it opens (apply: an application)
    department: str | None = None  # the one department whose staff may do it
    opener_only: bool = True  # a person's verb: only whoever opened the case (not the other party) does it
    needs_case: bool = True  # False: a scheduler's job or a data feed that may come before any case

    @property
    def by_applicant(self) -> bool:
        """Done by the person who opened the case (and only by them)."""
        return self.opener_only and bool(self.roles) and set(self.roles) <= set(APPLICANT)

    @property
    def system(self) -> bool:
        return not self.roles

    @property
    def keys(self) -> tuple[str, ...]:
        return self.required + self.optional


# 企呼我应: a firm raises a request, the business-environment office triages it, departments answer it.
REQUEST_VERBS = (
    Verb(
        "raise_request",
        COMPANY,
        scalar="category",
        required=("category",),
        optional=("description", "concerns_department", "attachments", "label"),
        summary="raise an enterprise request (a category; the description is written for you unless given)",
        kinds=(REQUEST,),
        opens=REQUEST,
    ),
    Verb(
        "route_request",
        CLERK,
        required=("lead",),
        optional=("co_handlers",),
        summary="route the request to a lead department and co-handlers",
        kinds=(REQUEST,),
        department=OFFICE_DEPARTMENT,
    ),
    Verb(
        "answer_request",
        CLERK,
        scalar="answer",
        required=("answer",),
        summary="answer the request at triage, without routing it",
        kinds=(REQUEST,),
        department=OFFICE_DEPARTMENT,
    ),
    Verb("claim_request", CLERK, summary="claim the request's task of one's department", kinds=(REQUEST,)),
    Verb(
        "give_input",
        CLERK,
        scalar="text",
        required=("text",),
        summary="a co-handling department's input to the lead",
        kinds=(REQUEST,),
    ),
    Verb(
        "draft_answer",
        CLERK,
        scalar="answer",
        required=("answer",),
        summary="the lead department answers the firm",
        kinds=(REQUEST,),
    ),
    Verb("confirm_solved", COMPANY, summary="the firm confirms the answer solves it", kinds=(REQUEST,)),
    Verb(
        "reopen",
        COMPANY,
        scalar="reason",
        required=("reason",),
        summary="the firm reopens the request (once)",
        kinds=(REQUEST,),
    ),
    Verb(
        "answer_again",
        SUPERVISOR,
        scalar="answer",
        required=("answer",),
        summary="the office's supervisor answers a reopened request",
        kinds=(REQUEST,),
        department=OFFICE_DEPARTMENT,
    ),
    Verb("close_unsolved", COMPANY, summary="the firm closes a reopened request as not solved", kinds=(REQUEST,)),
    Verb(
        "rate_request",
        COMPANY,
        scalar="score",
        required=("score",),
        optional=("comment",),
        summary="rate the closed request (1-5)",
        kinds=(REQUEST,),
    ),
    Verb(
        "create_problem",
        CLERK,
        scalar="title",
        required=("title",),
        summary="create a common problem in the request's category",
        kinds=(REQUEST,),
        department=OFFICE_DEPARTMENT,
    ),
    Verb(
        "link_problem",
        CLERK,
        scalar="problem",
        required=("problem",),
        summary="link the request to a common problem, by its title",
        kinds=(REQUEST,),
        department=OFFICE_DEPARTMENT,
    ),
    Verb(
        "answer_problem",
        CLERK,
        required=("problem", "answer"),
        summary="answer a common problem: every linked request is answered",
        kinds=(REQUEST,),
        department=OFFICE_DEPARTMENT,
    ),
)

# 最多跑一地: a party files a dispute against another, the centre's window registers and routes it,
# a route's agency mediates; an agreement goes to both parties' wallets and may go to the court.
DISPUTE_VERBS = (
    Verb(
        "file_dispute",
        APPLICANT,
        required=("against", "kind", "centre"),
        optional=("claim", "evidence", "label"),
        summary="file a dispute against another actor (the claim is written for you unless given)",
        kinds=(DISPUTE,),
        opens=DISPUTE,
    ),
    Verb(
        "register_dispute",
        FRONT_DESK,
        required=("routes",),
        summary="the centre's window registers the dispute and routes it to agencies",
        kinds=(DISPUTE,),
    ),
    Verb(
        "answer_claim",
        APPLICANT,
        scalar="answer",
        required=("answer",),
        summary="the other party answers the claim",
        kinds=(DISPUTE,),
        opener_only=False,
    ),
    Verb(
        "escalate_dispute",
        FRONT_DESK,
        required=("centre", "reason"),
        summary="send the dispute up to a higher centre",
        kinds=(DISPUTE,),
    ),
    Verb("claim_dispute", CLERK, summary="take up the dispute's task of one's agency", kinds=(DISPUTE,)),
    Verb(
        "schedule_session",
        CLERK,
        required=("at", "place"),
        summary="schedule a mediation session (at: China time; place: online or centre)",
        kinds=(DISPUTE,),
    ),
    Verb(
        "record_agreement",
        CLERK,
        scalar="terms",
        required=("terms",),
        summary="record the agreement: a certificate in both parties' wallets",
        kinds=(DISPUTE,),
    ),
    Verb(
        "record_no_agreement",
        CLERK,
        required=("referral", "reason"),
        summary="record that mediation failed and refer it (arbitration or litigation)",
        kinds=(DISPUTE,),
    ),
    Verb(
        "request_confirmation",
        APPLICANT,
        summary="a party asks the court to confirm the agreement",
        kinds=(DISPUTE,),
        opener_only=False,
    ),
    Verb(
        "confirm_agreement",
        CLERK,
        summary="the court's clerk confirms the agreement (the judicial confirmation task)",
        kinds=(DISPUTE,),
        department=JUDICIAL_CONFIRMATION_AGENCY,
    ),
)

# 免申即享: the sweep offers, the subject opens the offer and answers it, the jobs approve and pay it.
OFFER_VERBS = (
    Verb(
        "find_offer",
        APPLICANT,
        scalar="policy",
        required=("policy",),
        optional=("label",),
        summary="open one's offer of a policy from My benefits (a sweep made it)",
        kinds=(OFFER,),
        opens=OFFER,
    ),
    Verb(
        "accept_offer",
        APPLICANT,
        optional=("bank_account", "bank_name"),
        summary="one click: accept the offer, into the account shown (or the one given)",
        kinds=(OFFER,),
    ),
    Verb(
        "dispute_offer",
        APPLICANT,
        required=("amount", "reason"),
        optional=("review",),
        summary="the amount is wrong (amount: yuan believed due): files the policy's review application, "
        "labelled `review` (default: review)",
        kinds=(OFFER,),
    ),
    Verb(
        "decline_offer",
        APPLICANT,
        scalar="reason",
        required=("reason",),
        optional=("note",),
        summary="decline the offer with a reason (not_needed, not_entitled, other_support, other)",
        kinds=(OFFER,),
    ),
    Verb("benefits_sweep", SYSTEM, summary="the nightly sweep: every policy against everyone", needs_case=False),
    Verb(
        "benefits_sweep_changes",
        SYSTEM,
        summary="the every-minute sweep of the subjects whose facts changed",
        needs_case=False,
    ),
    Verb("benefits_approve", SYSTEM, summary="approve accepted offers in order while budgets last", needs_case=False),
    Verb("benefits_pay", SYSTEM, summary="put every approved offer into a payment batch", needs_case=False),
    Verb(
        "bank_returns",
        SYSTEM,
        optional=("returned",),
        summary="the bank's result file: every offer in a batch paid, but those `returned` (case label: reason)",
        needs_case=False,
    ),
    Verb(
        "government_records",
        SYSTEM,
        required=("of",),
        optional=("company", "insured_months", "monthly_unemployment_yuan", "received"),
        summary="what the government holds about an actor: a firm's register entry and insurance, benefits received",
        needs_case=False,
    ),
    Verb(
        "budget_left",
        SYSTEM,
        required=("policy", "yuan"),
        summary="the policy's budget has this much left (the rest committed before the journey)",
        needs_case=False,
    ),
)

VERBS = {
    verb.name: verb
    for verb in (
        Verb(
            "apply",
            APPLICANT,
            scalar="service",
            required=("service",),
            optional=("fields", "materials", "delivery", "label"),
            summary="start the application and fill its form (fields and materials: auto, or a mapping over auto)",
            opens=APPLICATION,
        ),
        Verb("submit", APPLICANT, summary="submit the application"),
        Verb("submit_twice", APPLICANT, summary="submit from two tabs at once (a double click)"),
        Verb(
            "resubmit",
            APPLICANT,
            optional=("fields", "materials"),
            summary="fix what the notice listed and send it back",
        ),
        Verb("withdraw", APPLICANT, scalar="reason", optional=("reason",), summary="withdraw the application"),
        Verb(
            "supplement",
            APPLICANT,
            target="material",
            scalar="material",
            required=("material",),
            optional=("file",),
            summary="hand in a material acceptance tolerated missing",
        ),
        Verb(
            "rate",
            APPLICANT,
            scalar="score",
            required=("score",),
            optional=("comment",),
            summary="rate the finished application (1-5)",
        ),
        Verb(
            "accept",
            FRONT_DESK,
            scalar="tolerate",
            optional=("tolerate",),
            summary="accept at the front desk, tolerating a non-core gap when asked",
        ),
        Verb(
            "notice",
            FRONT_DESK,
            required=("items",),
            optional=("new_fact",),
            summary="issue the one-time notice listing every gap",
        ),
        Verb("refuse", FRONT_DESK, scalar="reason", required=("reason",), summary="refuse to accept"),
        Verb(
            "record_visit",
            FRONT_DESK,
            scalar="purpose",
            required=("purpose",),
            summary="record that the applicant came in person",
        ),
        Verb(
            "deliver",
            FRONT_DESK,
            target="item",
            scalar="item",
            optional=("item", "tracking_number"),
            summary="post the result or hand it over at the window",
        ),
        Verb("claim", CLERK, target="item", scalar="item", optional=("item",), summary="claim the task"),
        Verb("release", CLERK, target="item", scalar="item", optional=("item",), summary="give the task back"),
        Verb(
            "approve",
            CLERK,
            target="item",
            scalar="item",
            optional=("item", "note", "amount"),
            summary="approve the task (amount: yuan due, when it decides a benefit offer's disputed amount)",
        ),
        Verb(
            "reject",
            CLERK,
            target="item",
            required=("reason",),
            optional=("item",),
            summary="reject the task with a reason",
        ),
        Verb(
            "suspend",
            CLERK,
            target="item",
            required=("procedure", "reason"),
            optional=("item",),
            summary="suspend for a special procedure (the clock stops)",
        ),
        Verb("resume", CLERK, target="item", scalar="item", optional=("item",), summary="end the special procedure"),
        Verb(
            "request_notice",
            CLERK,
            target="item",
            required=("reason",),
            optional=("item",),
            summary="ask the front desk for a notice",
        ),
        Verb(
            "request_extension",
            CLERK,
            target="item",
            required=("days", "reason"),
            optional=("item",),
            summary="ask the supervisor for more working days",
        ),
        Verb(
            "grant_extension",
            SUPERVISOR,
            target="item",
            scalar="item",
            optional=("item", "answer"),
            summary="grant the pending extension",
        ),
        Verb(
            "refuse_extension",
            SUPERVISOR,
            target="item",
            required=("answer",),
            optional=("item",),
            summary="refuse the pending extension",
        ),
        Verb(
            "answer_rectification",
            SUPERVISOR,
            scalar="answer",
            required=("answer",),
            optional=("department",),
            summary="answer a poor rating",
        ),
        *REQUEST_VERBS,
        *DISPUTE_VERBS,
        *OFFER_VERBS,
        Verb(
            "sweep",
            SYSTEM,
            summary="run the SLA sweep (colours, warnings, expired tolerated gaps, late requests escalated)",
            kinds=CASE_KINDS,
        ),
        Verb("send_outbox", SYSTEM, summary="send the notifications waiting in the outbox", kinds=CASE_KINDS),
    )
}

# Keys a step may carry besides its one action.
STEP_KEYS = ("as", "application", "case", "note")  # `case:` is `application:` for any kind
# `advance:` moves the virtual clock.
ADVANCE_UNITS = ("minutes", "hours", "days", "working_days")

EXPECTATIONS = {
    "status": "the application's status",
    "tasks": "each task's status (or {status, deadline, colour, owed}) by item code",
    "deadline": "the application's promised decision date",
    "colour": "the application's clock: green, amber, red, paused or none",
    "visits": "how many visits in person were recorded",
    "breaches": "second_notice, visit_beyond_promise, overdue: true or false",
    "notifications": "messages to an actor about the application: {to, count, sent, contains}",
    "wallet": "certificate types each named actor holds (at least these)",
    "certificates": "certificate types issued for the application (exactly these)",
    "applications": "how many submitted applications each named actor holds",
    "rating": "the applicant's score",
    "rectifications": "rectifications of a poor rating: {open, answered}",
    "sees": "text the applicant sees on the application's page",
    "escalated": "a request: whether it was escalated to the office's supervisor",
    "reopened": "a request: whether the firm reopened it",
    "answer": "a request: a text its current answer contains; a dispute: the other party's answer",
    "centre": "a dispute: the centre that holds it now",
    "referral": "a dispute: where it was referred (arbitration, litigation) or null",
    "amount": "an offer: the amount in yuan",
}
# The kinds of case each expectation reads; `tasks` of other kinds than applications are keyed by department.
EXPECTATION_KINDS = (
    {name: (APPLICATION,) for name in ("colour", "breaches", "certificates", "applications", "rectifications")}
    | {name: CASE_KINDS for name in ("status", "tasks", "deadline", "notifications", "wallet", "sees")}
    | {name: (REQUEST,) for name in ("escalated", "reopened")}
    | {name: (DISPUTE,) for name in ("centre", "referral")}
    | {"visits": (APPLICATION, DISPUTE), "answer": (REQUEST, DISPUTE), "rating": (APPLICATION, REQUEST)}
    | {"amount": (OFFER,)}
)
BREACHES = ("second_notice", "visit_beyond_promise", "overdue")
