"""`flask --app app worker`: the scheduled jobs run by themselves, each once per period."""

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from services.models import Notification, TransparencyHead
from tests.sample import submitted

ROOT = Path(__file__).resolve().parents[2]
INSTANT_ITEM = "330100-CIVIL-001"


def test_one_round_runs_every_job_that_is_due_and_the_next_round_none(app, db, catalog, tmp_path):
    app.config["OUTBOX_FOLDER"] = str(tmp_path / "outbox")
    submitted(db, catalog, app.extensions["file_store"], INSTANT_ITEM)
    db.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["worker", "--once"])
    assert first.exit_code == 0, first.output
    assert "sent " in first.output  # the outbox
    assert "recoloured " in first.output  # the SLA sweep
    assert "sealed " in first.output  # the transparency log
    db.expire_all()
    assert all(n.sent_at is not None for n in db.exec(select(Notification)))  # SMS and e-mail went out
    assert db.exec(select(TransparencyHead)).first() is not None

    again = runner.invoke(args=["worker", "--once"])
    assert again.exit_code == 0, again.output
    assert "sent " not in again.output and "recoloured " not in again.output  # not due again yet


def test_the_worker_runs_as_its_own_process(database_url, tmp_path):
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url, "OUTBOX_FOLDER": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "worker " in done.stdout and "outbox every 0:00:10" in done.stdout
