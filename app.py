"""AtMostOnce: the application factory and nothing else of weight."""

from flask import Flask

from web.cli import register_commands
from web.config import load_config
from web.errors import register_errorhandlers
from web.extensions import login_manager, register_extensions
from web.request_log import register_logging
from web.schema import register_schema_check
from web.security_headers import register_security_headers
from web.signin import register_signin
from web.views import register_blueprints


def create_app(test_config=None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    register_logging(app)
    register_schema_check(app)  # before sign-in's own checks, which read tables
    register_extensions(app)
    register_signin(app, login_manager)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    return app
