"""What sqlmap and wapiti found, as bench/SECURITY.md (written again by each run of bench.security)."""

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SECURITY = Path(__file__).resolve().parent / "SECURITY.md"
NOTE_ON_STATUSES = (
    "Error statuses are the app refusing a payload, not failing on it: a payload in the session "
    "cookie loses the session and with it the CSRF token, so the POST is refused (400); a payload "
    "in `action` is not `autosave`, so the edit form is rendered again with its problems (422). "
    "A 500 would show here."
)
TOKEN = re.compile(r"csrf_token=[^&\s]+")


@dataclass(frozen=True)
class FalsePositive:
    category: str  # wapiti's name for the finding
    path: str  # a regular expression the finding's path matches
    info: str  # a regular expression what wapiti says matches
    why: str  # why it is not a weakness of this app


# Findings looked at and found harmless, each with its reason; they are listed apart and not counted.
FALSE_POSITIVES = [
    FalsePositive(
        "HTTP Secure Headers",
        r".*",
        r"X-XSS-Protection is not set",
        "wapiti 3.0.4 asks for `X-XSS-Protection: 1`, which switches on the XSS auditor of old browsers; "
        "current browsers have removed it, it could be abused to leak data from a page, and the OWASP "
        "Secure Headers Project advises leaving the header out (or `0`). What protects the pages from XSS "
        "is Jinja2's escaping of every value and, with the security headers, a CSP without inline scripts.",
    ),
]


# sqlmap's note on a suspect it could not confirm: a time-based hint (the answer came late) that did not
# repeat, typically a slow password hash on a loaded machine.
RULED_OUT = ",false positive or unexploitable"


@dataclass(frozen=True)
class SqlmapResult:
    name: str
    what: str
    command: str  # with the session cookie and the CSRF token as placeholders
    rows: list[str]  # the rows of sqlmap's results CSV: one per point it suspected
    finished: bool  # False: stopped at the time bound
    seconds: float
    said_not_injectable: bool  # sqlmap's own closing words: "all tested parameters do not appear to be injectable"
    tail: str  # the end of its log
    error_codes: str  # sqlmap's count of the HTTP error statuses its payloads met ("" when none)

    @property
    def injectable(self) -> list[str]:
        return [row for row in self.rows if not row.endswith(RULED_OUT)]

    @property
    def ruled_out(self) -> list[str]:
        """Points sqlmap suspected and then, testing further, judged not injectable itself."""
        return [row for row in self.rows if row.endswith(RULED_OUT)]


@dataclass(frozen=True)
class WapitiResult:
    command: str
    vulnerabilities: dict[str, list[dict]]  # category: findings
    anomalies: dict[str, list[dict]]
    finished: bool
    seconds: float
    tail: str

    def findings(self) -> list[tuple[str, dict, FalsePositive | None]]:
        found = []
        for kind in (self.vulnerabilities, self.anomalies):
            for category, entries in kind.items():
                for entry in entries:
                    known = next(
                        (
                            fp
                            for fp in FALSE_POSITIVES
                            if fp.category == category
                            and re.fullmatch(fp.path, entry.get("path", ""))
                            and re.search(fp.info, str(entry.get("info", "")))
                        ),
                        None,
                    )
                    found.append((category, entry, known))
        return found


def _sqlmap_lines(results: list[SqlmapResult]) -> list[str]:
    lines = [
        "| target | request | injectable points | suspects sqlmap ruled out itself | sqlmap's verdict "
        "| error statuses its payloads met | time |",
        "|---|---|---:|---:|---|---|---|",
    ]
    for result in results:
        verdict = (
            "all tested parameters do not appear to be injectable"
            if result.said_not_injectable
            else "see its log below"
        )
        if not result.finished:
            verdict = f"stopped at the time bound ({verdict} so far)"
        lines.append(
            f"| {result.name} | {result.what} | **{len(result.injectable)}** | {len(result.ruled_out)} | "
            f"{verdict} | "
            f"{result.error_codes or 'none'} | {result.seconds / 60:.1f} min |"
        )
    lines += ["", NOTE_ON_STATUSES]
    lines += [
        "",
        "Commands (from a scratch folder; `<session cookie>` is the signed-in browser's cookie header, "
        "`<CSRF token>` the token of that session, `<name>.targets` holds the one URL, "
        "http://127.0.0.1:PORT plus the path):",
        "",
    ]
    for result in results:
        lines += [f"- {result.name}: `{result.command}`"]
    for result in results:
        if result.injectable:
            lines += ["", f"Injectable points of {result.name} (results CSV):", "", "```", *result.injectable, "```"]
        if result.ruled_out:
            lines += [
                "",
                f'Suspects of {result.name} that sqlmap itself marked "false positive or unexploitable" '
                "(results CSV; technique T is time-based: an answer came late once and not again):",
                "",
                "```",
                *result.ruled_out,
                "```",
            ]
    return lines


