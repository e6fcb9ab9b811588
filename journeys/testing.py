"""Test mode only (APP_ENV=test): the virtual clock and what a journey needs that no page offers.

`register_testing(app)` does nothing outside test mode, so these URLs do not exist in
development or production, and there `services.clock` stays the system clock.

    GET  /_test/clock                    the virtual time
    POST /_test/clock                    {"to": ISO time} or {"minutes"|"hours"|"days"|"working_days": n}
    POST /_test/reset                    wipe every row and file; the clock goes back to the system's
    POST /_test/staff                    {"username", "role", "department", "password", "full_name"} -> its TOTP secret
    POST /_test/wallet                   {"login", "certificates": [{"type", "data"}]}
    POST /_test/demo                     create the demo accounts
    POST /_test/sweep                    the SLA sweep and the late requests' escalation, as the scheduler runs them
    POST /_test/outbox                   send the notification outbox, as the scheduler does
    POST /_test/benefits/<job>           免申即享: sweep, sweep-changes, approve, pay, returns {"returned": {key: why}},
                                         records {"of": login, ...}, budget {"policy", "yuan"} (benefit_jobs.py)
    GET  /_test/applications/<key>       statuses, tasks, visits, breaches, notifications, certificates
    GET  /_test/requests/<key>           an enterprise request: status, tasks by department, answer, escalation
    GET  /_test/disputes/<key>           a dispute: status, centre, tasks by agency, answer, referral, visits
    GET  /_test/offers/<key>             a benefit offer: status, amount, deadline, its check's task, messages
    GET  /_test/users/<login>            a user's key, wallet and number of applications

Requests and answers are JSON; state-changing ones are POSTs exempt from CSRF (no browser form sends them).
"""

import os
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_babel import force_locale

from journeys.benefit_jobs import run_benefit_job
from journeys.case_state import dispute_state, offer_state, request_state
from journeys.clock import VIRTUAL, ClockStore, advanced
from journeys.state import application_state, user_state
from journeys.testbed import add_certificates, add_staff, wipe_data
from journeys.vocabulary import ADVANCE_UNITS
from seeding.demo import seed_demo
from services import clock, passwords, policy
from services.enterprise.office import close_unconfirmed_requests, escalate_overdue_requests
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.notifications import FileGateway, send_outbox
from services.sla import sweep
from services.workdays import load_calendar
from services.workflow.numbers import claim_one_at_a_time
from web.extensions import catalog, csrf, db_session, file_store
from web.views.helpers import route_policy
from web.views.inbox import message_text

bp = Blueprint("testing", __name__, url_prefix="/_test")
TEST_MODE = "test"


def clock_store() -> ClockStore:
    return current_app.extensions["virtual_clock"]


def register_testing(app: Flask) -> None:
    """Add the test-mode endpoints and the shared virtual clock, only when APP_ENV is "test"."""
    if app.config.get("APP_ENV") != TEST_MODE or "testing" in app.blueprints:
        return
    path = (
        app.config.get("VIRTUAL_CLOCK_FILE")
        or os.environ.get("VIRTUAL_CLOCK_FILE")
        or str(Path(app.instance_path) / "virtual_clock")
    )
    app.extensions["virtual_clock"] = ClockStore(path)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    clock.use_clock(VIRTUAL)
    claim_one_at_a_time(app.extensions["engine"])  # /_test/reset empties the database under every worker

    @app.before_request
    def _pin_virtual_time():
        # Every worker reads the shared moment once per request: one stat, a read only when it moved.
        if clock.current_clock() is not VIRTUAL:
            clock.use_clock(VIRTUAL)
        VIRTUAL.pin(app.extensions["virtual_clock"].read())

    @app.before_request
    def _hash_cheaply():
        # Throwaway accounts: scrypt would be a third of a journey run. Marked hashes work in test mode only.
        passwords.use_test_mode_hashing(True)

    @app.teardown_request
    def _unpin(_exc):
        VIRTUAL.unpin()
        passwords.use_test_mode_hashing(False)


@bp.errorhandler(Invalid)
def _invalid(error: Invalid):
    # A message with a limit (FieldError) is an exception object: JSON gets its English text.
    return jsonify(error=str(error.message), errors={name: str(text) for name, text in error.errors.items()}), 422


@bp.errorhandler(NotFound)
def _not_found(error: NotFound):
    return jsonify(error=error.message), 404


@bp.errorhandler(NotAllowed)
@bp.errorhandler(Conflict)
def _refused(error):
    return jsonify(error=error.message), 409


