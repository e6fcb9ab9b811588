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
        CATALOG_DIR=env.get("CATALOG_DIR", str(PROJECT_ROOT / "seed_data" / "catalog")),
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
    )
    if test_config:
        app.config.update(test_config)
    if app.config["APP_ENV"] == "production":
        if not app.config["SECRET_KEY"]:
            raise RuntimeError("SECRET_KEY must be set in the environment when APP_ENV=production")
        app.config["SESSION_COOKIE_SECURE"] = env.get("SESSION_COOKIE_SECURE", "1") == "1"
    elif not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _dev_secret(instance)
