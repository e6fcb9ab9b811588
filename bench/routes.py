"""The baseline and floor routes the write benchmarks add to the product (bench/hello.py serves them).

They live here, not in the product: the same workers, server and middleware. Hello
world has nothing behind the route but a string. The floor is what any signed-in,
CSRF-protected write in this stack must do before any work of its own: the sign-in cookie
read and the user loaded as the app does (Flask-Login's loader, one statement), the CSRF
token checked (Flask-WTF), a small form parsed (the approve form), then the rest of a write's
statements straight on the driver in the same transaction, and a redirect. The commit route
writes one row and commits: what a durable commit costs (on SQLite, the file's one writer
waits for the disk).
"""

import os

from flask import Flask, abort, redirect
from sqlalchemy import text

from services.policy import SIGNED_IN
from web.extensions import db_session
from web.forms.casework import ApproveForm
from web.views.helpers import route_policy

# The fewest statements a submit and an approval can be in this schema, the user loader included
# (the floor route runs it as the app does, then the rest on the driver):
# - submit: the user loader; the draft, locked; its materials (the pre-check and the wallet
#   certificates it shares need them); one UPDATE of the application (answers, status, number,
#   time and the case's chain tip are one row); one INSERT for its events; one for the
#   notifications; one queueing the events for the sealer (on PostgreSQL a CTE could fold it
#   into the events' INSERT, SQLite cannot) = 7.
# - approve: the user loader; the task, its case and the applicant, locked in one statement;
#   the case's other tasks (does this decision finish the case?); the certificate's INSERT;
#   one UPDATE of the task (decision, certificate, status); one of the application (status,
#   times, chain tip); the events' INSERT; the notifications'; the sealer queue's = 9.
SUBMIT_FLOOR = 7
APPROVE_FLOOR = 9
TRIVIAL = "SELECT 1"
# A row per worker process: the floor's transaction writes, as a real one does, without making
# the workers take turns on one row (writers on different cases share none).
OWN_ROW = "INSERT INTO counter (name, value) VALUES (%s, 1) ON CONFLICT (name) DO UPDATE SET value = counter.value + 1"
# A row of its own: the benchmark's workers take turns on it, no one else does.
BUMP = text(
    "INSERT INTO counter (name, value) VALUES ('bench-commit', 1) "
    "ON CONFLICT (name) DO UPDATE SET value = counter.value + 1"
)


def add_bench_routes(app: Flask) -> Flask:
    @app.get("/bench/hello")
    def hello() -> str:
        return "Hello, world"

    @app.post("/bench/floor/<int:statements>")
    @route_policy(SIGNED_IN)  # the user loader runs, as for every signed-in route
    def floor(statements: int):
        form = ApproveForm()
        if not form.validate():
            abort(400)
        session = db_session()
        # The loader's statement is one of them; the others go straight to the driver, same transaction.
        cursor = session.connection().connection.cursor()
        for _ in range(statements - 2):
            cursor.execute(TRIVIAL)
            cursor.fetchall()
        cursor.execute(_placeholders(app, OWN_ROW), (f"bench-floor-{os.getpid()}",))
        cursor.close()
        session.commit()
        return redirect("/bench/hello")

    @app.get("/bench/commit")
    def commit() -> str:
        with app.extensions["engine"].begin() as connection:
            connection.execute(BUMP)
        return "committed"

    return app


def _placeholders(app: Flask, statement: str) -> str:
    # psycopg takes %s, the sqlite3 module ?.
    return statement.replace("%s", "?") if app.extensions["engine"].dialect.name == "sqlite" else statement
