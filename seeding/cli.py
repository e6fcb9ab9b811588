"""`flask --app app demo|seed`: the demo accounts; a believable city of applicants and cases,
the same for the same seed."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from seeding import SeedOptions, applications_beyond_demo, reset_database, seed_city
from seeding.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo
from services.db import create_schema, new_session

REFUSAL = (
    "The database already holds {count} applications beyond the demo ones; nothing was changed. "
    "Run again with --reset to drop every table and seed afresh."
)
ALREADY_SEEDED = "The database already holds {count} applications beyond the demo ones; seeding skipped."


class _Progress:
    """One line on stderr, rewritten as the seed goes: the simulated year, then the cloned applications."""

    def __init__(self):
        self.shown = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        label = "playing the year through the services" if phase == "days" else "cloning applications"
        line = f"\r  {label}: {done:,}/{total:,} {phase} ({percent}%)"
        if line != self.shown:
            click.echo(line, nl=False, err=True)
            self.shown = line

    def close(self) -> None:
        if self.shown:
            click.echo("", err=True)


@click.command("seed")
@click.option(
    "--applications",
    type=click.IntRange(min=0),
    default=300,
    show_default=True,
    help="Cases besides the demo accounts' own. Up to 80 are played through the services; beyond "
    "that a tenth of them (80 to 300) are, and the rest are cloned from those by batched inserts.",
)
@click.option("--citizens", type=click.IntRange(min=1), default=None, help="Default: grows with --applications.")
@click.option("--companies", type=click.IntRange(min=1), default=None, help="Default: grows with --citizens.")
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Same seed, same rows.")
@click.option("--locale", type=click.Choice(["zh_CN", "en_US"]), default="zh_CN", show_default=True)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The seeded year ends the day before this date (default: today in China).",
)
@click.option("--reset", is_flag=True, help="Drop and recreate every table and the uploaded files first.")
@click.option(
    "--if-empty",
    "if_empty",
    is_flag=True,
    help="On a database that already holds cases, say so and change nothing, successfully (`make run`).",
)
@with_appcontext
def seed_command(applications, citizens, companies, seed_value, locale, as_of, reset, if_empty):
    """Seed demo accounts, citizens, families, companies, staff and a year of cases."""
    engine = current_app.extensions["engine"]
    store = current_app.extensions["file_store"]
    create_schema(engine)
    if reset:
        removed = reset_database(engine, store)
        click.echo(f"dropped every table and {removed} uploaded files")
    else:
        with new_session(engine) as session:
            existing = applications_beyond_demo(session)
        if existing and if_empty:
            click.echo(ALREADY_SEEDED.format(count=existing))
            return
        if existing:
            click.echo(REFUSAL.format(count=existing), err=True)
            sys.exit(1)
    options = SeedOptions(
        applications=applications,
        citizens=citizens,
        companies=companies,
        seed=seed_value,
        locale=locale,
        as_of=as_of.date() if as_of else None,
    )
    progress = _Progress()
    try:
        report = seed_city(
            engine=engine,
            catalog=current_app.extensions["catalog"],
            upload_folder=store.root,
            options=options,
            progress=progress,
        )
    finally:
        progress.close()
    rows = sum(report.rows.values())
    click.echo(f"\nDemo logins (password for all, seeded people too: {DEMO_PASSWORD}):")
    for login in report.logins:
        click.echo(f"  {login.role:<11} {login.login:<20} {login.name}")
    counts = report.rows
    click.echo(
        f"\nseeded {counts['application']:,} applications ({report.slow_cases:,} through the services, "
        f"{report.bulk_cases:,} cloned), {counts['user_account']:,} accounts, {counts['task']:,} tasks, "
        f"{counts['auditevent']:,} audit events, {counts['certificate']:,} certificates: "
        f"{rows:,} rows in {report.seconds:.1f} s ({rows / max(report.seconds, 1e-9):,.0f} rows/s)"
    )


@click.command("demo")
@with_appcontext
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def demo_command(host, port):
    """Create the demo accounts (once) and print the URL and the logins."""
    with new_session(current_app.extensions["engine"]) as session:
        logins = seed_demo(session=session, catalog=current_app.extensions["catalog"])
    click.echo(f"\nAtMostOnce is at http://{host}:{port}/\n")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.role:<11} {login.login:<20} {login.name}")
    click.echo(
        f"\nStaff also type a 6-digit code after the password. Add the key {DEMO_TOTP_SECRET} to an\n"
        "authenticator app (TOTP, 30 s), or ask for the current code with\n"
        "  flask --app app users otp-code frontdesk\n"
    )
