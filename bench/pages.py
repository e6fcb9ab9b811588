"""Page times at two city sizes: the whole request through the Flask app, in-process, warm.

Each page is asked for by the person who would read it: the clerk of the department with
the most tasks waiting (queue), the clerk who decided the most tasks (archive), the applicant
with the most applications, the city-wide supervisor.
The clock is frozen on the morning after the seeded year, so both sizes see the same "today".
"""

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func
from sqlmodel import select

from app import create_app
from bench.cities import AS_OF
from bench.load import signed_in_client
from services import clock
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
        self.client = signed_in_client(app, login)


def _busiest_department(session) -> str:
    return session.exec(
        select(Task.department)
        .where(Task.status == TaskStatus.READY)
        .group_by(Task.department)
        .order_by(func.count().desc(), Task.department)
        .limit(1)
    ).first()


def _busiest_clerk(session) -> str:
    clerk_id = session.exec(
        select(Task.decided_by_id)
        .join(User, User.id == Task.decided_by_id)
        .where(User.role == Role.CLERK)
        .group_by(Task.decided_by_id)
        .order_by(func.count().desc(), Task.decided_by_id)
        .limit(1)
    ).first()
    return session.get(User, clerk_id).login_name


def _busiest_applicant(session) -> str:
    applicant_id = session.exec(
        select(Application.applicant_id)
        .group_by(Application.applicant_id)
        .order_by(func.count().desc(), Application.applicant_id)
        .limit(1)
    ).first()
    return session.get(User, applicant_id).login_name


class City:
    """One database's app and the people who read its pages."""

    def __init__(self, database_url: str, upload_folder):
        from web.extensions import db_session

        self.app = create_app(
            {"DATABASE_URL": database_url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": str(upload_folder)}
        )
        with self.app.app_context():
            session = db_session()
            department = _busiest_department(session) or "PSB"
            citizen = _busiest_applicant(session)
            decider = _busiest_clerk(session)
        self.readers = {
            "clerk queue": (Visitor(self.app, f"clerk.{department.lower()}"), "/clerk", 'class="number fw-semibold"'),
            # Full pages at both sizes: the rows shown are the same, only the table grew.
            "clerk archive": (Visitor(self.app, decider), "/clerk/archive", 'class="number fw-semibold"'),
            "citizen list": (Visitor(self.app, citizen), "/applications", 'class="list-group-item"'),
            "metrics page": (Visitor(self.app, "supervisor"), "/supervisor", None),
        }

    def close(self) -> None:
        self.app.extensions["engine"].dispose()


def _page_time(page: str, times: list[float], html: str, row_mark: str | None) -> PageTime:
    ordered = sorted(times)
    return PageTime(
        page, statistics.median(times), ordered[int(0.9 * (len(ordered) - 1))], html.count(row_mark) if row_mark else 0
    )


def measure_pair(
    small: tuple[str, object], big: tuple[str, object], repeat: int, metrics_repeat: int
) -> tuple[dict[str, PageTime], dict[str, PageTime]]:
    """Each page at both city sizes, the requests alternating between them.

    Alternating puts both sizes under the same load from whatever else this machine runs,
    so the ratio compares the cities rather than two moments.
    """
    previous = clock.current_clock()
    # 10:00 on the day the city was seeded: after every change it holds, as a real morning would be.
    morning = datetime.combine(AS_OF, datetime.min.time(), CHINA) + timedelta(hours=10)
    clock.use_clock(clock.FrozenClock(morning.astimezone(UTC)))
    cities = [City(*small), City(*big)]
    try:
        results: tuple[dict, dict] = ({}, {})
        for page in cities[0].readers:
            count = metrics_repeat if page == "metrics page" else repeat
            times: tuple[list, list] = ([], [])
            pages = ["", ""]
            for city in cities:
                visitor, path, _ = city.readers[page]
                visitor.client.get(path)  # warm: connections, statement caches, templates
            for _ in range(count):
                for n, city in enumerate(cities):
                    visitor, path, _ = city.readers[page]
                    started = time.perf_counter()
                    response = visitor.client.get(path)
                    times[n].append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path} answered {response.status_code}")
                    pages[n] = response.get_data(as_text=True)
            for n, city in enumerate(cities):
                results[n][page] = _page_time(page, times[n], pages[n], city.readers[page][2])
        return results
    finally:
        for city in cities:
            city.close()
        clock.use_clock(previous)
