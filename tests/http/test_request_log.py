"""Each request leaves one log line: its id, the user's key, the route, the status and how long it took."""

import json
import logging

import pytest

from tests.factories import make_citizen
from web.request_log import JsonLines, ReadableLines

REQUEST_LINE = "web.requests"


def request_lines(caplog):
    return [record for record in caplog.records if record.name == REQUEST_LINE]


def test_a_request_leaves_one_line_with_its_id_route_status_and_duration(web, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LINE)
    response = web.get("/search?q=passport")
    [line] = request_lines(caplog)
    assert (line.method, line.path, line.status) == ("GET", "/search", 200)
    assert line.endpoint == "guide.search" and response.status_code == 200
    assert line.duration_ms >= 0
    assert line.user is None  # nobody signed in
    assert len(line.request_id) == 32 and response.headers["X-Request-ID"] == line.request_id


def test_the_line_names_the_signed_in_user_by_key_never_by_name_or_id_number(web, db, caplog):
    citizen = make_citizen(db)
    web.login(citizen.login_name)
    caplog.set_level(logging.INFO, logger=REQUEST_LINE)
    caplog.clear()
    web.get("/")
    [line] = request_lines(caplog)
    assert line.user == citizen.key
    text = JsonLines().format(line) + ReadableLines().format(line)
    assert citizen.full_name not in text and citizen.login_name not in text and citizen.mobile not in text


def test_an_incoming_request_id_is_kept_and_echoed(web, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LINE)
    response = web.get("/", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.42"
    assert request_lines(caplog)[0].request_id == "lb-7f3a.42"


def test_an_incoming_request_id_that_could_forge_a_line_is_replaced(web):
    response = web.get("/", headers={"X-Request-ID": 'x" level=ERROR\tforged'})
    assert response.headers["X-Request-ID"] != 'x" level=ERROR\tforged'
    assert len(response.headers["X-Request-ID"]) == 32


def test_at_debug_the_line_counts_the_sql_statements(app, web, caplog):
    caplog.set_level(logging.DEBUG, logger=REQUEST_LINE)
    web.get("/search?q=passport")
    counted = request_lines(caplog)[-1].sql_statements
    assert counted > 0
    caplog.clear()
    caplog.set_level(logging.INFO, logger=REQUEST_LINE)
    web.get("/search?q=passport")
    assert not hasattr(request_lines(caplog)[-1], "sql_statements")


@pytest.fixture
def failing_app(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer the 500 page, as a server does

    def broken():
        raise RuntimeError("the disk is full")

    app.add_url_rule("/broken", "broken", broken)
    return app


def test_a_failure_logs_its_traceback_with_the_request_id_and_answers_500(failing_app, caplog):
    caplog.set_level(logging.INFO)
    response = failing_app.test_client().get("/broken", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    [failure] = [record for record in caplog.records if record.exc_info]
    assert failure.levelno == logging.ERROR and failure.request_id == "req-500"
    assert "the disk is full" in JsonLines().format(failure)
    [line] = request_lines(caplog)
    assert line.status == 500 and line.request_id == "req-500"


def test_production_writes_json_lines_and_development_readable_ones(caplog):
    caplog.set_level(logging.INFO)
    record = logging.getLogger(REQUEST_LINE).makeRecord(
        REQUEST_LINE,
        logging.INFO,
        __file__,
        1,
        "GET %s 200",
        ("/",),
        None,
        extra={"method": "GET", "status": 200, "duration_ms": 3.5, "user": "k3y"},
    )
    record.request_id = "abc"
    entry = json.loads(JsonLines().format(record))
    assert entry["message"] == "GET / 200"
    assert {key: entry[key] for key in ("level", "request_id", "method", "status", "duration_ms", "user")} == {
        "level": "INFO",
        "request_id": "abc",
        "method": "GET",
        "status": 200,
        "duration_ms": 3.5,
        "user": "k3y",
    }
    readable = ReadableLines().format(record)
    assert "GET / 200" in readable and "[abc]" in readable and not readable.startswith("{")