def _now_answer():
    # The worker's pid shows which of several workers answered: they must all tell the same time.
    return jsonify(
        now=clock.now().isoformat(),
        china=clock.to_china(clock.now()).isoformat(),
        virtual=clock_store().read() is not None,
        worker=os.getpid(),
    )


@bp.get("/clock")
@route_policy(policy.TEST_MODE)
def get_clock():
    return _now_answer()


@bp.post("/clock")
@route_policy(policy.TEST_MODE)
def move_clock():
    body = request.get_json(force=True, silent=True) or {}
    if "to" in body:
        try:
            moment = datetime.fromisoformat(body["to"])
        except (TypeError, ValueError):
            return jsonify(error="'to' must be an ISO date and time with its offset"), 400
        if moment.tzinfo is None:
            return jsonify(error="'to' needs a UTC offset, e.g. 2026-02-13T09:00:00+08:00"), 400
    else:
        steps = {unit: body[unit] for unit in ADVANCE_UNITS if unit in body}
        if not steps or not all(isinstance(n, int) and n >= 0 for n in steps.values()):
            return jsonify(error=f"give 'to' or a count of {', '.join(ADVANCE_UNITS)}"), 400
        moment = advanced(clock.now(), load_calendar(session=db_session()), **steps)
    clock_store().write(moment)
    VIRTUAL.pin(moment)
    return _now_answer()


@bp.post("/reset")
@route_policy(policy.TEST_MODE)
def reset():
    db_session().close()
    folders = (file_store().root, Path(current_app.config["OUTBOX_FOLDER"]))
    deleted = wipe_data(current_app.extensions["engine"], folders)
    clock_store().clear()
    VIRTUAL.unpin()
    return jsonify(deleted=deleted)


@bp.post("/staff")
@route_policy(policy.TEST_MODE)
def staff():
    body = request.get_json(force=True)
    user = add_staff(
        session=db_session(),
        catalog=catalog(),
        username=body["username"],
        full_name=body.get("full_name", ""),
        role=body["role"],
        department=body.get("department"),
        password=body["password"],
    )
    return jsonify(key=user.key, login=user.login_name, totp_secret=user.totp_secret), 201


@bp.post("/wallet")
@route_policy(policy.TEST_MODE)
def wallet():
    body = request.get_json(force=True)
    added = add_certificates(
        session=db_session(), catalog=catalog(), login=body["login"], certificates=body["certificates"]
    )
    return jsonify(numbers=[certificate.number for certificate in added]), 201


@bp.post("/demo")
@route_policy(policy.TEST_MODE)
def demo():
    logins = seed_demo(session=db_session(), catalog=catalog())
    return jsonify(logins=[login.login for login in logins])


@bp.post("/sweep")
@route_policy(policy.TEST_MODE)
def run_sweep():
    report = sweep(session=db_session(), catalog=catalog())
    escalated = escalate_overdue_requests(session=db_session(), catalog=catalog())
    closed = close_unconfirmed_requests(session=db_session(), catalog=catalog())
    return jsonify(
        recoloured=report.recoloured,
        notified=report.notified,
        terminated=report.terminated,
        escalated=escalated,
        closed=closed,
    )


@bp.post("/outbox")
@route_policy(policy.TEST_MODE)
def run_outbox():
    gateway = FileGateway(current_app.config["OUTBOX_FOLDER"])
    with force_locale("zh"):
        report = send_outbox(session=db_session(), gateway=gateway, render=message_text)
    return jsonify(sent=report.sent, failed=report.failed)


@bp.post("/benefits/<job>")
@route_policy(policy.TEST_MODE)
def benefit_job(job: str):
    body = request.get_json(force=True, silent=True) or {}
    return jsonify(
        run_benefit_job(session=db_session(), catalog=catalog(), job=job, body=body, today=clock.china_today())
    )


@bp.get("/applications/<key>")
@route_policy(policy.TEST_MODE)
def application(key: str):
    return jsonify(application_state(session=db_session(), key=key))


@bp.get("/requests/<key>")
@route_policy(policy.TEST_MODE)
def enterprise_request(key: str):
    return jsonify(request_state(session=db_session(), key=key))


@bp.get("/disputes/<key>")
@route_policy(policy.TEST_MODE)
def dispute(key: str):
    return jsonify(dispute_state(session=db_session(), key=key))


@bp.get("/offers/<key>")
@route_policy(policy.TEST_MODE)
def offer(key: str):
    return jsonify(offer_state(session=db_session(), key=key))


@bp.get("/users/<login>")
@route_policy(policy.TEST_MODE)
def user(login: str):
    return jsonify(user_state(session=db_session(), login=login))
