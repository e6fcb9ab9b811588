"""Where a write's Python calls go, part by part: the framework's, the floor's, the ORM's, the statements', ours.

    .venv/bin/python -m bench.write_split --postgres postgresql+psycopg://postgres@127.0.0.1:5434/postgres

bench.write_cpu counts a request's calls in total; this splits them, so the gap between a write
and the floor (bench/routes.py) can be read as work of the framework, of SQLAlchemy, or of ours.
Every call is counted for the innermost part it happens in (the same requests as bench.write_cpu,
through the test client, counted by a profile hook, which other work on the machine does not move).
A call made inside the services or the views, outside a named part, is ours; one anywhere else
is the framework's (Flask, Werkzeug, the routing, the request log). The floor's statements go
straight to the driver from its view, so they count among its "ours".
"""

import argparse
import collections
import math
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

FRAMEWORK = "framework: Flask, Werkzeug, routing, request log, response"
OURS = "ours: services and views (engine, rules, guards, audit, their model attributes)"
# (module, attribute path, part): each wrapped so that the calls made inside it count for the part.
PARTS = [
    ("services.signin", "resume_session", "sign-in: the session and its user"),
    ("flask_wtf.csrf", "CSRFProtect.protect", "CSRF check"),
    ("flask_wtf.form", "FlaskForm.__init__", "form"),
    ("wtforms.form", "Form.validate", "form"),
    ("flask.sessions", "SecureCookieSessionInterface.open_session", "session cookie read"),
    ("flask.sessions", "SecureCookieSessionInterface.save_session", "session cookie written (a flashed message)"),
    ("flask", "flash", "session cookie written (a flashed message)"),
    ("sqlalchemy.engine.base", "Connection._execute_context", "statements: SQLAlchemy Core and the driver"),
    ("sqlalchemy.orm.session", "Session._execute_internal", "ORM queries: compile state, rows into objects"),
    ("sqlalchemy.orm.session", "Session.commit", "ORM commit: the flush at commit"),
    ("sqlalchemy.orm.session", "Session.add", "ORM session bookkeeping"),
    ("sqlalchemy.orm.session", "Session.connection", "ORM session bookkeeping"),
    ("services.audit", "event_digest", "ours: the audit chain's hashing"),
]
OWN_CODE = tuple(str(Path(__file__).resolve().parent.parent / folder) + os.sep for folder in ("services", "web/views"))


class Split:
    """Counts each call for the innermost part it is made in."""

    def __init__(self) -> None:
        self.parts = [FRAMEWORK]
        self.calls: collections.Counter[str] = collections.Counter()
        self._ours: set[int] = set()  # frames that opened "ours"

    def wrap(self, module_name: str, path: str, part: str) -> None:
        owner = __import__(module_name, fromlist=["_"])
        *outer, name = path.split(".")
        for attribute in outer:
            owner = getattr(owner, attribute)
        inner = getattr(owner, name)
        parts = self.parts

        def counted(*args, **kwargs):
            parts.append(part)
            try:
                return inner(*args, **kwargs)
            finally:
                parts.pop()

        setattr(owner, name, counted)

    def hook(self, frame, event: str, _arg) -> None:
        if event == "call":
            if self.parts[-1] == FRAMEWORK and frame.f_code.co_filename.startswith(OWN_CODE):
                self.parts.append(OURS)
                self._ours.add(id(frame))
            self.calls[self.parts[-1]] += 1
        elif event == "c_call":
            self.calls[self.parts[-1]] += 1
        elif event == "return" and id(frame) in self._ours:
            self._ours.discard(id(frame))
            self.parts.pop()


def counting(write_cpu: ModuleType, split: Split, requests: int) -> Callable:
    """A stand-in for bench.write_cpu's _cost: warm up, then count `requests` requests' calls by part."""

    def cost(send, paths: list[str], expected: int, _profile=None):
        for path in paths[: write_cpu.WARM]:
            write_cpu._check(send(path), expected, path)
        split.calls.clear()
        sys.setprofile(split.hook)
        try:
            for path in paths[write_cpu.WARM : write_cpu.WARM + requests]:
                write_cpu._check(send(path), expected, path)
        finally:
            sys.setprofile(None)
        route = re.sub(r"/(applications|tasks)/[^/]+", r"/\1/<key>", paths[0])
        total = sum(split.calls.values()) / requests
        print(f"\n{route}: {total:,.0f} calls a request")
        for part, calls in split.calls.most_common():
            print(f"  {part:84} {calls / requests:7,.0f}")
        # bench.write_cpu prints its table from these; CPU time is not measured here (the hook costs more).
        return write_cpu.Cost(cpu_ms=math.nan, calls=total)

    return cost


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server URL (any database)")
    parser.add_argument("--requests", type=int, default=50, help="requests of each route counted")
    parser.add_argument("--databases", default="PostgreSQL,SQLite", help="which of PostgreSQL, SQLite")
    args = parser.parse_args(argv)
    split = Split()
    for module_name, path, part in PARTS:
        split.wrap(module_name, path, part)
    # Imported after the wrapping: the app's modules import some of the wrapped functions by name.
    from bench import write_cpu

    write_cpu._cost = counting(write_cpu, split, args.requests)
    # write_cpu prepares rows for its own counts; --requests there only needs to cover ours.
    return write_cpu.main(
        ["--postgres", args.postgres, "--requests", str(args.requests), "--databases", args.databases]
    )


if __name__ == "__main__":
    sys.exit(main())
