"""`flask --app app worker`: runs the scheduled jobs on their cadence, so nothing waits for cron.

Each job is the command an operator would run by hand (`outbox send`, `sla sweep`, `metrics
refresh`, `audit seal`); the worker runs it when it is due. Any number of workers may run, on
any servers: each job's lease (`services.scheduler`) lets one of them at a time run it.
"""

import logging
import os
import socket
import time
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from services.scheduler import Schedule, claim_job, release_job
from web.cli_benefits import benefits_approve, benefits_sweep, benefits_sweep_changes
from web.cli_ops import audit_seal, metrics_refresh, sla_sweep
from web.cli_outbox import send as outbox_send
from web.extensions import db_session, refresh_catalog

log = logging.getLogger(__name__)

# (when, the command). The outbox carries SMS and e-mail: in-app messages are in the inbox at once.
JOBS = (
    (Schedule("outbox", every=timedelta(seconds=10), lease=timedelta(minutes=5)), outbox_send),
    (Schedule("sla", every=timedelta(minutes=5), lease=timedelta(minutes=30)), sla_sweep),
    (Schedule("metrics", every=timedelta(minutes=1), lease=timedelta(minutes=10)), metrics_refresh),
    (Schedule("seal", every=timedelta(minutes=1), lease=timedelta(minutes=10)), audit_seal),
    # 免申即享: every policy against everyone nightly, changed subjects every minute, accepts approved behind them.
    (Schedule("benefits-sweep", every=timedelta(days=1), lease=timedelta(hours=6)), benefits_sweep),
    (Schedule("benefits-changes", every=timedelta(minutes=1), lease=timedelta(minutes=10)), benefits_sweep_changes),
    (Schedule("benefits-approve", every=timedelta(minutes=1), lease=timedelta(minutes=10)), benefits_approve),
)


def run_due_jobs(app: Flask, holder: str) -> list[str]:
    """Run every job that is due and that no other runner holds; the names of those run."""
    ran = []
    refresh_catalog(app, force=True)  # the jobs read what the catalogue UI published, as the web processes do
    for schedule, command in JOBS:
        # A fresh application context for each step: its own database session, closed after it.
        with app.app_context():
            if not claim_job(session=db_session(), schedule=schedule, holder=holder):
                continue
        try:
            with app.app_context():
                click.get_current_context().invoke(command)
        except SystemExit:
            pass  # the command said what failed (a message left for the next run); the worker goes on
        except Exception:
            log.exception("worker: job %s failed; it runs again when next due", schedule.name)
        finally:
            with app.app_context():
                release_job(session=db_session(), name=schedule.name, holder=holder)
        ran.append(schedule.name)
    return ran


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Run the jobs that are due once and stop (for a timer or a test).")
@click.option("--tick", default=1.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds between rounds.")
def worker(once: bool, tick: float):
    """Run the scheduled jobs (outbox, SLA sweep, metrics refresh, transparency seal) when each is due."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's real app
    holder = f"{socket.gethostname()}:{os.getpid()}"
    click.echo(f"worker {holder}: " + ", ".join(f"{s.name} every {s.every}" for s, _ in JOBS))
    while True:
        run_due_jobs(app, holder)
        if once:
            return
        time.sleep(tick)


def register_worker_command(app: Flask) -> None:
    app.cli.add_command(worker)
