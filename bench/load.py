"""Throughput under gunicorn (2 sync workers) with wrk on 127.0.0.1, against hello-world on the same server.

Before the run, in-process: the demo citizen gets `count` complete drafts and the clerk of
their item's department `count` claimed tasks — one of each made through the services, the
rest copies of its rows — and both log in through the real form, so wrk can send their
session cookie and CSRF token. Then, in one gunicorn: wrk GETs the hello-world route, POSTs
"submit" to each draft once (the real form post of its check-answers page), POSTs "approve" to each
task once. Afterwards the database is checked: every 302 wrk counted is one submitted
application or one decided task. The workers' resident memory is read from /proc.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, insert
from sqlmodel import Session, select

from app import create_app
from bench.routes import APPROVE_FLOOR, SUBMIT_FLOOR
from seeding.demo import CITIZEN, COMPANY, DEMO_PASSWORD, SPOUSE
from services.applications.drafts import save_draft, start_draft
from services.applications.submission import submit_application
from services.casework import desk, tasks
from services.db import new_session
from services.models import (
    GENESIS,
    Application,
    ApplicationStatus,
    Attachment,
    Certificate,
    Task,
    TaskStatus,
    User,
    new_key,
)
from services.requirements.precheck import blocking, precheck
from services.second_factor import unused_code

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "post_each.lua"
WORKERS = 2
SAMPLES = {
    "text": "示例",
    "date": "2026-11-02",
    "address": CITIZEN.address,
    "phone": CITIZEN.mobile,
    "id_number": SPOUSE.id_number,
    "credit_code": COMPANY.credit_code,
}


@dataclass(frozen=True)
class Run:
    name: str
    requests: int
    per_second: float
    errors: int  # non-2xx/3xx answers and socket errors


@dataclass(frozen=True)
class LoadFigures:
    hello: Run
    submit_floor: Run  # bench/routes.py's floor as the citizen with the submit's form: the least a submit can be
    approve_floor: Run  # the same as the clerk with the approval's form, at the approval's fewest statements
    commit: Run  # one row written and committed, nothing else
    submit: Run
    approve: Run
    submitted: int  # drafts found submitted afterwards
    decided: int  # tasks found decided afterwards
    idle_rss_mib: float  # a worker's resident memory after booting
    peak_rss_mib: float  # the most any worker held during the runs (VmHWM)


@dataclass(frozen=True)
class Posts:
    paths: list[str]
    body: str
    cookie: str
    ids: list[int]


def _value(spec) -> str:
    if spec.type == "select":
        return spec.options[0].value
    if spec.type == "number":
        return f"{spec.min:g}" if spec.min is not None else "1"
    return SAMPLES[spec.type]


def _item_for(session: Session, citizen: User, catalog):
    """A non-instant item the demo citizen's wallet covers completely, so a draft needs no upload."""
    held = set(session.exec(select(Certificate.cert_type).where(Certificate.owner_id == citizen.id)))
    return next(
        item
        for item in sorted(catalog.items.values(), key=lambda item: item.code)
        if citizen.role in item.applicant_types
        and not item.instant
        and all(not m.required or m.wallet_cert in held for m in item.materials)
    )


def _complete_draft(session: Session, citizen: User, item, catalog) -> Application:
    draft = start_draft(session=session, actor=citizen, service_code=item.code, catalog=catalog)
    save_draft(
        session=session, actor=citizen, key=draft.key, values={f.key: _value(f) for f in item.fields}, catalog=catalog
    )
    gaps = blocking(precheck(session=session, application=draft, catalog=catalog))
    if gaps:
        raise RuntimeError(f"the benchmark's draft of {item.code} is incomplete: {gaps}")
    return draft


def _copies(session: Session, model, rows: list[dict], **fixed) -> list[int]:
    """Insert copies of `rows` (dicts of a model's columns) with new ids and keys; returns their ids."""
    ids = []
    for start in range(0, len(rows), 1000):
        batch = [{**row, **fixed, "key": new_key()} for row in rows[start : start + 1000]]
        for row in batch:
            row.pop("id", None)
        ids += session.execute(insert(model).returning(model.id), batch).scalars().all()
    return ids


def _row(record) -> dict:
    return {column.key: getattr(record, column.key) for column in type(record).__table__.columns}


