"""Lists that cost the same at any size: no page's query count grows with its rows (no N+1), keyset pages."""

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from services import clock
from services.casework import desk, tasks
from services.models import Application, Role, Task, User
from tests.factories import make_citizen, make_staff
from tests.http.test_http_desk import log_in
from tests.sample import submitted
from tests.service.test_concurrency import copy_row

ITEM = "330100-TRANSPORT-003"
FEW, MANY = 3, 30


class Statements:
    """Counts the SQL statements the app's engine sends while it is on."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0
        self.sql: list[str] = []  # what was sent, to say which statement a count changed by

    def _seen(self, _connection, _cursor, statement, *_args):
        self.count += 1
        self.sql.append(statement)

    def __enter__(self):
        self.count = 0
        self.sql = []
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


@dataclass
class City:
    """One case in each state through the services, then copies of it until each list holds `rows`."""

    db: object
    catalog: object
    store: object
    front_desk: User
    clerk: User
    supervisor: User
    citizen: User
    cases: dict  # state -> the case the services made
    visits: int = 0

    @classmethod
    def build(cls, db, catalog, store):
        front_desk = make_staff(db, Role.FRONT_DESK)
        clerk = make_staff(db, Role.CLERK, "TRANSPORT")
        citizen = make_citizen(db)
        cases = {}
        for state in ("submitted", "ready", "claimed", "decided"):
            _, application = submitted(db, catalog, store, ITEM, applicant=citizen)
            cases[state] = application
            if state == "submitted":
                continue
            desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
            task = db.exec(select(Task).where(Task.application_id == application.id)).one()
            if state in ("claimed", "decided"):
                tasks.claim_task(session=db, actor=clerk, key=task.key, catalog=catalog)
            if state == "decided":
                tasks.approve_task(session=db, actor=clerk, key=task.key, catalog=catalog)
        return cls(db, catalog, store, front_desk, clerk, make_staff(db, Role.SUPERVISOR), citizen, cases)

    def grow(self, rows: int) -> None:
        """Copies of each case up to `rows` of it; submitted ones each from another applicant."""
        db = self.db
        db.expire_all()
        for state, case in self.cases.items():
            original = db.get(Application, case.id)
            task = db.exec(select(Task).where(Task.application_id == original.id)).first()
            have = db.exec(
                select(Application).where(Application.service_code == ITEM, Application.status == original.status)
            ).all()
            for n in range(len(have), rows):
                applicant_id = make_citizen(db).id if state == "submitted" else original.applicant_id
                moved = clock.now() - timedelta(minutes=n)
                copy = copy_row(
                    db,
                    original,
                    number=f"{original.number}-{n}",
                    applicant_id=applicant_id,
                    submitted_at=moved,
                    updated_at=moved,
                )
                if task is not None:
                    copy_row(db, task, application_id=copy.id, decided_at=moved if task.decided_at else None)
        while self.visits < rows:
            self.visits += 1
            desk.record_visit(
                session=db,
                actor=self.front_desk,
                key=self.cases["decided"].key,
                catalog=self.catalog,
                purpose=f"visit {self.visits}",
            )
        db.commit()


# page -> (who looks, path, how many rows it can show at most)
PAGES = {
    "desk queue": ("front_desk", lambda city: "/desk", desk.PAGE_SIZE),
    "clerk queue": ("clerk", lambda city: "/clerk", tasks.PAGE_SIZE),
    "clerk inbox": ("clerk", lambda city: "/clerk/inbox", tasks.PAGE_SIZE),
    "clerk archive": ("clerk", lambda city: "/clerk/archive", tasks.PAGE_SIZE),
    "citizen list": ("citizen", lambda city: "/applications", 20),
    "citizen detail": ("citizen", lambda city: f"/applications/{city.cases['decided'].key}", None),
    "supervisor dashboard": ("supervisor", lambda city: "/supervisor", None),
}
# What each page shows once per row, to prove the rows were there to be counted.
ROW_MARKS = {
    "desk queue": 'class="number fw-semibold"',
    "clerk queue": 'class="number fw-semibold"',
    "clerk inbox": 'class="number fw-semibold"',
    "clerk archive": 'class="number fw-semibold"',
    "citizen list": 'class="list-group-item"',
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("catalogue_checked_just_now")
def test_a_page_makes_as_many_queries_for_thirty_rows_as_for_three(app, db, web, catalog, page):
    city = City.build(db, catalog, app.extensions["file_store"])
    who, path, page_size = PAGES[page]
    log_in(web, getattr(city, who))
    counted = {}
    for rows in (FEW, MANY):
        city.grow(rows)
        url = path(city)
        assert web.get(url).status_code == 200  # warm: first connections, caches
        with Statements(app.extensions["engine"]) as statements:
            response = web.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, html
        if page in ROW_MARKS:
            assert html.count(ROW_MARKS[page]) >= min(rows, page_size)
        if page == "citizen detail":
            assert f"visit {rows}" in html
        if page == "supervisor dashboard":
            submitted_count = db.exec(
                select(func.count()).select_from(Application).where(Application.submitted_at.is_not(None))
            ).one()
            assert submitted_count >= 4 * rows and f">{submitted_count}<" in html
        counted[rows] = statements.count
    assert counted[MANY] <= counted[FEW], (
        f"{page}: {counted[FEW]} statements for {FEW} rows, {counted[MANY]} for {MANY}"
    )


# --- keyset pages: every row once, in order, whatever the page size --------------------------


def _walk(lister, **kwargs) -> list:
    rows, cursor = [], None
    while True:
        page = lister(cursor=cursor, limit=3, **kwargs)
        rows += page
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def _ready_tasks_with_mixed_deadlines(db, catalog, store) -> tuple[User, list[Task]]:
    city = City.build(db, catalog, store)
    original = db.exec(select(Task).where(Task.application_id == city.cases["ready"].id)).one()
    today = clock.china_today()
    copies = [original]
    # Overdue, due today, later, a tie on one day, none yet, paused: each ordering and colour case.
    for n, (days, paused) in enumerate(
        [
            (-5, False),
            (0, False),
            (9, False),
            (9, False),
            (None, False),
            (2, True),
            (-1, True),
            (None, False),
            (30, False),
        ]
    ):
        application = copy_row(db, db.get(Application, original.application_id), number=f"Q-{n}")
        copies.append(
            copy_row(
                db,
                original,
                application_id=application.id,
                deadline=None if days is None else today + timedelta(days=days),
                paused_since=today if paused else None,
            )
        )
    db.commit()
    return city.clerk, copies


def test_the_department_queue_pages_through_every_task_once_most_urgent_first(db, catalog, app):
    clerk, created = _ready_tasks_with_mixed_deadlines(db, catalog, app.extensions["file_store"])
    walked = _walk(tasks.department_queue, session=db, actor=clerk)
    expected = sorted(created, key=lambda t: (t.deadline is None, t.deadline or clock.china_today(), t.id))
    assert [row.task.id for row in walked] == [task.id for task in expected]


@pytest.mark.parametrize("colour", ["red", "amber", "green"])
def test_a_colour_filter_pages_exactly_the_tasks_of_that_colour(db, catalog, app, colour):
    clerk, created = _ready_tasks_with_mixed_deadlines(db, catalog, app.extensions["file_store"])
    everything = tasks.department_queue(session=db, actor=clerk, limit=100)
    wanted = [row.task.id for row in everything if row.colour == colour]
    assert wanted, "each colour is among the tasks"
    walked = _walk(tasks.department_queue, session=db, actor=clerk, filters=tasks.TaskFilters(colour=colour))
    assert [row.task.id for row in walked] == wanted


def test_the_archive_pages_newest_decision_first(db, catalog, app):
    city = City.build(db, catalog, app.extensions["file_store"])
    city.grow(8)
    walked = _walk(tasks.archive, session=db, actor=city.clerk)
    decided = db.exec(select(Task).where(Task.decided_by_id == city.clerk.id)).all()
    expected = sorted(decided, key=lambda t: (t.decided_at, t.id), reverse=True)
    assert [row.task.id for row in walked] == [task.id for task in expected]
    assert len(walked) == 8


def test_more_opens_the_next_page_of_the_queue_with_the_same_filter(web, db, catalog, app):
    city = City.build(db, catalog, app.extensions["file_store"])
    city.grow(tasks.PAGE_SIZE + 2)
    log_in(web, city.clerk)
    first = web.get(f"/clerk?item={ITEM}").get_data(as_text=True)
    link = re.search(r'<a class="btn btn-link" href="([^"]+)">More</a>', first)
    assert link, "a full page links to the next one"
    following = unescape(link.group(1))
    assert f"item={ITEM}" in following and "after=" in following
    second = web.get(following).get_data(as_text=True)
    numbers = re.findall(r'class="number fw-semibold"[^>]*>([^<]+)<', first + second)
    assert len(numbers) == len(set(numbers)) == tasks.PAGE_SIZE + 2
    assert "More</a>" not in second