def _grouped(found: list[tuple[str, dict]]) -> list[tuple[tuple[str, str, str, str, str], int, str]]:
    """The same finding on the same request, once with its count and the body of its first request."""
    groups: dict[tuple[str, str, str, str, str], list[dict]] = {}
    for category, entry in found:
        info = " ".join(str(entry.get("info", "")).split())
        key = (category, entry.get("method", ""), entry.get("path", ""), entry.get("parameter", "") or "", info)
        groups.setdefault(key, []).append(entry)
    return [
        (
            key,
            len(entries),
            TOKEN.sub("csrf_token=<CSRF token>", str(entries[0].get("http_request", "")).strip().splitlines()[-1]),
        )
        for key, entries in groups.items()
    ]


def _wapiti_lines(result: WapitiResult) -> list[str]:
    found = result.findings()
    counted = [(category, entry) for category, entry, known in found if known is None]
    by_category: dict[str, int] = {}
    for category, _ in counted:
        by_category[category] = by_category.get(category, 0) + 1
    lines = [
        f"Command: `{result.command}`",
        "",
        f"Finished: {'yes' if result.finished else 'no, stopped at the time bound'} "
        f"after {result.seconds / 60:.1f} min. Findings not documented as false positives: "
        f"**{len(counted)}**. A category not listed had no finding.",
        "",
    ]
    if by_category:
        lines += [
            "| wapiti category | findings |",
            "|---|---:|",
            *(f"| {category} | {n} |" for category, n in sorted(by_category.items())),
            "",
        ]
        lines += ["Each finding (method, path, parameter: what wapiti says; how often; the request's last line):", ""]
        for (category, method, path, parameter, info), count, request in _grouped(counted):
            times = f" ({count}×)" if count > 1 else ""
            example = f"; e.g. `{request[:200]}`" if method == "POST" else ""
            lines.append(f"- {category}: {method} {path} {parameter}: {info[:300]}{times}{example}")
        lines.append("")
    lines += ["## Documented false positives", ""]
    known = [(category, entry, fp) for category, entry, fp in found if fp is not None]
    if known:
        lines += [
            f'- {category}: {entry.get("method", "")} {entry.get("path", "")}: "{entry.get("info", "")}". {fp.why}'
            for category, entry, fp in known
        ]
    else:
        lines.append("None: every finding above is counted.")
    return lines


def write_report(
    *,
    command: str,
    machine: list[str],
    versions: list[str],
    load,
    sqlmap: list[SqlmapResult],
    wapiti: WapitiResult | None,
) -> Path:
    before, after = load
    lines = [
        "# Security scans",
        "",
        f"Reproduce: `{command}` (from the project root; see bench/security.py). The run writes this file again.",
        "",
        f"Run {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on:",
        "",
        *machine,
        f"- tools: {'; '.join(versions)}",
        f"- load average (1/5/15 min) before: {' / '.join(f'{v:.1f}' for v in before)}, after: "
        f"{' / '.join(f'{v:.1f}' for v in after)} ({'quiet' if before[0] < 1 else 'busy with other work'} "
        "when it started)",
        "",
        "Target: gunicorn on 127.0.0.1 (deploy/gunicorn.conf.py, APP_ENV=production, session cookie not Secure "
        "on the loopback) over a throwaway SQLite database seeded with `flask --app app seed --applications 40 "
        "--seed 1` (the demo accounts included), with the sign-in throttle lifted so that sqlmap's thousands of "
        "wrong passwords reach the login's queries instead of a 429 (bench/security.py, UNTHROTTLED).",
        "",
        "## sqlmap",
        "",
        *(_sqlmap_lines(sqlmap) if sqlmap else ["Not run this time."]),
        "",
        "## wapiti",
        "",
        *(_wapiti_lines(wapiti) if wapiti else ["Not run this time."]),
        "",
    ]
    SECURITY.write_text("\n".join(lines), encoding="utf-8")
    return SECURITY