def _clone_case(session: Session, application: Application, count: int, with_tasks: bool) -> list[int]:
    """`count` copies of a case (application, materials, tasks); returns the copies' ids (or their tasks')."""
    original = _row(application)
    attachments = [_row(a) for a in session.exec(select(Attachment).where(Attachment.application_id == application.id))]
    case_tasks = [_row(t) for t in session.exec(select(Task).where(Task.application_id == application.id))]
    # A copy starts an audit chain of its own, empty: the original's events are not its.
    fresh_chain = {"audit_length": 0, "audit_tip": GENESIS}
    rows = [
        {**original, **fresh_chain, "number": f"{application.number}-{n}" if application.number else None}
        for n in range(count)
    ]
    application_ids = _copies(session, Application, rows)
    _copies(session, Attachment, [{**a, "application_id": copy} for copy in application_ids for a in attachments])
    task_ids = (
        _copies(session, Task, [{**t, "application_id": copy} for copy in application_ids for t in case_tasks])
        if with_tasks
        else []
    )
    session.commit()
    return task_ids if with_tasks else application_ids


def _csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def signed_in_client(app, login: str):
    """A test client signed in through the real pages with the demo password (staff: and the second factor)."""
    client = app.test_client()
    answer = client.post(
        "/login", data={"csrf_token": _csrf(client, "/login"), "login": login, "password": DEMO_PASSWORD}
    )
    if answer.status_code == 302 and answer.headers["Location"] == "/login/code":
        with new_session(app.extensions["engine"]) as session:
            user = session.exec(select(User).where(User.login_name == login)).one()
        answer = client.post(
            "/login/code", data={"csrf_token": _csrf(client, "/login/code"), "code": unused_code(user)}
        )
    if answer.status_code != 302:
        raise RuntimeError(f"could not log in as {login}")
    return client


def _login(app, login: str) -> tuple[str, str]:
    client = signed_in_client(app, login)
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return f"session={client.get_cookie('session').value}", token


@dataclass(frozen=True)
class Prepared:
    citizen: User
    clerk: User
    item: object
    draft_ids: list[int]
    task_ids: list[int]


def prepare_rows(session: Session, catalog, drafts: int, claimed: int) -> Prepared:
    """`drafts` complete drafts of the demo citizen and `claimed` tasks of their cases claimed by one clerk."""
    citizen = session.exec(select(User).where(User.login_name == CITIZEN.id_number)).one()
    front_desk = session.exec(select(User).where(User.login_name == "frontdesk")).one()
    item = _item_for(session, citizen, catalog)
    clerk = session.exec(select(User).where(User.login_name == f"clerk.{item.department.lower()}")).one()
    # The claimed case first: a second draft of the same item would resume the first.
    case = _complete_draft(session, citizen, item, catalog)
    submit_application(session=session, actor=citizen, key=case.key, catalog=catalog)
    desk.accept_application(session=session, actor=front_desk, key=case.key, catalog=catalog)
    task = session.exec(select(Task).where(Task.application_id == case.id)).one()
    tasks.claim_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    session.refresh(case)
    task_ids = _clone_case(session, case, claimed, with_tasks=True)
    draft_ids = (
        _clone_case(session, _complete_draft(session, citizen, item, catalog), drafts, with_tasks=False)
        if drafts
        else []
    )
    return Prepared(citizen, clerk, item, draft_ids, task_ids)


