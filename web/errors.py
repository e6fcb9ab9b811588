"""Domain errors and HTTP errors become pages with the right status."""
from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from services.errors import Conflict, NotAllowed, NotFound
from services.i18n import N_

PAGES = {
    400: (N_("Bad request"), N_("The request could not be understood.")),
    403: (N_("Not allowed"), N_("Your account may not do this.")),
    404: (N_("Not found"), N_("There is nothing here, or it is not yours to see.")),
    409: (N_("Changed meanwhile"), N_("Someone else changed this first. Reload the page and try again.")),
    413: (N_("Too large"), N_("What you sent is too large. Each file may be at most 5 MB.")),
    500: (N_("Something went wrong"), N_("Nothing you saved is lost. Please try again in a moment.")),
}


def error_page(code: int, detail: str | None = None):
    title, text = PAGES[code]
    return render_template("errors/error.html", code=code, title=_(title), text=_(text), detail=detail), code


def register_errorhandlers(app: Flask) -> None:
    for code in PAGES:
        app.register_error_handler(code, lambda error, code=code: error_page(code))
    app.register_error_handler(CSRFError, lambda error: error_page(400, _("The form had expired. Please go back, reload and send it again.")))
    app.register_error_handler(NotFound, lambda error: error_page(404))
    app.register_error_handler(NotAllowed, lambda error: error_page(403, _(error.message)))
    app.register_error_handler(Conflict, lambda error: error_page(409, _(error.message)))
