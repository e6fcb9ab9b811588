"""Page times at two city sizes: the whole request through the Flask app, in-process, warm.

Each page is asked for by the person who would read it: the clerk of the department with
the most tasks waiting (queue), the clerk who decided the most tasks (archive), the applicant
with the most applications, the city-wide supervisor.
The clock is frozen on the morning after the seeded year, so both sizes see the same "today".
"""
import re
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func
from sqlmodel import select

from app import create_app
from bench.cities import AS_OF
from services import clock
from services.demo import DEMO_PASSWORD
from services.models import Application, Role, Task, TaskStatus, User

CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class PageTime:
    page: str
    median: float  # seconds
    p90: float
    rows: int  # rows the page showed


class Visitor:
    """A logged-in person with the Flask test client."""

    def __init__(self, app, login: str):
        self.client = app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        answer = self.client.post("/login", data={"csrf_token": token, "login": login, "password": DEMO_PASSWORD})
        if answer.status_code != 302:
            raise RuntimeError(f"could not log in as {login}")

    def timed(self, path: str, repeat: int) -> tuple[list[float], str]:
        self.client.get(path)  # warm: connections, statement caches, templates
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = self.client.get(path)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        return times, response.get_data(as_text=True)


def _busiest_department(session) -> str:
    return session.exec(
        select(Task.department).where(Task.status == TaskStatus.READY)
        .group_by(Task.department).order_by(func.count().desc(), Task.department).limit(1)
    ).first()


def _busiest_clerk(session) -> str:
    clerk_id = session.exec(
        select(Task.decided_by_id).join(User, User.id == Task.decided_by_id).where(User.role == Role.CLERK)
        .group_by(Task.decided_by_id).order_by(func.count().desc(), Task.decided_by_id).limit(1)
    ).first()
    return session.get(User, clerk_id).login_name


def _busiest_applicant(session) -> str:
    applicant_id = session.exec(
        select(Application.applicant_id).group_by(Application.applicant_id)
        .order_by(func.count().desc(), Application.applicant_id).limit(1)
    ).first()
    return session.get(User, applicant_id).login_name


def _time(visitor: Visitor, name: str, path: str, repeat: int, row_mark: str | None) -> PageTime:
    times, html = visitor.timed(path, repeat)
    ordered = sorted(times)
    return PageTime(name, statistics.median(times), ordered[int(0.9 * (len(ordered) - 1))],
                    html.count(row_mark) if row_mark else 0)


def measure(database_url: str, upload_folder, repeat: int, metrics_repeat: int) -> dict[str, PageTime]:
    """Clerk queue, citizen list and the supervisor's dashboard (the metrics page) on one database."""
    previous = clock.current_clock()
    # 10:00 on the day the city was seeded: after every change it holds, as a real morning would be.
    morning = datetime.combine(AS_OF, datetime.min.time(), CHINA) + timedelta(hours=10)
    clock.use_clock(clock.FrozenClock(morning.astimezone(UTC)))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": str(upload_folder)})
    try:
        from web.extensions import db_session

        with app.app_context():
            session = db_session()
            department = _busiest_department(session) or "PSB"
            citizen = _busiest_applicant(session)
            decider = _busiest_clerk(session)
        clerk = Visitor(app, f"clerk.{department.lower()}")
        applicant = Visitor(app, citizen)
        supervisor = Visitor(app, "supervisor")
        return {
            "clerk queue": _time(clerk, "clerk queue", "/clerk", repeat, 'class="number fw-semibold"'),
            # Full pages at both sizes: the rows shown are the same, only the table grew.
            "clerk archive": _time(Visitor(app, decider), "clerk archive", "/clerk/archive", repeat,
                                   'class="number fw-semibold"'),
            "citizen list": _time(applicant, "citizen list", "/applications", repeat, 'class="list-group-item"'),
            "metrics page": _time(supervisor, "metrics page", "/supervisor", metrics_repeat, None),
        }
    finally:
        app.extensions["engine"].dispose()
        clock.use_clock(previous)
