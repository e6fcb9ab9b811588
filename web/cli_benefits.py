"""免申即享 from the command line: `flask --app app benefits sweep|sweep-changes|approve|pay|returns`."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from services import clock
from services.errors import Invalid
from services.offers.approval import approve_all_accepted
from services.offers.payment import make_batch, read_returns
from services.offers.sweep import SweepResult, sweep_changed_subjects, sweep_offers
from services.workflow.benefits.rules import yuan
from web.extensions import catalog, db_session

benefits_cli = AppGroup("benefits", help="Benefits that find people (免申即享): offers, approval, payment.")

# The treasury's account the payments leave from (a real deployment names its own: --payer).
DEFAULT_PAYER_ACCOUNT = "1202020209000000001"


def _say(result: SweepResult) -> None:
    click.echo(f"offered {len(result.offered)}, withdrawn {len(result.withdrawn)}, expired {len(result.expired)}")


@benefits_cli.command("sweep")
def benefits_sweep():
    """Judge every policy in force against everyone: offer the newly eligible, withdraw the lapsed, expire the late."""
    _say(sweep_offers(session=db_session(), catalog=catalog(), today=clock.china_today()))


@benefits_cli.command("sweep-changes")
def benefits_sweep_changes():
    """Judge only the subjects whose facts changed since the last run (a certificate issued, a record written)."""
    _say(sweep_changed_subjects(session=db_session(), catalog=catalog(), today=clock.china_today()))


@benefits_cli.command("approve")
def benefits_approve():
    """Approve accepted offers in the order they were accepted while each policy's budget lasts."""
    for code, approval in approve_all_accepted(session=db_session(), catalog=catalog()).items():
        click.echo(
            f"{code}: approved {len(approval.approved)}, flagged {len(approval.flagged)}, waiting {approval.waiting}"
        )


@benefits_cli.command("pay")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder for the batch file.")
@click.option("--payer", default=DEFAULT_PAYER_ACCOUNT, show_default=True, help="The treasury's paying account.")
def benefits_pay(out: Path | None, payer: str):
    """Put every approved offer into one payment batch and write its file for the bank."""
    made = make_batch(session=db_session(), catalog=catalog(), payer_account=payer, today=clock.china_today())
    if made is None:
        click.echo("nothing to pay")
        return
    folder = out or Path(current_app.instance_path) / "benefit-batches"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / made.batch.filename
    path.write_bytes(made.content)
    click.echo(
        f"batch {made.batch.reference}: {made.batch.count} payments, {yuan(made.batch.total_fen)} yuan, "
        f"sha256 {made.batch.sha256}, written to {path}"
    )


@benefits_cli.command("returns")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def benefits_returns(file: Path):
    """Read the bank's result file: each reference paid or returned (with the bank's reason)."""
    try:
        result = read_returns(session=db_session(), catalog=catalog(), content=file.read_text(encoding="utf-8"))
    except Invalid as error:
        click.echo(f"error: {file}: {error.message}", err=True)
        sys.exit(1)
    click.echo(f"paid {len(result.paid)}, returned {len(result.returned)}")


def register_benefit_commands(app: Flask) -> None:
    app.cli.add_command(benefits_cli)
