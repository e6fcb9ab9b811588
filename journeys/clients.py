"""Two ways to send a person's requests: the Flask test client in-process, or real HTTP with urllib.

Both keep their own cookies (one per person), follow redirects as a browser does, and
ask for English pages, so what a journey reads does not depend on the transport.
"""

import http.cookiejar
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from io import BytesIO

from journeys.pages import Page

HEADERS = {"Accept-Language": "en"}
Files = dict[str, tuple[str, bytes, str]]  # form name -> (file name, bytes, content type)


class FlaskClient:
    """Wraps `app.test_client()`; typed by duck, so services need no Flask."""

    def __init__(self, test_client):
        self.client = test_client

    def get(self, path: str) -> Page:
        response = self.client.get(path, headers=HEADERS, follow_redirects=True)
        return Page(response.status_code, response.request.path, response.get_data(as_text=True))

    def post(self, path: str, data: dict[str, str], files: Files | None = None) -> Page:
        payload = dict(data)
        for name, (filename, content, content_type) in (files or {}).items():
            payload[name] = (BytesIO(content), filename, content_type)
        response = self.client.post(
            path,
            data=payload,
            headers=HEADERS,
            follow_redirects=True,
            content_type="multipart/form-data" if files else None,
        )
        return Page(response.status_code, response.request.path, response.get_data(as_text=True))

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        response = self.client.open(path, method=method, json=body)
        return response.status_code, response.get_json(silent=True) or {}


class UrlClient:
    """Real HTTP against a running server, with the standard library only."""

    def __init__(self, base_url: str, timeout: float = 30):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _send(self, request: urllib.request.Request) -> tuple[int, str, bytes]:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.url, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.url, error.read()

    def _page(self, request: urllib.request.Request) -> Page:
        status, url, body = self._send(request)
        return Page(status, urllib.parse.urlsplit(url).path, body.decode("utf-8", "replace"))

    def get(self, path: str) -> Page:
        return self._page(urllib.request.Request(self.base + path, headers=HEADERS))

    def post(self, path: str, data: dict[str, str], files: Files | None = None) -> Page:
        if files:
            body, content_type = multipart(data, files)
        else:
            # A list is a multiple select's choices: one pair per value.
            body, content_type = urllib.parse.urlencode(data, doseq=True).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base + path, data=body, method="POST", headers={**HEADERS, "Content-Type": content_type}
        )
        return self._page(request)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        status, _url, raw = self._send(request)
        try:
            return status, json.loads(raw or b"{}")
        except ValueError:
            return status, {"error": raw.decode("utf-8", "replace")[:300]}


def multipart(data: dict[str, str], files: Files) -> tuple[bytes, str]:
    boundary = "journey" + secrets.token_hex(12)
    parts = []
    pairs = [(name, one) for name, value in data.items() for one in (value if isinstance(value, list) else [value])]
    for name, value in pairs:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
