"""The schema is migrated by a command (`flask --app app db upgrade`), never as a side effect of starting.

A server whose database is behind its migrations answers every page with a 503 and logs why, instead of
refusing to start: `flask db upgrade` itself loads the app, and a server started before the migration ran
serves as soon as it has, without a restart.
"""

import logging

import click
from flask import Flask, current_app, request
from flask.cli import AppGroup
from flask_babel import gettext as _

from services.db import create_schema, schema_is_behind, schema_revisions
from web.errors import unavailable_page

log = logging.getLogger(__name__)

db_cli = AppGroup("db", help="The database schema, from migrations/.")


@db_cli.command("upgrade")
def db_upgrade():
    """Run the migrations not yet applied (on deploy, once, from one server)."""
    engine = current_app.extensions["engine"]
    create_schema(engine)
    current, _heads = schema_revisions(engine)
    click.echo(f"schema at {', '.join(sorted(current))}")


@db_cli.command("current")
def db_current():
    """Print the revision the database is at and whether migrations are waiting."""
    engine = current_app.extensions["engine"]
    current, heads = schema_revisions(engine)
    click.echo(
        f"database at {', '.join(sorted(current)) or 'nothing (empty)'}; migrations at {', '.join(sorted(heads))}"
    )
    if schema_is_behind(engine):
        click.echo("behind: run `flask --app app db upgrade`")


def register_schema_check(app: Flask) -> None:
    # The engine found up to date; an engine swapped in afterwards (journeys do) is checked again.
    checked = {"engine": None}

    @app.before_request
    def _refuse_on_an_old_schema():
        engine = current_app.extensions["engine"]
        if checked["engine"] is engine or request.endpoint == "static":
            return None
        if schema_is_behind(engine):
            log.error("the database schema is behind the migrations: run `flask --app app db upgrade`")
            return unavailable_page(
                _("The service is being updated. Nothing you saved is lost. Please try again in a few minutes.")
            )
        checked["engine"] = engine
        return None


def register_db_commands(app: Flask) -> None:
    app.cli.add_command(db_cli)
