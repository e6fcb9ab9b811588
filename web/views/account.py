"""Registration, sign-in (password, then a second factor for staff), sign-out and the language switch."""

import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from services import policy
from services.accounts import CitizenRegistration, CompanyRegistration, register_citizen, register_company
from services.errors import Invalid, NotFound, Throttled
from services.preferences import set_elder_mode
from services.second_factor import confirm_enrolment, enrolment, needs_enrolment, verify_second_factor
from services.signin import end_all_sessions, end_session, sign_in
from web.extensions import db_session
from web.forms.account import (
    CitizenRegisterForm,
    CodeForm,
    CompanyRegisterForm,
    ElderModeForm,
    EmptyForm,
    LanguageForm,
    LoginForm,
)
from web.signin import (
    ELDER,
    NEXT,
    client_address,
    current_sign_in,
    forget_session,
    session_token,
    signin_policy,
    use_session,
)
from web.views.helpers import apply_errors, route_policy, safe_next

bp = Blueprint("account", __name__)


def home_for(user) -> str:
    return url_for("citizen.applications") if user.is_applicant else url_for("guide.index")


def _too_many(minutes: int) -> str:
    # The same words whether or not the login has an account.
    return _("Too many attempts for this login. Try again in %(minutes)d minutes.", minutes=minutes)


@bp.errorhandler(Throttled)
def _flood(error: Throttled):
    minutes = max(1, -(-error.retry_after // 60))
    page = render_template(
        "errors/error.html",
        code=429,
        title=_("Too many attempts"),
        text=_("Too many sign-in attempts came from your network. Try again in %(minutes)d minutes.", minutes=minutes),
    )
    return page, 429, {"Retry-After": str(error.retry_after)}


@bp.route("/login", methods=["GET", "POST"])
@route_policy(policy.PUBLIC)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = sign_in(
            session=db_session(),
            login=form.login.data,
            password=form.password.data,
            address=client_address(),
            policy=signin_policy(),
        )
        if result.retry_minutes:
            flash(_too_many(result.retry_minutes), "danger")
        elif result.user is None:
            flash(_("The login name or the password is not right."), "danger")
        elif result.second_factor_needed:
            use_session(result.token, safe_next(form.next.data, ""))
            return redirect(url_for("account.enrol" if result.enrolment_needed else "account.second_factor"))
        else:
            use_session(result.token)
            return redirect(safe_next(form.next.data, home_for(result.user)))
    return render_template("account/login.html", form=form)


def _pending():
    resumed = current_sign_in()
    return resumed if resumed is not None and not resumed.complete else None


def _signed_in(token: str, user):
    next_path = session.get(NEXT)
    use_session(token)
    return safe_next(next_path, home_for(user))


@bp.route("/login/code", methods=["GET", "POST"])
@route_policy(policy.PUBLIC)  # the half-signed-in session is checked below
def second_factor():
    pending = _pending()
    if pending is None:
        return redirect(url_for("account.login"))
    if needs_enrolment(pending.user):
        return redirect(url_for("account.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        result = verify_second_factor(
            session=db_session(),
            token=session_token(),
            code=form.code.data,
            address=client_address(),
            policy=signin_policy(),
        )
        if result.token:
            return redirect(_signed_in(result.token, pending.user))
        form.code.errors.append(
            _too_many(result.retry_minutes)
            if result.retry_minutes
            else _("That code is not right, or was used already. Wait for the next one.")
        )
    return render_template("account/second_factor.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@route_policy(policy.PUBLIC)  # the half-signed-in session is checked below
def enrol():
    pending = _pending()
    if pending is None:
        return redirect(url_for("account.login"))
    try:
        enrolling = enrolment(session=db_session(), token=session_token())
    except NotFound:
        return redirect(url_for("account.second_factor"))
    form = CodeForm()
    if form.validate_on_submit():
        result = confirm_enrolment(
            session=db_session(),
            token=session_token(),
            code=form.code.data,
            address=client_address(),
            policy=signin_policy(),
        )
        if result.token:
            # The recovery codes are shown on this one page and never again.
            return render_template(
                "account/recovery_codes.html",
                codes=result.recovery_codes,
                next_path=_signed_in(result.token, pending.user),
            )
        form.code.errors.append(
            _too_many(result.retry_minutes)
            if result.retry_minutes
            else _("That code is not right. Check the phone's time and type the code shown now.")
        )
    qr = Markup(segno.make(enrolling.uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"))
    return render_template("account/enrol.html", form=form, qr=qr, secret=enrolling.secret)


@bp.post("/logout")
@route_policy(policy.PUBLIC)
def logout():
    if EmptyForm().validate_on_submit():
        end_session(session=db_session(), token=session_token())
        forget_session()
        flash(_("You have logged out."), "info")
    return redirect(url_for("guide.index"))


@bp.post("/account/sign-out-everywhere")
@route_policy(policy.SIGNED_IN)
def sign_out_everywhere():
    if EmptyForm().validate_on_submit():
        end_all_sessions(session=db_session(), user=current_user)
        forget_session()
        flash(_("You have been signed out on every device. Log in again to go on."), "info")
    return redirect(url_for("guide.index"))


def _register(form, template: str, build, register):
    if form.validate_on_submit():
        try:
            register(session=db_session(), data=build(form))
        except Invalid as error:
            apply_errors(form, error.errors)
        else:
            # The same answer whether the number was free or had an account (its owner is told then),
            # so the page never tells who is registered.
            flash(
                _(
                    "Thank you. If this number had no account, yours is ready: log in below. If it had one, "
                    "we have sent its owner a message and created nothing."
                ),
                "success",
            )
            next_path = safe_next(request.args.get("next"), "")
            return redirect(url_for("account.login", **({"next": next_path} if next_path else {})))
    return render_template(template, form=form)


@bp.route("/register", methods=["GET", "POST"])
@route_policy(policy.PUBLIC)
def register():
    return _register(
        CitizenRegisterForm(),
        "account/register.html",
        lambda f: CitizenRegistration(
            f.full_name.data, f.id_number.data, f.mobile.data, f.password.data, f.address.data or "", f.email.data or ""
        ),
        register_citizen,
    )


@bp.route("/register/company", methods=["GET", "POST"])
@route_policy(policy.PUBLIC)
def register_company_account():
    return _register(
        CompanyRegisterForm(),
        "account/register_company.html",
        lambda f: CompanyRegistration(
            f.company_name.data,
            f.credit_code.data,
            f.legal_representative.data,
            f.mobile.data,
            f.password.data,
            f.address.data or "",
            f.email.data or "",
        ),
        register_company,
    )


@bp.post("/language")
@route_policy(policy.PUBLIC)
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data, url_for("guide.index")))


@bp.post("/elder-mode")
@route_policy(policy.PUBLIC)
def elder_mode():
    """长辈版: kept on the account of a signed-in person (every device, every later sign-in), else in the session."""
    form = ElderModeForm()
    if form.validate_on_submit():
        on = form.mode.data == "on"
        if current_user.is_authenticated:
            set_elder_mode(session=db_session(), user=current_user, on=on)
        else:
            session[ELDER] = on
    return redirect(safe_next(form.next.data, url_for("guide.index")))


@bp.get("/account")
@route_policy(policy.SIGNED_IN)
def profile():
    return render_template("account/profile.html", user=current_user)
