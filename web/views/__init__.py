from flask import Flask
from werkzeug.utils import import_string

from web.views import (
    account,
    accounts_admin,
    applying,
    assisted,
    benefit_checks,
    benefits,
    catalogue_admin,
    centre,
    citizen,
    clerk,
    cockpit,
    desk,
    disputes,
    files,
    firm,
    guide,
    handling,
    inbox,
    mediation,
    office,
    supervisor,
    transparency,
    wallet,
)
from web.views.helpers import register_template_helpers

MODULES = (
    guide,
    account,
    applying,
    citizen,
    files,
    inbox,
    desk,
    assisted,
    clerk,
    supervisor,
    cockpit,
    accounts_admin,
    catalogue_admin,
    centre,
    disputes,
    firm,
    handling,
    mediation,
    office,
    transparency,
    wallet,
    benefits,
    benefit_checks,
)


def register_blueprints(app: Flask) -> None:
    for module in MODULES:
        app.register_blueprint(module.bp)
    # Each blueprint names the menu entries it offers and to whom: (roles, endpoint, label).
    app.config["NAV"] = tuple(entry for module in MODULES for entry in getattr(module, "NAV", ()))
    register_template_helpers(app)
    # Tools above the web layer (the journeys' test-mode endpoints) plug in by name, so web never imports them.
    for name in app.config["EXTRA_BLUEPRINTS"]:
        import_string(name)(app)
