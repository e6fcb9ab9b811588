"""Reading a served page the way its reader does: the flashed messages, the errors, the form, the text.

Used by the HTTP transports and by the browser transport when it has to fall back on
posting a form itself.
"""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
# The base template's flashed messages; static alerts on a page carry no role.
FLASH = re.compile(r'<div class="alert alert-(\w+)" role="(?:alert|status)">(.*?)</div>', re.S)
REFUSING = ("danger", "warning")
BLOCKS = {
    "address",
    "article",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "label",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
}
SILENT = {"script", "style", "template", "title"}


def squash(text: str) -> str:
    return " ".join(text.split())


class _Reader(HTMLParser):
    """Visible text of <main> (blocks apart), the `invalid-feedback` messages, and the form controls."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth_main = 0
        self.silent = 0
        self.text: list[str] = []
        self.errors: list[str] = []
        self.error_depth = 0
        self.error_text: list[str] = []
        self.controls: list[dict] = []
        self.select: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "main":
            self.depth_main += 1
        if tag in SILENT:
            self.silent += 1
        if tag in BLOCKS:
            self.text.append(" ")
        if self.error_depth:
            self.error_depth += 1
        elif "invalid-feedback" in attrs.get("class", "").split():
            self.error_depth = 1
            self.error_text = []
        if tag == "input":
            self.controls.append({"tag": "input", **attrs})
        elif tag == "select":
            self.select = {"tag": "select", "name": attrs.get("name", ""), "value": None}
            self.controls.append(self.select)
        elif tag == "option" and self.select is not None:
            if self.select["value"] is None or "selected" in attrs:
                self.select["value"] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = {"tag": "textarea", "name": attrs.get("name", ""), "value": ""}
            self.controls.append(self.textarea)

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth_main -= 1
        if tag in SILENT:
            self.silent -= 1
        if tag in BLOCKS:
            self.text.append(" ")
        if tag == "select":
            self.select = None
        if tag == "textarea":
            self.textarea = None
        if self.error_depth:
            self.error_depth -= 1
            if not self.error_depth:
                self.errors.append(squash("".join(self.error_text)))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["value"] += data
        if self.error_depth:
            self.error_text.append(data)
        if self.depth_main and not self.silent:
            self.text.append(data)


@dataclass
class Page:
    status: int
    path: str
    html: str
    _read: _Reader | None = field(default=None, repr=False)

    def _reader(self) -> _Reader:
        if self._read is None:
            self._read = _Reader()
            self._read.feed(self.html)
            self._read.close()
        return self._read

    def csrf(self) -> str | None:
        found = CSRF_META.search(self.html)
        return html.unescape(found.group(1)) if found else None

    def flashes(self) -> list[tuple[str, str]]:
        return [
            (category, squash(html.unescape(re.sub(r"<[^>]+>", " ", body))))
            for category, body in FLASH.findall(self.html)
        ]

    def field_errors(self) -> list[str]:
        if "invalid-feedback" not in self.html:  # rendered only next to a field in error
            return []
        return [error for error in self._reader().errors if error]

    def text(self) -> str:
        return squash("".join(self._reader().text))

    def form_values(self, names: set[str] | None = None) -> dict[str, str]:
        """What a browser would send for the named controls (all when None): values, checked boxes, selections."""
        values = {}
        for control in self._reader().controls:
            name = control.get("name")
            if not name or (names is not None and name not in names):
                continue
            kind = control.get("type", "text") if control["tag"] == "input" else control["tag"]
            if kind in ("file", "submit", "button", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in control:
                continue
            values[name] = control.get("value") or ("y" if kind == "checkbox" else "")
        return values

    def file_inputs(self) -> list[str]:
        return [
            control["name"]
            for control in self._reader().controls
            if control["tag"] == "input" and control.get("type") == "file" and control.get("name")
        ]

    @property
    def refused(self) -> bool:
        return (
            self.status >= 400
            or any(category in REFUSING for category, _ in self.flashes())
            or bool(self.field_errors())
        )

    def message(self) -> str:
        """What the reader is told: flashed messages and field errors, or the error page's words."""
        told = [text for _, text in self.flashes()] + self.field_errors()
        if self.status >= 400 and not told:
            return self.text()
        return " ".join(told)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""
    page: str = ""  # the path the reader ended on

    @staticmethod
    def of(page: Page) -> "Outcome":
        return Outcome(not page.refused, page.message(), page.path)


def matches_text(seen: str, wanted: str) -> bool:
    """Is `wanted` on the page? Line breaks and spacing between blocks do not matter."""
    return "".join(wanted.split()) in "".join(seen.split())
