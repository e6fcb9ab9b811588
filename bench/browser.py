"""A person's browser for the benches: one kept-alive HTTP/1.1 connection to 127.0.0.1, its own cookies,
CSRF tokens read off the page, no redirect followed unasked, and the sign-in forms filled in.
"""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from seeding.demo import DEMO_TOTP_SECRET
from services.second_factor import current_code, current_step

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
# The server takes each code's time step once per account: staff signed in twice within 30 s use the next one.
_USED_STEPS: dict[str, int] = {}


class Refused(Exception):
    """The server did not answer as a working service would (no answer, an error page, no token)."""


class Browser:
    def __init__(self, port: int, timeout: float = 10):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body); raises Refused when no answer came."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.connection.request(method, path, body=body, headers=headers)
            answer = self.connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise Refused(f"{method} {path}: {error.__class__.__name__}") from error
        for header in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if answer.will_close:
            self.close()
        return answer.status, urlsplit(answer.headers.get("Location", "")).path, text

    def token(self, path: str = "/") -> str:
        status, _, page = self.request("GET", path)
        found = TOKEN.search(page)
        if status != 200 or not found:
            raise Refused(f"GET {path}: {status} without a CSRF token")
        return found.group(1)

    def sign_in(self, login: str, password: str) -> None:
        """The login form, as a person fills it in. The one place to change when sign-in gains a step."""
        self.cookies.clear()
        status, _, _ = self.request(
            "POST", "/login", {"csrf_token": self.token("/login"), "login": login, "password": password}
        )
        if status != 302:
            raise Refused(f"sign-in of {login} answered {status}")

    def sign_in_staff(self, username: str, password: str, secret: str = DEMO_TOTP_SECRET) -> None:
        """Password, then the code the staff member's authenticator app shows (seeded staff share the demo key)."""
        self.sign_in(username, password)
        # A step counts as used only once the server took it: a try lost to an outage must not push the next
        # code past the window the server accepts.
        step = max(current_step(secret), _USED_STEPS.get(secret, -1) + 1)
        status, _, _ = self.request(
            "POST", "/login/code", {"csrf_token": self.token("/login/code"), "code": current_code(secret, step)}
        )
        if status != 302:
            raise Refused(f"second factor of {username} answered {status}")
        _USED_STEPS[secret] = step

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
