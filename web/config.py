"""Configuration from defaults, then the environment, then the test mapping."""

import os
import secrets
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _dev_secret(instance: Path) -> str:
    # A random key kept in instance/, so a forgotten SECRET_KEY never means a known one.
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "dev_secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


# What deploy/atmostonce.env.example suggests: a copied example must not become the real key.
PLACEHOLDER_SECRET = "change-me-to-64-random-hex-characters"
MIN_SECRET_BYTES = 32
# The virtual clock and the endpoints journeys drive (/_test/…), only when APP_ENV=test.
TEST_MODE_BLUEPRINTS = ("journeys.testing:register_testing",)


def _int(env, name: str, default: int) -> int:
    return int(env.get(name, default))


def check_secret_key(key: str | None) -> None:
    """Production refuses a missing, short or example key: it signs every session cookie."""
    if not key:
        raise RuntimeError("SECRET_KEY must be set in the environment when APP_ENV=production")
    if key == PLACEHOLDER_SECRET or key.startswith("change-me"):
        raise RuntimeError(
            "SECRET_KEY is the placeholder from deploy/atmostonce.env.example: "
            "generate one with `python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise RuntimeError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes when APP_ENV=production")


def load_config(app: Flask, test_config: dict | None) -> None:
    instance = Path(app.instance_path)
    env = os.environ
    app.config.from_mapping(
        APP_ENV=env.get("APP_ENV", "development"),
        SECRET_KEY=env.get("SECRET_KEY"),
        DATABASE_URL=env.get("DATABASE_URL", f"sqlite:///{instance / 'atmostonce.db'}"),
        UPLOAD_FOLDER=env.get("UPLOAD_FOLDER", str(instance / "uploads")),
        # Where the SMS and e-mail gateway stand-in writes what it sends (no gateway is reachable here).
        OUTBOX_FOLDER=env.get("OUTBOX_FOLDER", str(instance / "outbox")),
        # DEBUG adds each request's count of SQL statements to its log line.
        LOG_LEVEL=env.get("LOG_LEVEL", "INFO"),
        CATALOG_DIR=env.get("CATALOG_DIR", str(PROJECT_ROOT / "seed_data" / "catalog")),
        # How soon every process serves a catalogue change published in another (the publishing one: at once).
        CATALOG_REFRESH_SECONDS=float(env.get("CATALOG_REFRESH_SECONDS", "5")),
        # Several materials go up in one form post; each file is checked against MAX_FILE_MB by the service.
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        BOOTSTRAP_SERVE_LOCAL=True,
        BABEL_DEFAULT_LOCALE="zh",
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
        LANGUAGES=("zh", "en"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        # Sign-in throttling (docs/security-signin.md): failures per login name, and per client address.
        SIGNIN_ACCOUNT_FAILURES=_int(env, "SIGNIN_ACCOUNT_FAILURES", 5),
        SIGNIN_ACCOUNT_WINDOW_MINUTES=_int(env, "SIGNIN_ACCOUNT_WINDOW_MINUTES", 15),
        SIGNIN_ADDRESS_FAILURES=_int(env, "SIGNIN_ADDRESS_FAILURES", 50),
        SIGNIN_ADDRESS_WINDOW_MINUTES=_int(env, "SIGNIN_ADDRESS_WINDOW_MINUTES", 15),
        # Server-side sessions: idle timeout and absolute lifetime, staff and applicants apart.
        SESSION_IDLE_MINUTES_STAFF=_int(env, "SESSION_IDLE_MINUTES_STAFF", 30),
        SESSION_IDLE_MINUTES_APPLICANT=_int(env, "SESSION_IDLE_MINUTES_APPLICANT", 120),
        SESSION_LIFETIME_HOURS_STAFF=_int(env, "SESSION_LIFETIME_HOURS_STAFF", 12),
        SESSION_LIFETIME_HOURS_APPLICANT=_int(env, "SESSION_LIFETIME_HOURS_APPLICANT", 7 * 24),
        # The transparency log's Ed25519 key (docs/transparency.md): PEM or base64 of the 32-byte seed. Without
        # it, development and tests keep one in instance/; production refuses to sign.
        TRANSPARENCY_SIGNING_KEY=env.get("TRANSPARENCY_SIGNING_KEY"),
        TRANSPARENCY_KEY_FILE=str(instance / "transparency_signing_key.pem"),
        # Public keys of rotated-out signing keys (base64, comma-separated): the heads they signed still verify.
        TRANSPARENCY_RETIRED_KEYS=env.get("TRANSPARENCY_RETIRED_KEYS", ""),
        # The Ed25519 key that signs the wallet's 亮证 codes (base64 of its 32-byte seed), the same on every
        # server. Without it, development and tests keep one in instance/; production refuses to sign.
        CERTIFICATE_SIGNING_KEY=env.get("CERTIFICATE_SIGNING_KEY"),
        CERTIFICATE_KEY_FILE=str(instance / "certificate_signing_key"),
        # The CJK font a certificate's PDF is set in (Debian's fonts-noto-cjk, which `make test` installs).
        CERTIFICATE_FONT=env.get("CERTIFICATE_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    )
    if test_config:
        app.config.update(test_config)
    # Import strings of `register(app)` functions run after the app's own blueprints.
    app.config.setdefault("EXTRA_BLUEPRINTS", TEST_MODE_BLUEPRINTS if app.config["APP_ENV"] == "test" else ())
    if app.config["APP_ENV"] == "production":
        check_secret_key(app.config["SECRET_KEY"])
        app.config["SESSION_COOKIE_SECURE"] = env.get("SESSION_COOKIE_SECURE", "1") == "1"
    elif not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _dev_secret(instance)
