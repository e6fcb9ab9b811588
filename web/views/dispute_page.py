"""The one page of a dispute, shown to its parties, the centre's window and its agencies alike, and the
actions on it: each a row of its tables, offered only to whom the table allows it now.

The parties' (`disputes`), the centre's (`centre`) and the agencies' (`mediation`) blueprints post
their buttons through `act`: validate the form, call the one service, flash and go back.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from services import clock
from services.disputes import handling
from services.disputes.evidence import EvidenceFile
from services.disputes.queries import dispute_file
from services.errors import Conflict, Invalid
from services.workflow.disputes.rules import ESCALATION_LEVELS
from web.extensions import catalog, db_session, file_store
from web.forms.account import EmptyForm
from web.forms.disputes import (
    AddEvidenceForm,
    AgreementForm,
    AnswerForm,
    DeclineForm,
    EscalateForm,
    NoAgreementForm,
    ProposeExtensionForm,
    RefuseConfirmationForm,
    RegisterForm,
    SessionForm,
    VisitForm,
)
from web.forms.followup import RatingForm
from web.messages import translate
from web.views.helpers import apply_errors, locale_code


@dataclass(frozen=True)
class Action:
    endpoint: str
    title: str
    form: type[FlaskForm]
    service: Callable
    inputs: Callable[[FlaskForm], dict]
    done: str


def _none(form) -> dict:
    return {}


def sent_evidence() -> list[EvidenceFile]:
    # An empty file input still sends one part with no name: nothing was chosen.
    return [EvidenceFile(f.filename or "", f.read()) for f in request.files.getlist("evidence") if f.filename]


def in_china(moment: datetime | None) -> datetime | None:
    """The browser's date and time field has no zone: people type China time."""
    return moment.replace(tzinfo=clock.CHINA) if moment else None


# A party's further evidence: before registration the filing's own, during mediation shared with all.
SUPPLEMENT = Action(
    "disputes.add_evidence",
    _l("Add evidence"),
    AddEvidenceForm,
    handling.add_evidence,
    lambda f: {"evidence": sent_evidence(), "store": file_store()},
    _l("Evidence added to the dispute's file."),
)

# By event: the button each row of the dispute's tables is, where it posts and what it sends.
CASE_ACTIONS = {
    "register": Action(
        "centre.register",
        _l("Register and route"),
        RegisterForm,
        handling.register_dispute,
        lambda f: {"routes": f.routes.data or []},
        _l("Registered; each route's agency has its task."),
    ),
    "decline": Action(
        "centre.decline",
        _l("Do not take it up"),
        DeclineForm,
        handling.decline_dispute,
        lambda f: {"reason": f.reason.data},
        _l("The party has been told why."),
    ),
    "record_visit": Action(
        "centre.record_visit",
        _l("Record a visit"),
        VisitForm,
        handling.record_visit_to_centre,
        lambda f: {"purpose": f.purpose.data},
        _l("Visit recorded."),
    ),
    "escalate": Action(
        "centre.escalate",
        _l("Escalate to a higher centre"),
        EscalateForm,
        handling.escalate_dispute,
        lambda f: {"centre": f.centre.data, "reason": f.reason.data},
        _l("Escalated; the parties have been told."),
    ),
    "close": Action(
        "centre.close",
        _l("Close as resolved"),
        EmptyForm,
        handling.close_dispute,
        _none,
        _l("Closed as resolved."),
    ),
    "answer": Action(
        "disputes.answer",
        _l("Answer the claim"),
        AnswerForm,
        handling.answer_dispute,
        lambda f: {"answer": f.answer.data},
        _l("Your answer has been sent."),
    ),
    "supplement": SUPPLEMENT,
    "supplement_filing": SUPPLEMENT,
    "rate": Action(
        "disputes.rate",
        _l("Rate our service"),
        RatingForm,
        handling.rate_dispute,
        lambda f: {"score": f.score.data, "comment": f.comment.data or ""},
        _l("Thank you for your rating."),
    ),
    "consent_extension": Action(
        "disputes.consent_extension",
        _l("Consent to the extension"),
        EmptyForm,
        handling.consent_to_extension,
        _none,
        _l("Your consent has been recorded."),
    ),
    "refuse_extension": Action(
        "disputes.refuse_extension",
        _l("Refuse the extension"),
        EmptyForm,
        handling.refuse_extension,
        _none,
        _l("The extension is refused; the limit stands."),
    ),
    "withdraw": Action(
        "disputes.withdraw",
        _l("Withdraw the dispute"),
        EmptyForm,
        handling.withdraw_dispute,
        _none,
        _l("The dispute is withdrawn."),
    ),
    "request_confirmation": Action(
        "disputes.request_confirmation",
        _l("Ask the court to confirm the agreement"),
        EmptyForm,
        handling.request_judicial_confirmation,
        _none,
        _l("The court has been asked to confirm the agreement."),
    ),
    "report_honoured": Action(
        "disputes.report_honoured",
        _l("The agreement was honoured"),
        EmptyForm,
        handling.report_agreement_honoured,
        _none,
        _l("Thank you: recorded as honoured."),
    ),
}
TASK_ACTIONS = {
    "claim": Action(
        "mediation.claim",
        _l("Take it up"),
        EmptyForm,
        handling.claim_dispute_task,
        _none,
        _l("You hold this task now."),
    ),
    "release": Action(
        "mediation.release",
        _l("Return to the queue"),
        EmptyForm,
        handling.release_dispute_task,
        _none,
        _l("The task is back in the agency's queue."),
    ),
    "schedule_session": Action(
        "mediation.schedule_session",
        _l("Schedule a session"),
        SessionForm,
        handling.schedule_mediation_session,
        lambda f: {"at": in_china(f.at.data), "place": f.place.data},
        _l("Session scheduled; both parties have been told."),
    ),
    "propose_extension": Action(
        "mediation.propose_extension",
        _l("Propose an extension"),
        ProposeExtensionForm,
        handling.propose_extension,
        lambda f: {"days": f.days.data, "reason": f.reason.data},
        _l("Both parties have been asked to consent."),
    ),
    "record_agreement": Action(
        "mediation.record_agreement",
        _l("Record the agreement"),
        AgreementForm,
        handling.record_agreement,
        lambda f: {"terms": f.terms.data},
        _l("Agreement recorded; it is in both parties' wallets."),
    ),
    "record_no_agreement": Action(
        "mediation.record_no_agreement",
        _l("Record no agreement"),
        NoAgreementForm,
        handling.record_no_agreement,
        lambda f: {"referral": f.referral.data, "reason": f.reason.data},
        _l("No agreement recorded."),
    ),
    "confirm_agreement": Action(
        "mediation.confirm_agreement",
        _l("Confirm the agreement"),
        EmptyForm,
        handling.confirm_agreement,
        _none,
        _l("The agreement is confirmed."),
    ),
    "refuse_confirmation": Action(
        "mediation.refuse_confirmation",
        _l("Refuse to confirm"),
        RefuseConfirmationForm,
        handling.refuse_confirmation,
        lambda f: {"reason": f.reason.data},
        _l("Confirmation refused; the parties have been told why."),
    ),
}
# Consenting or refusing needs an extension to answer: the buttons show while one waits.
ANSWERS_TO_EXTENSION = ("consent_extension", "refuse_extension")


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    form: FlaskForm
    fields: list


