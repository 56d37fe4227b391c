"""The application factory: one village instance, one Flask app."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from vliegwiel.core.resources import static_dir, templates_dir
from vliegwiel.core.storage import StorageError
from vliegwiel.core.storage_contract import DatabaseUnavailable
from vliegwiel.core.village import build_village
from vliegwiel.web import i18n

log = logging.getLogger(__name__)

#: Form posts are small; a larger body is an attack or a mistake (413).
MAX_CONTENT_LENGTH = 256 * 1024


def create_app(instance_path: str | Path, test_config: dict[str, Any] | None = None) -> Flask:
    test_config = dict(test_config or {})
    village = build_village(Path(instance_path), tuple(test_config.pop("PLUGINS", ())))
    config = village.config

    app = Flask(
        "vliegwiel",
        instance_path=str(village.instance_dir),
        template_folder=str(templates_dir()),
        static_folder=str(static_dir()),
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        MAX_FORM_MEMORY_SIZE=MAX_CONTENT_LENGTH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.https,
        SESSION_COOKIE_NAME="vliegwiel",
        # An elderly resident may take an hour over one page; the token is bound to the session.
        WTF_CSRF_TIME_LIMIT=None,
        LANGUAGES=config.languages,
        DEFAULT_LANGUAGE=config.default_language,
        VILLAGE_NAME=config.name,
    )
    app.config.update(test_config)
    app.extensions["vliegwiel"] = village

    if config.trusted_proxies:
        # Only behind that many proxies: otherwise anyone could claim any address.
        hops = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    CSRFProtect(app)
    i18n.init_app(app)
    register_security_headers(app)
    _register_error_pages(app)
    _register_template_globals(app)
    _register_housekeeping(app)

    # The core's own pages come through this hook too (each capability's default plugin),
    # registered first because default plugins are registered first.
    for plugin, blueprints in village.call_hook("vliegwiel_blueprints", app=app):
        for blueprint in blueprints:
            app.register_blueprint(blueprint)
            log.info("plugin %s added blueprint %s", plugin, blueprint.name)
    return app


#: How often a running server deletes drafts older than their lifetime (30 days).
PURGE_INTERVAL_SECONDS = 6 * 3600


def _register_housekeeping(app: Flask) -> None:
    """Delete expired drafts at start and then every few hours, on the next request.

    docs/privacy.md promises that unfinished answers are gone after 30 days, also when the
    resident never comes back; a village server has no scheduler, so requests drive it.
    """
    from vliegwiel.surveys.responses import purge_expired_drafts

    storage = app.extensions["vliegwiel"].storage
    purge_expired_drafts(storage)
    last_purge = [time.monotonic()]

    @app.before_request
    def purge_now_and_then() -> None:
        if time.monotonic() - last_purge[0] >= PURGE_INTERVAL_SECONDS:
            last_purge[0] = time.monotonic()
            purge_expired_drafts(storage)


def _register_template_globals(app: Flask) -> None:
    from vliegwiel.web import number_format

    number_format.register(app)

    @app.before_request
    def remember_language() -> None:
        chosen = request.args.get("taal")
        if chosen in app.config["LANGUAGES"]:
            session["language"] = chosen

    @app.template_global()
    def plugin_organiser_links(user: Any) -> list[Any]:
        """The plugins' links in the organiser menu that ``user`` may follow."""
        village = app.extensions["vliegwiel"]
        links = [
            link
            for _plugin, found in village.call_hook("vliegwiel_organiser_links")
            for link in (found or [])
            if hasattr(link, "label") and hasattr(link, "url")
        ]
        return [link for link in links if link.role is None or user.can(link.role)]

    @app.context_processor
    def village_context() -> dict[str, Any]:
        return {
            "village_name": app.config["VILLAGE_NAME"],
            "languages": app.config["LANGUAGES"],
            "language": i18n.current_language(),
        }


def content_security_policy() -> str:
    """No inline script at all; inline style only for the charts' one shared stylesheet."""
    from vliegwiel.results.charts import chart_style_hash

    return (
        "default-src 'self'; script-src 'self'; "
        f"style-src 'self' {chart_style_hash()}; img-src 'self' data:; "
        "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    )


def security_headers() -> list[tuple[str, str]]:
    """The headers every response carries (a page adds ``Cache-Control: no-store``)."""
    return [
        ("Content-Security-Policy", content_security_policy()),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]


def register_security_headers(app: Flask) -> None:
    """The headers of every response: a village's pages and the province's index alike."""
    always = security_headers()
    # Pages show personal answers and drafts: never keep them in shared caches.
    pages = [*always, ("Cache-Control", "no-store")]

    @app.after_request
    def add_security_headers(response):
        # One pass over the headers a view set itself (a view's own value wins), instead of
        # one search per header: this runs on every response.
        endpoint = request.endpoint
        wanted = pages if endpoint and not endpoint.endswith("static") else always
        headers = response.headers
        present = {key.lower() for key in headers.keys()}
        headers.extend([(k, v) for k, v in wanted if k.lower() not in present])
        return response


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("error.html", code=400, kind="csrf"), 400

    @app.errorhandler(StorageError)
    def storage_error(error: StorageError):
        log.error("storage failed: %s", error)
        # A database that cannot be reached is not about the resident's answers: say so.
        kind = "database" if isinstance(error, DatabaseUnavailable) else "storage"
        return render_template("error.html", code=503, kind=kind), 503

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        kind = {
            400: "bad_request",
            403: "forbidden",
            404: "not_found",
            405: "bad_request",
            413: "too_large",
            429: "too_many",
        }.get(code, "server")
        response = error.get_response()
        response.data = render_template(
            "error.html", code=code, kind=kind, description=getattr(error, "user_message", None)
        )
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error", exc_info=error)
        return render_template("error.html", code=500, kind="server"), 500
