from flask import Flask

from web.views import account, citizen, files, guide
from web.views.helpers import register_template_helpers


def register_blueprints(app: Flask) -> None:
    for module in (guide, account, citizen, files):
        app.register_blueprint(module.bp)
    register_template_helpers(app)
