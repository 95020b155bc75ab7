"""The Flask application factory."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect

from runtime import config as kairos_config
from runtime.web import i18n
from runtime.web.state import WebState
from runtime.web.storage import ensure_ui_tables

BLUEPRINTS = (
    "runtime.web.auth:blueprint",
    "runtime.web.home:blueprint",
)
"""Core blueprints, as ``module:attribute``. Feature blueprints are found in
``runtime.web.views``; plugins (e.g. the designer) join through ``kairos.blueprints``."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app. ``config`` overrides: DATABASE_URL, SECRET_KEY, APP_KEY,
    TESTING, LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES …"""
    app = Flask(__name__)
    app.config.from_mapping(
        DATABASE_URL=kairos_config.database_url(),
        APP_KEY="opportunity",
        SECRET_KEY=None,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCK_MINUTES=15,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).with_name("translations")),
    )
    app.config.update(config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key()
    CSRFProtect(app)
    i18n.compile_translations()
    Babel(app, locale_selector=i18n.babel_locale)
    state = WebState.open(app.config["DATABASE_URL"], app.config["APP_KEY"])
    app.extensions["kairos"] = state
    i18n.install(app)
    _register_blueprints(app)
    # Features link to each other only when the other is installed.
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
    ensure_ui_tables(state.engine)  # after the feature modules defined their tables
    _register_errors(app)
    return app


def _secret_key() -> str:
    """``KAIROS_SECRET_KEY``, else a key generated once and kept under KAIROS_HOME, so
    sessions survive restarts without anyone having to configure a secret."""
    import os

    if os.environ.get("KAIROS_SECRET_KEY"):
        return os.environ["KAIROS_SECRET_KEY"]
    path = kairos_config.home_dir() / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def _register_blueprints(app: Flask) -> None:
    import pkgutil
    from importlib import import_module
    from importlib.metadata import entry_points

    import runtime.web.views as views

    targets = list(BLUEPRINTS)
    for module in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            feature = import_module(f"runtime.web.views.{module.name}")
            if hasattr(feature, "blueprint"):
                targets.append(f"runtime.web.views.{module.name}:blueprint")
    targets += [e.value for e in entry_points(group="kairos.blueprints")]
    for target in targets:
        module, _, attribute = target.partition(":")
        app.register_blueprint(getattr(import_module(module), attribute))


def _register_errors(app: Flask) -> None:
    def page(code: int, title: str, detail: str) -> Any:
        if request.path.startswith("/api/"):  # the REST API answers problem+json
            from runtime.api.blueprint import api_error

            return api_error(code)
        return render_template("error.html", code=code, title=title, detail=detail), code

    @app.errorhandler(405)
    def method_not_allowed(error: Exception) -> Any:
        return page(405, "", "") if request.path.startswith("/api/") else error

    @app.errorhandler(400)
    def bad_request(_error: Exception) -> tuple[str, int]:
        return page(
            400,
            i18n.gettext("Bad request"),
            i18n.gettext("The address or the submitted data is not valid."),
        )

    @app.errorhandler(403)
    def forbidden(_error: Exception) -> tuple[str, int]:
        return page(
            403,
            i18n.gettext("No permission"),
            i18n.gettext("You are not allowed to see or do this."),
        )

    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[str, int]:
        return page(
            404,
            i18n.gettext("Not found"),
            i18n.gettext("The page or record does not exist, or you may not see it."),
        )

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> tuple[str, int]:
        return page(
            400,
            i18n.gettext("The form expired"),
            i18n.gettext("Please go back, reload the page and submit again."),
        )

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return page(
            500,
            i18n.gettext("Something went wrong"),
            i18n.gettext("The error was logged. Your data was not changed."),
        )
