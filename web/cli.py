"""Command-line tools: `flask --app app <group> <command>`."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from services.accounts import create_staff
from services.catalog import validate_catalog
from services.errors import Invalid, NotFound
from services.models import Role, User
from services.passwords import MIN_LENGTH as PASSWORD_MIN_LENGTH
from services.second_factor import current_code, reset_second_factor
from web.cli_benefits import register_benefit_commands
from web.cli_ops import register_ops_commands
from web.cli_outbox import register_outbox_commands
from web.extensions import catalog, db_session
from web.schema import register_db_commands
from web.worker import register_worker_command

catalog_cli = AppGroup("catalog", help="The service catalogue.")
users_cli = AppGroup("users", help="Staff accounts.")


@catalog_cli.command("check")
@click.option("--dir", "directory", default=None, help="Catalogue folder (default: the configured one).")
def catalog_check(directory):
    """Validate the catalogue files and print their counts."""
    from services.catalog import load_catalog

    directory = directory or current_app.config["CATALOG_DIR"]
    errors = validate_catalog(directory)
    if errors:
        for error in errors:
            click.echo(f"error: {error}", err=True)
        sys.exit(1)
    counts = load_catalog(directory).counts()
    click.echo("catalogue ok: " + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items()))


@users_cli.command("create")
@click.option("--role", type=click.Choice(Role.STAFF), required=True)
@click.option("--department", default=None, help="Department code; required for clerks.")
@click.option("--username", required=True)
@click.option("--name", "full_name", default="", help="Display name.")
@click.password_option(help=f"At least {PASSWORD_MIN_LENGTH} characters, not guessable; asked for when not given.")
def users_create(role, department, username, full_name, password):
    """Create a staff account (front desk, department clerk or supervisor)."""
    try:
        user = create_staff(
            session=db_session(),
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            department=department,
            catalog=catalog(),
        )
    except Invalid as error:
        for field, message in error.errors.items():
            click.echo(f"error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(f"created {user.role} {user.login_name}" + (f" of {user.department}" if user.department else ""))
    click.echo("At the first sign-in they set up the second step with an authenticator app.")


@users_cli.command("reset-second-factor")
@click.argument("username")
def users_reset_second_factor(username):
    """A staff member lost phone and recovery codes: end their sessions; they set up a new key at next sign-in."""
    try:
        user = reset_second_factor(session=db_session(), username=username)
    except NotFound as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(1)
    click.echo(f"{user.login_name}: signed out everywhere; sets up a new second step at the next sign-in")


@users_cli.command("otp-code")
@click.argument("username")
def users_otp_code(username):
    """Development only: the second-step code a staff member's authenticator app shows now."""
    if current_app.config["APP_ENV"] == "production":
        click.echo("error: otp-code is for development; in production use the authenticator app", err=True)
        sys.exit(1)
    from sqlmodel import select

    user = db_session().exec(select(User).where(User.login_name == username.strip().lower())).first()
    if user is None or user.totp_secret is None:
        click.echo(f"error: {username} is not a staff member with a second step set up", err=True)
        sys.exit(1)
    click.echo(current_code(user.totp_secret))


def register_commands(app: Flask) -> None:
    app.cli.add_command(catalog_cli)
    app.cli.add_command(users_cli)
    register_outbox_commands(app)
    register_ops_commands(app)
    register_db_commands(app)
    register_worker_command(app)
    register_benefit_commands(app)