def _card(action: Action, key: str, form: FlaskForm | None) -> Card:
    form = form or action.form(formdata=None)
    return Card(str(action.title), url_for(action.endpoint, key=key), form, [f for f in form if f.name != "csrf_token"])


def _prepared(event: str, form: FlaskForm, dispute) -> FlaskForm:
    """Choices that depend on the dispute: the routes its kind and centre allow, the centres above it."""
    book = catalog()
    if event == "register":
        kind, centre = book.dispute_kinds[dispute.kind_code], book.centres[dispute.centre_code]
        form.routes.choices = [
            SelectChoice(code, book.dispute_routes[code].name.get(locale_code()))
            for code in kind.routes
            if code in centre.routes
        ]
    if event == "escalate":
        above, parent = [], book.centres[dispute.centre_code].parent
        while parent is not None:
            if book.centres[parent].level in ESCALATION_LEVELS:
                above.append(SelectChoice(parent, book.centres[parent].name.get(locale_code())))
            parent = book.centres[parent].parent
        form.centre.choices = above
    return form


def render_dispute(key: str, status: int = 200, failed: tuple[str, FlaskForm] | None = None):
    """The dispute's page; `failed`: the event whose form came back with errors, shown as typed."""
    file = dispute_file(session=db_session(), actor=current_user, key=key, catalog=catalog())
    dispute = file.dispute
    shown = failed[1] if failed else None

    def card(actions: dict, event: str, subject_key: str) -> Card:
        action = actions[event]
        typed = shown if failed and actions.get(failed[0]) is action else None
        return _card(action, subject_key, _prepared(event, typed or action.form(formdata=None), dispute))

    case_cards = [
        card(CASE_ACTIONS, event, dispute.key)
        for event in file.actions
        if event not in ANSWERS_TO_EXTENSION or dispute.extension
    ]
    task_cards = {t.task.id: [card(TASK_ACTIONS, event, t.task.key) for event in t.actions] for t in file.tasks}
    return render_template(
        "disputes/detail.html", file=file, dispute=dispute, case_cards=case_cards, task_cards=task_cards
    ), status


def act(key: str, event: str, *, task: bool = False, dispute_key: Callable[[], str] | None = None):
    """Validate the action's form, call its one service, flash and go back to the dispute's page.

    A field in error shows the page again with what was typed; a refusal of the step itself is
    flashed after a redirect, so a reload sends nothing again.
    """
    action = (TASK_ACTIONS if task else CASE_ACTIONS)[event]
    form = action.form()
    page = dispute_key() if dispute_key else key
    if form.validate():
        try:
            action.service(session=db_session(), actor=current_user, key=key, catalog=catalog(), **action.inputs(form))
        except Invalid as error:
            apply_errors(form, error.errors)
            if not any(name in form for name in error.errors):
                flash(translate(error.message), "danger")
                return redirect(url_for("disputes.detail", key=page))
        except Conflict as error:
            flash(translate(error.message), "warning")
            return redirect(url_for("disputes.detail", key=page))
        else:
            flash(str(action.done), "success")
            return redirect(url_for("disputes.detail", key=page))
    return render_dispute(page, 422, failed=(event, form))
