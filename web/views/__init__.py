from flask import Flask

from web.views import account, citizen, clerk, desk, files, guide, inbox, supervisor
from web.views.helpers import register_template_helpers
from web.views.testing import register_testing

MODULES = (guide, account, citizen, files, inbox, desk, clerk, supervisor)


def register_blueprints(app: Flask) -> None:
    for module in MODULES:
        app.register_blueprint(module.bp)
    # Each blueprint names the menu entries it offers and to whom: (roles, endpoint, label).
    app.config["NAV"] = tuple(entry for module in MODULES for entry in getattr(module, "NAV", ()))
    register_template_helpers(app)
    # The virtual clock and test-mode endpoints exist only when APP_ENV=test.
    register_testing(app)
