"""What a run tells people: a line per journey, the failure in detail, JUnit XML for CI, and an HTML
report (one file, inline CSS, screenshots embedded) a tester can send to a colleague."""

import base64
import html
import xml.etree.ElementTree as ET
from pathlib import Path

from journeys.runner import FAILED, PASSED, JourneyResult, StepResult
from services import clock


def where(result: JourneyResult, step: StepResult) -> str:
    return f"{result.journey.path}:{step.line}"


def step_label(step: StepResult) -> str:
    return f"step {step.index}" if step.index else "set-up"


def console_line(result: JourneyResult) -> str:
    mark = "✓" if result.passed else "✗"
    ran = sum(step.status != "skipped" for step in result.steps)
    return f"{mark} {result.journey.file_name}: {result.journey.name} ({ran} steps, {result.duration:.2f} s)"


def failure_text(result: JourneyResult) -> str:
    step = result.failed_step
    lines = [f"FAILED {where(result, step)} {step_label(step)}: {step.title}"]
    if step.failures:
        lines += [f"  {check.name}: expected {check.expected!r}, got {check.actual!r}" for check in step.failures]
    else:
        lines.append(f"  {step.message}")
    return "\n".join(lines)


# --- JUnit ----------------------------------------------------------------------------------


def write_junit(results: list[JourneyResult], path: Path) -> None:
    failures = sum(not result.passed for result in results)
    suites = ET.Element("testsuites", tests=str(len(results)), failures=str(failures))
    mode = results[0].mode if results else "in-process"
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"journeys ({mode})",
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{sum(r.duration for r in results):.3f}",
    )
    for result in results:
        journey = result.journey
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"journeys.{Path(journey.path).stem}",
            name=journey.name,
            file=journey.path,
            time=f"{result.duration:.3f}",
        )
        step = result.failed_step
        if step is not None:
            case.set("line", str(step.line))
            failure = ET.SubElement(
                case,
                "failure",
                type="JourneyStepFailed",
                message=f"{where(result, step)} {step_label(step)}: {step.title}",
            )
            failure.text = failure_text(result)
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(
            f"[{s.status:>7}] {s.at} line {s.line} {step_label(s)}: {s.title} "
            f"({s.duration * 1000:.0f} ms){' - ' + s.message if s.message else ''}"
            for s in result.steps
        )
    ET.indent(suites)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


