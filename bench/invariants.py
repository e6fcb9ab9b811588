"""What a whole application looks like, as SQL that names every one that is half written.

A submit is one transaction: the status moves to "submitted", the day's counter hands out the
public number, `submitted_at` is stamped, the applicant is told (outbox row) and the case's audit
chain gets its event. Acceptance adds the tasks in the same way. A crash, a killed worker or a
database restart may only ever leave all of that or none of it; each check below is one way
of being half written, and `half_written` runs them all (plain SQL both SQLite and PostgreSQL
understand, so the fault run and the test suite ask the same questions).

`missing_submits` and `missing_acceptances` ask the other question of a fault run: is each
submit (each acceptance) the server answered with its redirect there, whole — under the public
number the applicant was shown, with the tasks acceptance creates?
"""

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from services.models import Application, AuditEvent, Counter, Notification, Task

APPLICATION = Application.__tablename__
TASK = Task.__tablename__
EVENT = AuditEvent.__tablename__
COUNTER = Counter.__tablename__
NOTIFICATION = Notification.__tablename__
RECEIVED = "We have received application %(number)s. The front desk will check it."
# Every move of a row goes through the transition table, which bumps its version and records one
# event from its old status (starting a draft and attaching files are events without one).
APPLICATION_MOVES = (
    f"(SELECT COUNT(*) FROM {EVENT} e WHERE e.application_id = a.id AND e.task_id IS NULL "
    "AND e.from_status IS NOT NULL)"
)
TASK_MOVES = f"(SELECT COUNT(*) FROM {EVENT} e WHERE e.task_id = t.id AND e.from_status IS NOT NULL)"


@dataclass(frozen=True)
class Invariant:
    name: str
    meaning: str  # what a row it finds is, in words
    sql: str  # selects the ids of the rows that break it


INVARIANTS = (
    Invariant(
        "submitted without number",
        "an application past the draft without its public number or submission time",
        f"SELECT a.id FROM {APPLICATION} a WHERE a.status <> 'draft' AND a.status <> 'withdrawn' "
        "AND (a.number IS NULL OR a.submitted_at IS NULL)",
    ),
    Invariant(
        "draft with number",
        "a draft that already holds a public number or a submission time",
        f"SELECT a.id FROM {APPLICATION} a WHERE a.status = 'draft' "
        "AND (a.number IS NOT NULL OR a.submitted_at IS NOT NULL)",
    ),
    Invariant(
        "status without its event",
        "an application in a status no audit event of it moved it to",
        f"SELECT a.id FROM {APPLICATION} a WHERE NOT EXISTS (SELECT 1 FROM {EVENT} e "
        "WHERE e.application_id = a.id AND e.task_id IS NULL AND e.to_status = a.status)",
    ),
    Invariant(
        "moves without their events",
        "an application moved more often (its version) than its audit events say, or less",
        f"SELECT a.id FROM {APPLICATION} a WHERE a.version - 1 <> {APPLICATION_MOVES}",
    ),
    Invariant(
        "number without submit event",
        "an application holding a public number that no audit event of a submit (online or at the desk) handed out",
        f"SELECT a.id FROM {APPLICATION} a WHERE a.number IS NOT NULL AND NOT EXISTS ("
        f"SELECT 1 FROM {EVENT} e WHERE e.application_id = a.id AND e.task_id IS NULL "
        "AND e.event IN ('submit', 'submit_at_desk'))",
    ),
    Invariant(
        "number beyond its counter",
        "a public number the day's counter has not reached (the counter's increment was lost)",
        f"SELECT a.id FROM {APPLICATION} a LEFT JOIN {COUNTER} c "
        "ON c.name = 'number-' || substr(a.number, 4, 8) "
        "WHERE a.number LIKE 'ZJ-________-______' "
        "AND (c.value IS NULL OR CAST(substr(a.number, 13, 6) AS INTEGER) > c.value)",
    ),
    Invariant(
        "accepted without tasks",
        "an accepted application without the tasks acceptance creates",
        f"SELECT a.id FROM {APPLICATION} a WHERE a.accepted_at IS NOT NULL AND NOT EXISTS ("
        f"SELECT 1 FROM {TASK} t WHERE t.application_id = a.id)",
    ),
    Invariant(
        "tasks before acceptance",
        "an application never accepted that already has tasks",
        f"SELECT a.id FROM {APPLICATION} a WHERE a.accepted_at IS NULL AND EXISTS ("
        f"SELECT 1 FROM {TASK} t WHERE t.application_id = a.id)",
    ),
    Invariant(
        "task status without its event",
        "an application's task past waiting in a status no audit event of it moved it to",
        # Another kind's tasks are born in another status (a dispute's agency gets its task ready).
        f"SELECT t.id FROM {TASK} t WHERE t.case_kind = 'application' AND t.status <> 'waiting' "
        f"AND NOT EXISTS (SELECT 1 FROM {EVENT} e "
        "WHERE e.task_id = t.id AND e.to_status = t.status)",
    ),
    Invariant(
        "task moves without their events",
        "a task moved more often (its version) than its audit events say, or less",
        f"SELECT t.id FROM {TASK} t WHERE t.version - 1 <> {TASK_MOVES}",
    ),
    Invariant(
        "chain tip off its events",
        "an application whose chain tip does not stand on its last event (events lost or counted twice)",
        f"SELECT a.id FROM {APPLICATION} a WHERE a.audit_length <> (SELECT COUNT(*) FROM {EVENT} e "
        f"WHERE e.application_id = a.id) OR a.audit_length <> (SELECT COALESCE(MAX(e.position), 0) "
        f"FROM {EVENT} e WHERE e.application_id = a.id)",
    ),
)


