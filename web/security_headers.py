"""Browser protections sent with every response (OWASP ASVS V14.4).

Pages load scripts and styles only from this site (Bootstrap-Flask serves its files locally,
static/js holds ours), so no inline script can run even if one slipped into a page.
A view that needs other headers (the material files) sets its own; these never overwrite them.
"""

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Bootstrap draws its small icons (menu, select arrow) as data: SVGs
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # application keys in our URLs never reach another site
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# One year, as HSTS preload lists ask; sent only in production, which is served over HTTPS.
HSTS_SECONDS = 31536000


def register_security_headers(app: Flask) -> None:
    headers = dict(HEADERS)
    if app.config["APP_ENV"] == "production":
        seconds = app.config.get("HSTS_SECONDS", HSTS_SECONDS)
        headers["Strict-Transport-Security"] = f"max-age={seconds}; includeSubDomains"

    @app.after_request
    def _protect(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