def prepare(database_url: str, secret: str, upload_folder: Path, count: int) -> tuple[Posts, Posts]:
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret, "UPLOAD_FOLDER": str(upload_folder)})
    with new_session(app.extensions["engine"]) as session:
        rows = prepare_rows(session, app.extensions["catalog"], count, count)
        draft_keys = dict(
            session.exec(select(Application.id, Application.key).where(Application.id.in_(rows.draft_ids))).all()
        )
        task_keys = dict(session.exec(select(Task.id, Task.key).where(Task.id.in_(rows.task_ids))).all())
    app.extensions["engine"].dispose()
    cookie, token = _login(app, rows.citizen.login_name)
    submit = Posts(
        [f"/applications/{draft_keys[i]}/check" for i in rows.draft_ids],
        urlencode({"csrf_token": token, "action": "submit"}),
        cookie,
        rows.draft_ids,
    )
    cookie, token = _login(app, rows.clerk.login_name)
    approve = Posts(
        [f"/clerk/tasks/{task_keys[i]}/approve" for i in rows.task_ids],
        urlencode({"csrf_token": token, "note": ""}),
        cookie,
        rows.task_ids,
    )
    return submit, approve


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def _memory_mib(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _wrk(url: str, seconds: int, connections: int, script_args: list[str] | None = None) -> Run:
    command = ["wrk", "-t", str(WORKERS), "-c", str(connections), "-d", f"{seconds}s"]
    if script_args:
        command += ["-s", str(SCRIPT), url, "--", *script_args]
    else:
        command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Run(url.rsplit("/", 1)[-1] or url, requests, per_second, errors)


def _posts_file(folder: Path, name: str, posts: Posts) -> str:
    path = folder / f"{name}.txt"
    path.write_text("\n".join(posts.paths) + "\n")
    return str(path)


@contextmanager
def serving(database_url: str, secret: str, upload_folder: Path, folder: Path, name: str = "gunicorn"):
    """A gunicorn of the product and the hello route on a free port (log in `folder`); yields its URL and pid."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret,
        "APP_ENV": "development",
        "UPLOAD_FOLDER": str(upload_folder),
        "OUTBOX_FOLDER": str(folder / f"{name}-outbox"),
        "WEB_CONCURRENCY": str(WORKERS),
        "BIND": f"127.0.0.1:{port}",
        "MAX_REQUESTS": "0",
        "ACCESS_LOG": "",
        "PYTHONPATH": str(ROOT),
    }
    with open(folder / f"{name}.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "bench.hello:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(f"{base}/bench/hello", server)
            yield base, server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


def post_each(base: str, seconds: int, connections: int, folder: Path, name: str, posts: Posts) -> Run:
    """wrk POSTs the form to each of `posts` once."""
    script = [_posts_file(folder, name, posts), posts.body, posts.cookie, str(WORKERS)]
    return _wrk(base, seconds, connections, script)


def _floor(posts: Posts, statements: int, seconds: int) -> Posts:
    """The floor route, posted with `posts`' form and cookie as often as wrk can in `seconds`."""
    return Posts([f"/bench/floor/{statements}"] * (10_000 * seconds), posts.body, posts.cookie, [])


def measure(database_url: str, upload_folder: Path, seconds: int, connections: int, count: int) -> LoadFigures:
    secret = os.urandom(16).hex()
    submit, approve = prepare(database_url, secret, upload_folder, count)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with serving(database_url, secret, upload_folder, folder) as (base, pid):
            idle = max(_memory_mib(child, "VmRSS") for child in _children(pid))
            hello = _wrk(f"{base}/bench/hello", seconds, connections)
            submit_floor = post_each(
                base, seconds, connections, folder, "submit-floor", _floor(submit, SUBMIT_FLOOR, seconds)
            )
            approve_floor = post_each(
                base, seconds, connections, folder, "approve-floor", _floor(approve, APPROVE_FLOOR, seconds)
            )
            committed = _wrk(f"{base}/bench/commit", seconds, connections)
            submitted = post_each(base, seconds, connections, folder, "submit", submit)
            approved = post_each(base, seconds, connections, folder, "approve", approve)
            peak = max(_memory_mib(child, "VmHWM") for child in _children(pid))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret, "UPLOAD_FOLDER": str(upload_folder)})
    with new_session(app.extensions["engine"]) as session:
        done_submits = session.exec(
            select(func.count())
            .select_from(Application)
            .where(Application.id.in_(submit.ids), Application.status != ApplicationStatus.DRAFT)
        ).one()
        done_approvals = session.exec(
            select(func.count()).select_from(Task).where(Task.id.in_(approve.ids), Task.status != TaskStatus.CLAIMED)
        ).one()
    app.extensions["engine"].dispose()
    return LoadFigures(
        hello,
        submit_floor,
        approve_floor,
        committed,
        Run("submit", submitted.requests, submitted.per_second, submitted.errors),
        Run("approve", approved.requests, approved.per_second, approved.errors),
        done_submits,
        done_approvals,
        idle,
        peak,
    )


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")
