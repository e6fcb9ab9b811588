"""Operations from the command line: `flask --app app sla|audit|workflow|calendar|metrics …`."""

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from services.audit_check import verify_audit
from services.enterprise.office import close_unconfirmed_requests, escalate_overdue_requests
from services.errors import Invalid, NotFound
from services.metrics import refresh_rollup
from services.sla import sweep
from services.transparency.receipts import list_heads, receipt_by_number
from services.transparency.sealer import seal_log
from services.workdays import HOLIDAY, WORKDAY, add_override, list_overrides, remove_override
from web.config import PROJECT_ROOT
from web.diagram import workflow_markdown
from web.extensions import catalog, db_session, head_signer, published_keys

sla_cli = AppGroup("sla", help="Deadlines and their colours.")
audit_cli = AppGroup("audit", help="The audit log: a hash chain per case.")
workflow_cli = AppGroup("workflow", help="The transition table.")
calendar_cli = AppGroup("calendar", help="Make-up working days and holidays the library does not know.")
metrics_cli = AppGroup("metrics", help="The rollup the supervisor's dashboard reads.")

WORKFLOW_DOC = PROJECT_ROOT / "docs" / "workflow.md"


@sla_cli.command("sweep")
def sla_sweep():
    """Recolour running tasks, warn whoever holds late ones, end expired tolerated gaps, escalate late requests,
    close answers their firms let pass."""
    report = sweep(session=db_session(), catalog=catalog())
    click.echo(f"recoloured {report.recoloured}, notified {report.notified}, terminated {report.terminated}")
    escalated = escalate_overdue_requests(session=db_session(), catalog=catalog())
    closed = close_unconfirmed_requests(session=db_session(), catalog=catalog())
    click.echo(f"enterprise requests escalated {escalated}, closed without the firm's reply {closed}")


@audit_cli.command("verify")
def audit_verify():
    """Check every case's hash chain; exit 1 naming the event that was edited, deleted, moved or inserted."""
    url = current_app.extensions["engine"].url.render_as_string(hide_password=False)
    chains, log = verify_audit(url=url, public_keys=published_keys())
    if chains.ok:
        click.echo(f"audit chains ok: {chains.checked} events in {chains.chains} chains")
    else:
        click.echo(f"audit chain broken: {chains.problem}", err=True)
    if log.ok:
        click.echo(f"transparency log ok: {log.leaves} leaves under {log.heads} signed heads")
    else:
        click.echo(f"transparency log broken: {log.problem}", err=True)
    if not (chains.ok and log.ok):
        sys.exit(1)


@audit_cli.command("seal")
def audit_seal():
    """Make the events committed since the last seal leaves of the log, and sign a head over it."""
    report = seal_log(session=db_session(), signer=head_signer())
    if report.head is None:
        click.echo("nothing to seal: the log is empty")
    elif report.sealed:
        click.echo(f"sealed {report.sealed} events: head at size {report.head.size}, root {report.head.root}")
    else:
        click.echo(f"nothing new to seal: the latest head is at size {report.head.size}")


@audit_cli.command("prove")
@click.argument("number", metavar="ZJ-NUMBER")
def audit_prove(number: str):
    """Print an application's receipt as JSON: its events, each with its proof against the latest head."""
    try:
        receipt = receipt_by_number(session=db_session(), number=number)
    except NotFound:
        click.echo(f"error: no application {number}", err=True)
        sys.exit(1)
    click.echo(json.dumps(receipt, ensure_ascii=False, indent=1))


@audit_cli.command("heads")
@click.option("--after", type=int, default=0, help="Only heads larger than this size.")
def audit_heads(after: int):
    """List the signed tree heads, oldest first: size, time, root and signing key."""
    for head in list_heads(session=db_session(), after=after, limit=None):
        signed = datetime.fromtimestamp(head.timestamp_ms / 1000, UTC)
        click.echo(f"{head.size:>12}  {signed:%Y-%m-%d %H:%M:%S}Z  {head.root}  key {head.key_id}")


@workflow_cli.command("diagram")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=WORKFLOW_DOC,
    show_default=True,
    help="Markdown file to write; - prints it.",
)
def workflow_diagram(out: Path):
    """Write the state diagrams of the transition table as Mermaid in Markdown."""
    text = workflow_markdown()
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")


def _day(_ctx, _param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give the date as YYYY-MM-DD") from None


def _record(day: date, kind: str, note: str) -> None:
    try:
        override = add_override(session=db_session(), actor=None, day=day, kind=kind, note=note)
    except Invalid as error:
        for field, message in error.errors.items():
            click.echo(f"error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(
        f"{override.day.isoformat()} is now a {override.kind}" + (f" ({override.note})" if override.note else "")
    )


@calendar_cli.command("add-workday")
@click.argument("day", metavar="DATE", callback=_day)
@click.option("--note", default="", help="Which notice announced it, e.g. 国办发明电〔2026〕7号.")
def calendar_add_workday(day: date, note: str):
    """Record a make-up working day (调休上班), usually a weekend day."""
    _record(day, WORKDAY, note)


@calendar_cli.command("add-holiday")
@click.argument("day", metavar="DATE", callback=_day)
@click.option("--note", default="", help="Which holiday, e.g. 春节.")
def calendar_add_holiday(day: date, note: str):
    """Record a day off that would otherwise be a working day."""
    _record(day, HOLIDAY, note)


@calendar_cli.command("remove")
@click.argument("day", metavar="DATE", callback=_day)
def calendar_remove(day: date):
    """Forget a recorded change; the library's calendar applies again."""
    try:
        remove_override(session=db_session(), actor=None, day=day)
    except NotFound:
        click.echo(f"error: nothing recorded for {day.isoformat()}", err=True)
        sys.exit(1)
    click.echo(f"removed {day.isoformat()}")


@calendar_cli.command("list")
@click.option("--year", type=int, default=None, help="Only this year.")
def calendar_list(year: int | None):
    """The recorded make-up working days and days off."""
    overrides = list_overrides(session=db_session(), year=year)
    if not overrides:
        click.echo("no calendar changes recorded")
    for override in overrides:
        click.echo(f"{override.day.isoformat()}  {override.kind:<8} {override.note}".rstrip())


def _listed(days: list[date], noun: str) -> str:
    shown = (
        ", ".join(day.isoformat() for day in days)
        if len(days) <= 7
        else f"{days[0].isoformat()} … {days[-1].isoformat()}"
    )
    return f"{len(days)} {noun}{'' if len(days) == 1 else 's'} ({shown})"


@metrics_cli.command("refresh")
@click.option(
    "--full",
    is_flag=True,
    help="Recount every day (after writing cases around the workflow, "
    "e.g. a bulk load), not only the days changed since the last refresh.",
)
def metrics_refresh(full: bool):
    """Recount the submission days whose cases changed since the last refresh."""
    report = refresh_rollup(session=db_session(), full=full)
    if report.full:
        click.echo(f"recounted every day: {_listed(report.days, 'day')}" if report.days else "no cases to count")
    elif report.days:
        click.echo(f"recounted {_listed(report.days, 'changed day')}")
    else:
        click.echo("no day changed since the last refresh")


def register_ops_commands(app: Flask) -> None:
    for group in (sla_cli, audit_cli, workflow_cli, calendar_cli, metrics_cli):
        app.cli.add_command(group)
