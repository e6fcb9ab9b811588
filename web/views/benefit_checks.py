"""A department's check of flagged benefit offers (its clerks take one up, approve or refuse the payment),
and the supervisors' figures of 免申即享.

The department's queue lists these tasks with every other kind's (web/case_pages.py points here).
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from services import clock, policy
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Role
from services.offers.approval import decide_review
from services.offers.figures import offer_figures
from services.offers.queries import check_file
from web.extensions import catalog, db_session
from web.forms.account import EmptyForm
from web.forms.benefits import RefuseCheckForm
from web.messages import translate
from web.views.helpers import apply_errors, route_policy

bp = Blueprint("benefit_checks", __name__)
department_staff = route_policy(policy.CLERKS_AND_SUPERVISORS)
NAV = (((Role.SUPERVISOR,), "benefit_checks.figures", N_("Benefit figures")),)

# By event: its button, its form and what it says when done.
ACTIONS = {
    "claim": (_l("Take it up"), EmptyForm, _l("You hold this check now.")),
    "release": (_l("Return to the queue"), EmptyForm, _l("The check is back in the department's queue.")),
    "approve": (_l("Approve the payment"), EmptyForm, _l("Approved: it goes out with the next payment batch.")),
    "refuse": (_l("Refuse the payment"), RefuseCheckForm, _l("Refused; the subject has been told.")),
}


def render_check(key: str, status: int = 200, failed: tuple[str, object] | None = None):
    file = check_file(
        session=db_session(), actor=current_user, task_key=key, catalog=catalog(), today=clock.china_today()
    )
    cards = []
    for event in file.actions:
        title, form_class, _done = ACTIONS[event]
        form = failed[1] if failed and failed[0] == event else form_class(formdata=None)
        fields = [f for f in form if f.name != "csrf_token"]
        cards.append((str(title), url_for("benefit_checks.decide", key=key, event=event), form, fields))
    return render_template("benefit_checks/task.html", file=file, cards=cards), status


@bp.get("/department/benefit-checks/<key>")
@department_staff
def task(key: str):
    return render_check(key)


@bp.post("/department/benefit-checks/<key>/<event>")
@department_staff
def decide(key: str, event: str):
    if event not in ACTIONS:
        return render_check(key, 404)
    _title, form_class, done = ACTIONS[event]
    form = form_class()
    if form.validate():
        reason = form.reason.data if isinstance(form, RefuseCheckForm) else None
        try:
            decide_review(
                session=db_session(), actor=current_user, task_key=key, event=event, catalog=catalog(), reason=reason
            )
        except Invalid as error:
            apply_errors(form, error.errors)
        except Conflict as error:
            flash(translate(error.message), "warning")
            return render_check(key, 409)
        else:
            flash(str(done), "success")
            return redirect(url_for("benefit_checks.task", key=key))
    return render_check(key, 422, failed=(event, form))


@bp.get("/department/benefit-figures")
@route_policy(policy.SUPERVISORS)
def figures():
    return render_template(
        "benefit_checks/figures.html", figures=offer_figures(session=db_session(), catalog=catalog())
    )