# --- HTML ------------------------------------------------------------------------------------

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:0;color:#1d2329}
body{background:#f6f7f9}
header,main{max-width:1080px;margin:auto;padding:1rem 1.25rem}
header{background:#0b5394;color:#fff;max-width:none}header h1{margin:.2rem 0;font-size:1.4rem}
.summary{display:flex;gap:1.5rem;flex-wrap:wrap}.summary b{font-size:1.3rem}
nav ol{columns:2;padding-left:1.2rem}nav a{color:#0b5394}
section.journey{background:#fff;border:1px solid #d5dae0;border-radius:8px;margin:1rem 0;padding:.4rem 1rem}
section.failed{border-left:6px solid #b3261e}section.passed{border-left:6px solid #2e7d32}
summary{cursor:pointer;font-weight:600;padding:.4rem 0}.purpose{color:#4a5560;margin:.2rem 0 .6rem}
.badge{display:inline-block;border-radius:999px;padding:0 .6rem;font-size:.8rem;font-weight:600;color:#fff}
.badge.passed{background:#2e7d32}.badge.failed{background:#b3261e}.badge.skipped{background:#8a939c}
ol.timeline{list-style:none;padding:0;margin:0 0 .8rem;border-left:3px solid #d5dae0}
ol.timeline li{position:relative;padding:.25rem .5rem .25rem 1.2rem}
ol.timeline li::before{content:"";position:absolute;left:-8px;top:.6rem;width:11px;height:11px;border-radius:50%}
ol.timeline li::before{background:#2e7d32}
ol.timeline li.failed::before{background:#b3261e}ol.timeline li.skipped{color:#8a939c}
ol.timeline li.skipped::before{background:#c9ced4}
ol.timeline li.failed{background:#fdecea}
.when{font-family:ui-monospace,monospace;font-size:.8rem;color:#4a5560;margin-right:.5rem}
.line{font-family:ui-monospace,monospace;font-size:.8rem;color:#4a5560}.ms{font-size:.8rem;color:#6b7680;float:right}
.msg{font-size:.85rem;color:#4a5560;margin:.1rem 0 0}li.failed .msg{color:#7a1a14;font-weight:600}
table.checks{border-collapse:collapse;margin:.4rem 0;font-size:.85rem;width:100%}
table.checks th,table.checks td{border:1px solid #d5dae0;padding:.25rem .4rem;text-align:left;vertical-align:top}
table.checks tr.bad td{background:#fdecea}code{font-size:.85rem;white-space:pre-wrap;word-break:break-word}
img.shot{max-width:100%;border:1px solid #d5dae0;margin:.4rem 0}
"""


def _e(value) -> str:
    return html.escape(str(value))


def _checks(step: StepResult) -> str:
    if not step.checks:
        return ""
    rows = "".join(
        f'<tr class="{"ok" if c.ok else "bad"}"><td>{"✓" if c.ok else "✗"}</td><td>{_e(c.name)}</td>'
        f"<td><code>{_e(repr(c.expected))}</code></td><td><code>{_e(repr(c.actual))}</code></td></tr>"
        for c in step.checks
    )
    return (
        '<table class="checks"><thead><tr><th scope="col"></th><th scope="col">expectation</th>'
        f'<th scope="col">expected</th><th scope="col">actual</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _step(result: JourneyResult, step: StepResult) -> str:
    shot = ""
    if step.screenshot:
        data = base64.b64encode(step.screenshot).decode()
        shot = f'<img class="shot" alt="The page when {_e(step.title)} failed" src="data:image/png;base64,{data}">'
    message = (
        f'<p class="msg">{_e(step.message)}</p>' if step.message and not (step.status == PASSED and step.checks) else ""
    )
    return (
        f'<li class="{step.status}"><span class="when">{_e(step.at or "—")}</span>'
        f'<span class="badge {step.status}">{step.status}</span> {_e(step.title)} '
        f'<span class="line">{_e(result.journey.file_name)}:{step.line}</span>'
        f'<span class="ms">{step.duration * 1000:.0f} ms</span>{message}{_checks(step)}{shot}</li>'
    )


def _journey(number: int, result: JourneyResult) -> str:
    status = PASSED if result.passed else FAILED
    journey = result.journey
    steps = "".join(_step(result, step) for step in result.steps)
    return (
        f'<section class="journey {status}" id="j{number}" aria-labelledby="j{number}-title">'
        f"<details{' open' if not result.passed else ''}><summary>"
        f'<h2 id="j{number}-title" style="display:inline;font-size:1.05rem">'
        f'{_e(journey.name)}</h2> <span class="badge {status}">{status}</span> '
        f'<span class="line">{_e(journey.path)} · {result.duration:.2f} s · {_e(result.mode)}</span></summary>'
        f'<p class="purpose">{_e(journey.purpose)}</p><ol class="timeline">{steps}</ol></details></section>'
    )


def render_html(results: list[JourneyResult]) -> str:
    failed = sum(not result.passed for result in results)
    total = sum(result.duration for result in results)
    mode = results[0].mode if results else ""
    made = clock.to_china(clock.now()).strftime("%Y-%m-%d %H:%M")
    toc = "".join(
        f'<li><a href="#j{n}">{"✓" if r.passed else "✗"} {_e(r.journey.name)}</a></li>'
        for n, r in enumerate(results, 1)
    )
    body = "".join(_journey(n, r) for n, r in enumerate(results, 1))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Journeys: {len(results) - failed} passed, {failed} failed</title><style>{CSS}</style></head>"
        f'<body><header><h1>AtMostOnce journeys</h1><div class="summary">'
        f"<span><b>{len(results) - failed}</b> passed</span><span><b>{failed}</b> failed</span>"
        f"<span><b>{total:.1f} s</b> in all</span><span>mode: <b>{_e(mode)}</b></span>"
        f"<span>made {made} (China time)</span></div></header>"
        f'<main><nav aria-label="Journeys"><ol>{toc}</ol></nav>{body}</main></body></html>'
    )


def write_html(results: list[JourneyResult], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(results), encoding="utf-8")
