"""In-app messages: what the outbox delivered to the reader, in the reader's language."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from services import policy
from services.applications.followup import inbox_messages
from services.i18n import N_, PLURALS
from services.models import Role
from services.notifications import mark_read, unread_count
from web.case_pages import applicant_case_link
from web.extensions import db_session
from web.forms.account import EmptyForm
from web.views.helpers import locale_code, route_policy

bp = Blueprint("inbox", __name__)
READERS = (Role.CITIZEN, Role.COMPANY, Role.FRONT_DESK, Role.CLERK, Role.SUPERVISOR)
NAV = ((READERS, "inbox.index", N_("Messages")),)


def message_text(template: str, params: dict) -> str:
    """A stored message in the current locale; names are kept in both languages (`x` and `x_en`)."""
    values = dict(params)
    if locale_code() == "en":
        values.update({name[:-3]: value for name, value in params.items() if name.endswith("_en")})
    plural = PLURALS.get(template)
    if plural is None:
        return gettext(template) % values
    singular, count = plural
    return ngettext(singular, template, int(values[count]), **values)


@bp.app_context_processor
def _unread():
    # A function, so the count is only read when the menu shows the Messages entry.
    def unread_messages() -> int:
        return unread_count(session=db_session(), user=current_user) if current_user.is_authenticated else 0

    return {"unread_messages": unread_messages}


@bp.get("/inbox")
@route_policy(policy.SIGNED_IN)
def index():
    messages = inbox_messages(session=db_session(), user=current_user)
    return render_template(
        "inbox/index.html", messages=messages, message_text=message_text, applicant_case_link=applicant_case_link
    )


@bp.post("/inbox/read")
@route_policy(policy.SIGNED_IN)
def read_all():
    if EmptyForm().validate_on_submit():
        marked = mark_read(session=db_session(), user=current_user)
        if marked:
            flash(ngettext("%(num)d message marked as read.", "%(num)d messages marked as read.", marked), "success")
    return redirect(url_for("inbox.index"))
