"""`flask --app app outbox …`: send the notifications changes left in the outbox.

A cron job or a systemd timer runs `outbox send` every minute; each message goes out once,
however many senders run at the same time.
"""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from services.notifications import CHANNELS, FileGateway, pending_by_channel, send_outbox
from web.extensions import db_session
from web.views.inbox import message_text

outbox_cli = AppGroup("outbox", help="The notification outbox (SMS, e-mail and in-app messages).")


def outbox_folder() -> Path:
    return Path(current_app.config["OUTBOX_FOLDER"])


@outbox_cli.command("send")
@click.option(
    "--limit",
    default=500,
    show_default=True,
    type=click.IntRange(min=1),
    help="Send at most this many messages in this run.",
)
def send(limit):
    """Send waiting messages, in Chinese; prints how many were sent and how many failed.

    This machine reaches no SMS or e-mail gateway: SMS and e-mail are appended as JSON
    lines to sms.log and email.log in the outbox folder (OUTBOX_FOLDER, default
    instance/outbox). In-app messages appear in the recipients' inboxes. Exits 1 when a
    message failed; it stays in the outbox for the next run.
    """
    gateway = FileGateway(outbox_folder())
    # SMS and e-mail go out in Chinese; the in-app inbox shows each reader their own language.
    with force_locale("zh"):
        report = send_outbox(session=db_session(), gateway=gateway, render=message_text, limit=limit)
    click.echo(f"sent {report.sent}, failed {report.failed}")
    if report.failed:
        sys.exit(1)


@outbox_cli.command("pending")
def pending():
    """Count the messages waiting to be sent, per channel."""
    counts = pending_by_channel(session=db_session())
    for channel in CHANNELS:
        click.echo(f"{channel:<7} {counts.get(channel, 0)}")


def register_outbox_commands(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