def half_written(connection: Connection) -> dict[str, list[int]]:
    """Each invariant's name and the ids of the rows that break it; empty when every row is whole."""
    found = {}
    for invariant in INVARIANTS:
        ids = [row[0] for row in connection.execute(text(invariant.sql))]
        if ids:
            found[invariant.name] = sorted(ids)
    return found


def missing_submits(connection: Connection, shown: dict[str, str | None]) -> dict[str, str]:
    """For each application key whose submit got a 302 (and the number the next page showed, if it
    could be read), what is wrong with it in the database; empty when every one is there, whole."""
    applications, events, outbox = Application.__table__, AuditEvent.__table__, Notification.__table__
    rows = {
        row.key: row
        for row in connection.execute(
            select(
                applications.c.key,
                applications.c.id,
                applications.c.status,
                applications.c.number,
                applications.c.applicant_id,
            ).where(applications.c.key.in_(list(shown)))
        )
    }
    submit_events = {
        row.application_id: row.payload
        for row in connection.execute(
            select(events.c.application_id, events.c.payload).where(
                events.c.event == "submit", events.c.application_id.in_([row.id for row in rows.values()])
            )
        )
    }
    receipts = {
        row.application_id
        for row in connection.execute(
            select(outbox.c.application_id).where(
                outbox.c.template == RECEIVED, outbox.c.application_id.in_([row.id for row in rows.values()])
            )
        )
    }
    problems = {}
    for key, number in shown.items():
        row = rows.get(key)
        if row is None:
            problems[key] = "no such application"
        elif row.status == "draft" or row.number is None:
            problems[key] = f"still {row.status}, without a public number"
        elif number is not None and row.number != number:
            problems[key] = f"numbered {row.number}, but the applicant was shown {number}"
        elif (submit_events.get(row.id) or {}).get("number") != row.number:
            problems[key] = "no audit event of its submit under its number"
        elif row.id not in receipts:
            problems[key] = "the applicant was never told it was received"
    return problems


def missing_acceptances(connection: Connection, keys: list[str]) -> dict[str, str]:
    """For each application key whose acceptance got its 302, what is wrong with it in the database."""
    applications, events, tasks = Application.__table__, AuditEvent.__table__, Task.__table__
    rows = {
        row.key: row
        for row in connection.execute(
            select(applications.c.key, applications.c.id, applications.c.status, applications.c.accepted_at).where(
                applications.c.key.in_(keys)
            )
        )
    }
    ids = [row.id for row in rows.values()]
    accepted = set(
        connection.execute(
            select(events.c.application_id).where(events.c.event == "accept", events.c.application_id.in_(ids))
        ).scalars()
    )
    with_tasks = set(
        connection.execute(select(tasks.c.application_id).where(tasks.c.application_id.in_(ids))).scalars()
    )
    problems = {}
    for key in keys:
        row = rows.get(key)
        if row is None:
            problems[key] = "no such application"
        elif row.accepted_at is None:
            problems[key] = f"still {row.status}, never accepted"
        elif row.id not in accepted:
            problems[key] = "no audit event of its acceptance"
        elif row.id not in with_tasks:
            problems[key] = "accepted without tasks"
    return problems


# Rows that must exist once at most: a number or certificate handed out twice, a case submitted
# twice, a task decided twice (by two servers, two workers or two clicks).
TWICE = {
    "public number twice": f"SELECT number, COUNT(*) FROM {APPLICATION} WHERE number IS NOT NULL "
    "GROUP BY number HAVING COUNT(*) > 1",
    "certificate number twice": "SELECT number, COUNT(*) FROM certificate GROUP BY number HAVING COUNT(*) > 1",
    "submitted twice": f"SELECT application_id, COUNT(*) FROM {EVENT} WHERE event = 'submit' "
    "GROUP BY application_id HAVING COUNT(*) > 1",
    "decided twice": f"SELECT task_id, COUNT(*) FROM {EVENT} WHERE task_id IS NOT NULL "
    "AND event IN ('task.approve', 'task.reject') GROUP BY task_id HAVING COUNT(*) > 1",
}


def doubled(connection: Connection) -> dict[str, list]:
    """Each kind of row found twice, with what was doubled; empty when nothing was."""
    found = {}
    for name, sql in TWICE.items():
        rows = [row[0] for row in connection.execute(text(sql))]
        if rows:
            found[name] = rows
    return found
