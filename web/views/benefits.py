"""Citizens and firms (免申即享): the benefits offered to them, and one offer with why, accept, decline, dispute.

A firm also answers the offers of its employees whose policy the employer accepts; the employee reads them.

One click accepts: the account proposed is the one the subject's latest offer named, shown and
changeable on the same form. A refusal of the step itself (an offer expired or already answered)
is flashed and answered with 409; someone else's offer is not found.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from services import clock, policy
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import BenefitOfferStatus, BenefitReviewStatus, Role
from services.offers.answering import accept_offer, correct_account, decline_offer, dispute_offer
from services.offers.queries import employee_offers, my_offers, offer_file
from services.workflow.benefits.rules import DECLINE_REASONS, yuan
from web.extensions import catalog, db_session
from web.forms.benefits import AccountForm, DeclineForm, DisputeForm
from web.messages import translate
from web.views.helpers import apply_errors, route_policy

bp = Blueprint("benefits", __name__)
subjects_only = route_policy(policy.APPLICANTS)
NAV = (((Role.CITIZEN, Role.COMPANY), "benefits.index", N_("My benefits")),)

# By event: the subject's form, its service and what it says when done.
ACTIONS = {
    "accept": (AccountForm, accept_offer, _l("Accepted. We will tell you when the money is paid.")),
    "decline": (DeclineForm, decline_offer, _l("Declined. Thank you for telling us why.")),
    "correct_account": (AccountForm, correct_account, _l("Account corrected: the payment goes out again.")),
    "dispute_amount": (
        DisputeForm,
        dispute_offer,
        _l("Your application for review is filed; the offer waits for the department's decision."),
    ),
}


@bp.app_context_processor
def offer_labels() -> dict:
    """What the offer pages of every blueprint name statuses, reasons and money by."""
    return {
        "offer_labels": BenefitOfferStatus.LABELS,
        "benefit_check_labels": BenefitReviewStatus.LABELS,
        "decline_reasons": DECLINE_REASONS,
        "yuan": yuan,
    }


@bp.get("/benefits")
@subjects_only
def index():
    db = db_session()
    return render_template(
        "benefits/index.html",
        offers=my_offers(session=db, actor=current_user),
        # A firm answers its employees' offers of policies paid through the employer.
        employee_offers=employee_offers(session=db, actor=current_user) if current_user.role == Role.COMPANY else [],
    )


@bp.get("/benefits/<key>")
@subjects_only
def detail(key: str):
    return render_offer(key)


def render_offer(key: str, status: int = 200, failed: tuple[str, object] | None = None):
    file = offer_file(session=db_session(), actor=current_user, key=key, catalog=catalog(), today=clock.china_today())
    forms = {}
    for event in file.actions:
        form_class = ACTIONS[event][0]
        if failed and failed[0] == event:
            forms[event] = failed[1]
        elif form_class is AccountForm and file.account:
            forms[event] = AccountForm(formdata=None, bank_account=file.account[0], bank_name=file.account[1])
        else:
            forms[event] = form_class(formdata=None)
    return render_template("benefits/detail.html", file=file, forms=forms), status


@bp.post("/benefits/<key>/accept")
@subjects_only
def accept(key: str):
    return act(key, "accept")


@bp.post("/benefits/<key>/decline")
@subjects_only
def decline(key: str):
    return act(key, "decline")


@bp.post("/benefits/<key>/dispute")
@subjects_only
def dispute(key: str):
    return act(key, "dispute_amount")


@bp.post("/benefits/<key>/correct-account")
@subjects_only
def correct(key: str):
    return act(key, "correct_account")


def act(key: str, event: str):
    form_class, service, done = ACTIONS[event]
    form = form_class()
    if form.validate():
        inputs = _inputs(form)
        try:
            service(session=db_session(), actor=current_user, key=key, catalog=catalog(), **inputs)
        except Invalid as error:
            apply_errors(form, error.errors)
        except Conflict as error:
            flash(translate(error.message), "warning")
            return render_offer(key, 409)
        else:
            flash(str(done), "success")
            return redirect(url_for("benefits.detail", key=key))
    return render_offer(key, 422, failed=(event, form))


def _inputs(form) -> dict:
    if isinstance(form, DeclineForm):
        return {"reason": form.decline_reason.data, "note": form.decline_note.data or ""}
    if isinstance(form, DisputeForm):
        return {"claimed_amount": form.claimed_amount.data, "reason": form.dispute_reason.data}
    return {"bank_account": form.bank_account.data, "bank_name": form.bank_name.data}
