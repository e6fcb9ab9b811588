"""Registration, login, logout and the language switch."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from services import policy
from services.accounts import CitizenRegistration, CompanyRegistration, authenticate, register_citizen, register_company
from services.errors import Invalid
from web.extensions import db_session
from web.forms.account import CitizenRegisterForm, CompanyRegisterForm, EmptyForm, LanguageForm, LoginForm
from web.views.helpers import apply_errors, route_policy, safe_next

bp = Blueprint("account", __name__)


def home_for(user) -> str:
    return url_for("citizen.applications") if user.is_applicant else url_for("guide.index")


@bp.route("/login", methods=["GET", "POST"])
@route_policy(policy.PUBLIC)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(session=db_session(), login=form.login.data, password=form.password.data)
        if user is None:
            flash(_("The login name or the password is not right."), "danger")
        else:
            # A fresh session on login; only the language choice survives it.
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(user)
            return redirect(safe_next(form.next.data, home_for(user)))
    return render_template("account/login.html", form=form)


@bp.post("/logout")
@route_policy(policy.SIGNED_IN)
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for("guide.index"))


def _register(form, template: str, build, register):
    if form.validate_on_submit():
        try:
            user = register(session=db_session(), data=build(form))
        except Invalid as error:
            apply_errors(form, error.errors)
        else:
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.full_name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("guide.index")))
    return render_template(template, form=form)


@bp.route("/register", methods=["GET", "POST"])
@route_policy(policy.PUBLIC)
def register():
    return _register(
        CitizenRegisterForm(), "account/register.html",
        lambda f: CitizenRegistration(f.full_name.data, f.id_number.data, f.mobile.data, f.password.data,
                                      f.address.data or "", f.email.data or ""),
        register_citizen,
    )


@bp.route("/register/company", methods=["GET", "POST"])
@route_policy(policy.PUBLIC)
def register_company_account():
    return _register(
        CompanyRegisterForm(), "account/register_company.html",
        lambda f: CompanyRegistration(f.company_name.data, f.credit_code.data, f.legal_representative.data,
                                      f.mobile.data, f.password.data, f.address.data or "", f.email.data or ""),
        register_company,
    )


@bp.post("/language")
@route_policy(policy.PUBLIC)
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data, url_for("guide.index")))


@bp.get("/account")
@route_policy(policy.SIGNED_IN)
def profile():
    return render_template("account/profile.html", user=current_user)
