"""Scheduled jobs without cron: each job is due every so often and run by one runner at a time, city-wide.

A runner (`flask --app app worker`, one or several, on any servers) asks for each job in turn;
`claim_job` hands it over only when it is due and nobody holds it, by one compare-and-set on
the job's lease row, so two runners never run the same job at once and a job runs once per
period however many runners there are. The lease lapses by itself (`held_until`) when a
runner dies mid-job, so another takes the job over at the next period.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from services import clock
from services.db import rows_matched
from services.models import JobLease


@dataclass(frozen=True)
class Schedule:
    name: str
    every: timedelta
    lease: timedelta  # longer than the job ever runs: a holder past it is taken for dead


def claim_job(*, session: Session, schedule: Schedule, holder: str, now: datetime | None = None) -> bool:
    """Take the job if it is due and free: True for exactly one of any runners asking at once. Commits."""
    now = now or clock.now()
    _ensure_lease_row(session, schedule.name, now)
    won = rows_matched(
        session,
        update(JobLease)
        .where(
            col(JobLease.name) == schedule.name,
            col(JobLease.due_at) <= now,
            col(JobLease.held_until) <= now,
        )
        .values(due_at=now + schedule.every, held_until=now + schedule.lease, holder=holder)
        .execution_options(synchronize_session=False),
    )
    session.commit()
    return won == 1


def release_job(*, session: Session, name: str, holder: str) -> None:
    """Let go of a job this runner holds (its next run stays due when the claim said). Commits."""
    session.execute(
        update(JobLease)
        .where(col(JobLease.name) == name, col(JobLease.holder) == holder)
        .values(held_until=clock.now(), holder=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _ensure_lease_row(session: Session, name: str, now: datetime) -> None:
    """The job's row, due at once, unless it exists: concurrent first runners insert it once."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(JobLease)
        .values(name=name, due_at=now, held_until=now, holder=None)
        .on_conflict_do_nothing(index_elements=["name"])
    )
