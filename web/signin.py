"""The sign-in cookie: the server-side session behind it, and where a half-signed-in staff member may go.

The Flask session cookie carries only the random session id (`sid`), the language, a
visitor's 长辈版 choice and the CSRF token; who is signed in, until when, is the database's sign_in_session row.
"""

from datetime import timedelta

from flask import Flask, current_app, g, redirect, request, session, url_for

from services.signin import Resumed, SignInPolicy, resume_session
from web.extensions import db_session

SID = "sid"
NEXT = "after_sign_in"
ELDER = "elder"  # 长辈版 for a visitor not signed in; a signed-in person's choice is on their account
# All a staff member between password and second factor may open.
OPEN_WHILE_PENDING = frozenset(
    {"account.second_factor", "account.enrol", "account.logout", "account.language", "static", "bootstrap.static"}
)


def signin_policy() -> SignInPolicy:
    config = current_app.config
    return SignInPolicy(
        account_failures=config["SIGNIN_ACCOUNT_FAILURES"],
        account_window=timedelta(minutes=config["SIGNIN_ACCOUNT_WINDOW_MINUTES"]),
        address_failures=config["SIGNIN_ADDRESS_FAILURES"],
        address_window=timedelta(minutes=config["SIGNIN_ADDRESS_WINDOW_MINUTES"]),
        staff_idle=timedelta(minutes=config["SESSION_IDLE_MINUTES_STAFF"]),
        applicant_idle=timedelta(minutes=config["SESSION_IDLE_MINUTES_APPLICANT"]),
        staff_lifetime=timedelta(hours=config["SESSION_LIFETIME_HOURS_STAFF"]),
        applicant_lifetime=timedelta(hours=config["SESSION_LIFETIME_HOURS_APPLICANT"]),
    )


def client_address() -> str:
    # Behind a reverse proxy this is the proxy unless the deployment fixes REMOTE_ADDR (ProxyFix).
    return request.remote_addr or "unknown"


def current_sign_in() -> Resumed | None:
    """The live session behind this request's cookie, complete or waiting for a second factor."""
    if "sign_in" not in g:
        g.sign_in = resume_session(session=db_session(), token=session.get(SID), policy=signin_policy())
    return g.sign_in


def session_token() -> str | None:
    return session.get(SID)


def forget_session() -> None:
    """An empty cookie: nothing but the language and 长辈版 choices carry over."""
    kept = {name: session[name] for name in ("lang", ELDER) if session.get(name)}
    session.clear()
    session.update(kept)
    g.pop("sign_in", None)


def use_session(token: str, next_path: str | None = None) -> None:
    """A fresh cookie for a new session id."""
    forget_session()
    session[SID] = token
    if next_path:
        session[NEXT] = next_path


def register_signin(app: Flask, login_manager) -> None:
    login_manager.session_protection = None  # the server-side session is the protection

    @login_manager.request_loader
    def _signed_in_user(_request):
        resumed = current_sign_in()
        return resumed.user if resumed is not None and resumed.complete else None

    @app.before_request
    def _second_factor_first():
        resumed = current_sign_in() if session.get(SID) else None
        if resumed is not None and not resumed.complete and request.endpoint not in OPEN_WHILE_PENDING:
            return redirect(url_for("account.second_factor"))
        return None
