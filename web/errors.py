"""Domain errors and HTTP errors become pages with the right status."""

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError

from services.errors import Conflict, NotAllowed, NotFound
from services.i18n import N_
from services.uploads import MAX_FILE_MB
from web.views.helpers import locale_code

MEGABYTE = 1024 * 1024

PAGES = {
    400: (N_("Bad request"), N_("The request could not be understood.")),
    403: (N_("Not allowed"), N_("Your account may not do this.")),
    404: (N_("Not found"), N_("There is nothing here, or it is not yours to see.")),
    405: (
        N_("Not allowed this way"),
        N_("This page cannot be used like that. Please go back and use its buttons and links."),
    ),
    409: (N_("Changed meanwhile"), N_("Someone else changed this first. Reload the page and try again.")),
    413: (
        N_("Too large"),
        N_(
            "What you sent is too large. Each file may be at most %(file)s MB, all files of one form together "
            "at most %(form)s MB."
        ),
    ),
    500: (N_("Something went wrong"), N_("Nothing you saved is lost. Please try again in a moment.")),
    503: (
        N_("Briefly unavailable"),
        N_("The service cannot reach its records just now. Nothing you saved is lost. Please try again in a minute."),
    ),
}
# Pages for when the database itself may be what failed.
STANDALONE = (500, 503)
RETRY_AFTER_SECONDS = 30


def _limits() -> dict[str, int]:
    return {"file": MAX_FILE_MB, "form": current_app.config["MAX_CONTENT_LENGTH"] // MEGABYTE}


def error_page(code: int, detail: str | None = None):
    title, text = PAGES[code]
    text = _(text, **_limits()) if code == 413 else _(text)
    if code in STANDALONE:
        return _standalone_page(code, _(title), text)
    return render_template("errors/error.html", code=code, title=_(title), text=text, detail=detail), code


def unavailable_page(text: str):
    """A 503 that says why, for when the service knows it cannot serve yet."""
    return _standalone_page(503, _(PAGES[503][0]), text)


def _standalone_page(code: int, title: str, text: str):
    # Rendered without the context processors: they ask who is signed in, which needs the database,
    # and with the database away the error page itself would fail into the server's bare English one.
    page = current_app.jinja_env.get_template("errors/standalone.html").render(
        code=code, title=title, text=text, locale_code=locale_code()
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == 503 else {}
    return page, code, headers


def register_errorhandlers(app: Flask) -> None:
    for code in PAGES:
        app.register_error_handler(code, lambda error, code=code: error_page(code))
    app.register_error_handler(
        CSRFError, lambda error: error_page(400, _("The form had expired. Please go back, reload and send it again."))
    )
    app.register_error_handler(NotFound, lambda error: error_page(404))
    app.register_error_handler(NotAllowed, lambda error: error_page(403, _(error.message)))
    app.register_error_handler(Conflict, lambda error: error_page(409, _(error.message)))
    for lost in (OperationalError, InterfaceError):  # the database restarting or out of reach
        app.register_error_handler(lost, lambda error: error_page(503))
