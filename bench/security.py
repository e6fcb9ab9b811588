"""sqlmap and wapiti against the running app; the commands and what they found go to bench/SECURITY.md.

    .venv/bin/python -m bench.security               # every target, each tool bounded to 10 minutes
    .venv/bin/python -m bench.security --minutes 3   # a shorter bound (a stopped tool says so in the report)

On 127.0.0.1 only: a throwaway SQLite database seeded with the demo accounts and a small city
(`flask --app app seed`), served by gunicorn as deployed (deploy/gunicorn.conf.py, APP_ENV=production;
the session cookie is not Secure, as the loopback has no TLS). sqlmap and wapiti are installed with
apt-get when missing.

- sqlmap (`--level 2 --risk 1 --batch`) on four requests: the catalogue search (GET q), a citizen's
  draft autosave (the edit form's POST, signed in, with a valid CSRF token), a clerk's archive with
  its filters (GET, signed in) and the login form (POST). sqlmap exits 0 whatever it finds, so the
  injectable points are counted from its results CSV (one row each).
- wapiti with the modules the issue names, from the home page and the login page, not signed in.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench import machine
from bench.browser import Browser
from bench.deployed import flask_command, start_gunicorn
from bench.load import _free_port
from bench.security_report import SqlmapResult, WapitiResult, write_report
from seeding.demo import CITIZEN, DEMO_PASSWORD
from services.applications.form_names import field_name
from services.catalog import default_catalog

# sqlmap sends thousands of wrong passwords from one address: with the sign-in throttle on, all but the first
# 50 would be answered 429 before the login reaches a query, and the scan would test nothing. The throttle
# has its own tests (tests/http/test_signin_http.py); here it is lifted so the scan reaches the code behind it.
UNTHROTTLED = {"SIGNIN_ADDRESS_FAILURES": "1000000", "SIGNIN_ACCOUNT_FAILURES": "1000000"}

ROOT = Path(__file__).resolve().parent.parent
ITEM = "330100-CIVIL-006"  # a citizen's item with text, date and number fields; its department's clerk is demo staff
WAPITI_MODULES = "sql,xss,exec,permanentxss,csp,http_headers,csrf"
SQLMAP_OPTIONS = [
    "--batch",
    "--level",
    "2",
    "--risk",
    "1",
    "--flush-session",
    "--disable-coloring",
    # Keep the signed-in session given: a cookie the server sets in answer to a payload is dropped.
    "--drop-set-cookie",
]


@dataclass(frozen=True)
class Target:
    name: str
    what: str
    path: str  # with its query string, for a GET
    data: dict[str, str] | None = None  # the form of a POST
    browser: Browser | None = None  # whose cookie goes with it
    skip: tuple[str, ...] = ()  # parameters not to tamper with (the CSRF token must stay valid)


def ensure_tools() -> None:
    missing = [tool for tool in ("sqlmap", "wapiti") if shutil.which(tool) is None]
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def seed(database_url: str, folder: Path) -> None:
    seeded = flask_command(folder, database_url, "seed", "--applications", "40", "--seed", "1")
    if seeded.returncode != 0:
        raise RuntimeError(f"flask seed failed:\n{seeded.stderr}")


def targets(port: int) -> list[Target]:
    catalog = default_catalog()
    item = catalog.items[ITEM]
    citizen = Browser(port)
    citizen.sign_in(CITIZEN.id_number, DEMO_PASSWORD)
    token = citizen.token("/")
    status, location, _ = citizen.request("POST", f"/apply/{ITEM}", {"csrf_token": token, "start": "new"})
    if status != 302 or not location.endswith("/edit"):
        raise RuntimeError(f"could not start a draft of {ITEM}: {status} {location}")
    fields = {
        field_name(spec.key): "2026-11-02" if spec.type == "date" else "12" if spec.type == "number" else "示例"
        for spec in item.fields
    }
    clerk = Browser(port)
    clerk.sign_in_staff(f"clerk.{item.department.lower()}", DEMO_PASSWORD)
    anonymous = Browser(port)
    login_token = anonymous.token("/login")
    return [
        Target("search", "the catalogue search (GET, not signed in)", "/search?" + urlencode({"q": "marriage"})),
        Target(
            "apply",
            "a citizen's draft autosave (POST of the edit form, signed in)",
            location,
            {"csrf_token": token, "action": "autosave", **fields},
            citizen,
            ("csrf_token",),
        ),
        Target(
            "archive",
            "a clerk's archive with its filters (GET, signed in)",
            "/clerk/archive?" + urlencode({"item": ITEM, "status": "delivered", "colour": "green", "after": ""}),
            None,
            clerk,
        ),
        Target(
            "login",
            "the login form (POST, not signed in)",
            "/login",
            {"csrf_token": login_token, "next": "", "login": CITIZEN.mobile, "password": "not-the-password"},
            anonymous,
            ("csrf_token",),
        ),
    ]


def sqlmap_command(base: str, target: Target, folder: Path, shown: bool = False) -> list[str]:
    """The command for one target; `shown`: with the session cookie and the token as placeholders."""
    urls = folder / f"{target.name}.targets"
    urls.write_text(base + target.path + "\n")
    command = ["sqlmap", "-m", str(urls) if not shown else f"{target.name}.targets"]
    if target.data is not None:
        data = dict(target.data)
        if shown and "csrf_token" in data:
            data["csrf_token"] = "<CSRF token>"
        command += ["--data", urlencode(data)]
    if target.browser is not None:
        command += ["--cookie", "<session cookie>" if shown else target.browser.cookie_header()]
    for parameter in target.skip:
        command += ["--skip", parameter]
    results = f"results-{target.name}.csv"
    command += [
        *SQLMAP_OPTIONS,
        "--output-dir",
        "sqlmap" if shown else str(folder / "sqlmap"),
        "--results-file",
        results if shown else str(folder / results),
    ]
    return command


def run_sqlmap(base: str, target: Target, folder: Path, seconds: int) -> SqlmapResult:
    started = time.monotonic()
    log = folder / f"sqlmap-{target.name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            sqlmap_command(base, target, folder),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        finished = _wait(process, seconds)
    results = folder / f"results-{target.name}.csv"
    rows = results.read_text().splitlines()[1:] if results.exists() else []
    said = log.read_text(errors="replace")
    codes = re.search(r"HTTP error codes detected during run:\s*\n(.+)", said)
    return SqlmapResult(
        target.name,
        target.what,
        shlex.join(sqlmap_command(base, target, folder, shown=True)),
        [row.strip() for row in rows if row.strip()],
        finished,
        time.monotonic() - started,
        "do not appear to be injectable" in said,
        _tail(said),
        codes.group(1).strip() if codes else "",
    )


def wapiti_command(base: str, folder: Path, seconds: int, shown: bool = False) -> list[str]:
    return [
        "wapiti",
        "-u",
        f"{base}/",
        "-s",
        f"{base}/login",
        "-m",
        WAPITI_MODULES,
        "--scope",
        "folder",
        "--flush-session",
        "--store-session",
        "wapiti-session" if shown else str(folder / "wapiti-session"),
        "--max-scan-time",
        str(seconds),
        "--max-attack-time",
        str(max(60, seconds // 4)),
        "--no-bugreport",
        "-f",
        "json",
        "-o",
        "wapiti.json" if shown else str(folder / "wapiti.json"),
    ]


def run_wapiti(base: str, folder: Path, seconds: int) -> WapitiResult:
    started = time.monotonic()
    log = folder / "wapiti.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            wapiti_command(base, folder, seconds),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        finished = _wait(process, seconds + 120)
    report = folder / "wapiti.json"
    found = json.loads(report.read_text()) if report.exists() else {}
    return WapitiResult(
        shlex.join(wapiti_command("http://127.0.0.1:PORT", folder, seconds, shown=True)),
        found.get("vulnerabilities", {}),
        found.get("anomalies", {}),
        finished,
        time.monotonic() - started,
        _tail(log.read_text(errors="replace")),
    )


def _wait(process: subprocess.Popen, seconds: int) -> bool:
    """Wait for a tool at most `seconds`; stop it (and what it started) after that. True when it finished."""
    try:
        process.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        return False


def _tail(said: str, lines: int = 12) -> str:
    return "\n".join(said.strip().splitlines()[-lines:])


def _version(name: str) -> str:
    """The tool's version line (sqlmap adds a dated warning after it)."""
    run = subprocess.run([name, "--version"], capture_output=True, text=True)
    lines = [
        line.strip()
        for line in (run.stdout + run.stderr).splitlines()
        if line.strip() and not line.lstrip().startswith("[")
    ]
    return f"{name} {lines[-1].removeprefix('Wapiti ')}" if lines else f"{name}: unknown version"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10, help="bound on each tool run (default 10)")
    parser.add_argument(
        "--only",
        choices=("search", "apply", "archive", "login", "wapiti"),
        action="append",
        help="run only these (repeatable); the report then holds only them",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database, logs and tool output afterwards")
    args = parser.parse_args(argv)
    seconds = int(args.minutes * 60)
    ensure_tools()
    folder = Path(tempfile.mkdtemp(prefix="atmostonce-security-"))
    load_before = os.getloadavg()
    server = None
    try:
        database_url = f"sqlite:///{folder / 'app.sqlite'}"
        print(f"seeding a throwaway database in {folder}", file=sys.stderr)
        seed(database_url, folder)
        port = _free_port()
        server = start_gunicorn(folder, database_url, port, settings=UNTHROTTLED)
        base = f"http://127.0.0.1:{port}"
        sqlmap_results = []
        for target in targets(port):
            if args.only and target.name not in args.only:
                continue
            print(f"sqlmap: {target.name} (at most {args.minutes:g} min)", file=sys.stderr)
            sqlmap_results.append(run_sqlmap(base, target, folder, seconds))
        wapiti = None
        if not args.only or "wapiti" in args.only:
            print(f"wapiti (at most {args.minutes:g} min)", file=sys.stderr)
            wapiti = run_wapiti(base, folder, seconds)
        path = write_report(
            command=" ".join(["python -m bench.security", *(argv if argv is not None else sys.argv[1:])]),
            machine=machine.describe(None).lines(),
            versions=[_version("sqlmap"), _version("wapiti")],
            load=(load_before, os.getloadavg()),
            sqlmap=sqlmap_results,
            wapiti=wapiti,
        )
        print(f"wrote {path}")
        return 0
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
