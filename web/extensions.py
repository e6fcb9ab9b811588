"""Flask extensions and the per-request database session."""

import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask, g, request, session
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from services import clock
from services.catalog import CATALOG_DIR, default_catalog, load_catalog
from services.catalog_admin.in_force import catalogue_in_force, catalogue_token
from services.db import make_engine, new_session
from services.signing_keys import key_from_file, key_from_text
from services.transparency.signing import HeadSigner, public_keys_from_text
from services.uploads import FileStore

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
bootstrap = Bootstrap5()


def select_locale() -> str:
    languages = ["zh", "en"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "zh"


def register_extensions(app: Flask) -> None:
    # The catalogue is validated at start: a broken file stops the app with its name. The shipped
    # one is read once per process, however many apps it makes (the tests make one per test).
    directory = Path(app.config["CATALOG_DIR"]).resolve()
    app.extensions["catalog"] = default_catalog() if directory == CATALOG_DIR else load_catalog(directory)
    app.extensions["catalog_files"] = app.extensions["catalog"]
    app.extensions["catalog_token"] = (0, 0)  # nothing published in the UI: the files alone
    app.extensions["catalog_checked_at"] = float("-inf")
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["file_store"] = FileStore(app.config["UPLOAD_FOLDER"])

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "account.login"
    login_manager.login_message = None

    @app.before_request
    def _serve_the_catalogue_in_force():
        if request.endpoint != "static":  # a stylesheet reads no catalogue
            refresh_catalog(app)

    @app.teardown_appcontext
    def _close(_exc):
        db = g.pop("db", None)
        if db is not None:
            db.close()


def db_session():
    from flask import current_app

    if "db" not in g:
        g.db = new_session(current_app.extensions["engine"])
    return g.db


def catalog():
    from flask import current_app

    return current_app.extensions["catalog"]


def refresh_catalog(app: Flask, *, force: bool = False) -> None:
    """Serve what the catalogue UI published, in every process, without a restart: one indexed query at
    most every CATALOG_REFRESH_SECONDS (and on every worker round, and after a publish in the publishing
    process) tells whether the versions in force moved, and only then is it rebuilt. Between checks a
    request costs no statement: the write path stays as lean as before the catalogue could change."""
    now = time.monotonic()
    if not force and now < app.extensions["catalog_checked_at"] + app.config["CATALOG_REFRESH_SECONDS"]:
        return
    app.extensions["catalog_checked_at"] = now
    with new_session(app.extensions["engine"]) as session:
        today = clock.china_today()
        token = catalogue_token(session=session, day=today)
        if token != app.extensions["catalog_token"]:
            directory = Path(app.config["CATALOG_DIR"]).resolve()
            files = app.extensions["catalog_files"]
            app.extensions["catalog"] = catalogue_in_force(session=session, directory=directory, day=today, files=files)
            app.extensions["catalog_token"] = token


def file_store() -> FileStore:
    from flask import current_app

    return current_app.extensions["file_store"]


def configured_key(setting: str, file_setting: str) -> Ed25519PrivateKey:
    """A signing key, read once per app: the setting's, or else (made there outside production) the file's."""
    from flask import current_app

    cached = f"signing key {setting}"
    if cached not in current_app.extensions:
        config = current_app.config
        if config[setting]:
            key = key_from_text(config[setting], setting=setting)
        else:
            key = key_from_file(Path(config[file_setting]), create=config["APP_ENV"] != "production", setting=setting)
        current_app.extensions[cached] = key
    return current_app.extensions[cached]


def head_signer() -> HeadSigner:
    """The key that signs the log's heads."""
    return HeadSigner(configured_key("TRANSPARENCY_SIGNING_KEY", "TRANSPARENCY_KEY_FILE"))


def published_keys() -> dict[str, bytes]:
    """Every key a head may be signed with, by key id: the current one and the retired ones."""
    from flask import current_app

    keys = public_keys_from_text(current_app.config["TRANSPARENCY_RETIRED_KEYS"])
    signer = head_signer()
    return {**keys, signer.key_id: signer.public_key}
