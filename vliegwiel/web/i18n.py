"""Languages: Flask-Babel set-up and the localisation of survey texts."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale

DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def select_language() -> str:
    """The resident's choice (kept in the session) or the instance's default language."""
    languages = current_app.config.get("LANGUAGES", ["nl", "en"])
    if has_request_context():
        chosen = request.args.get("taal") or session.get("language")
        if chosen in languages:
            return chosen
    return current_app.config.get("DEFAULT_LANGUAGE", DEFAULT_LANGUAGE)


def init_app(app: Flask) -> None:
    from vliegwiel.core.resources import translations_dir

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations_dir())
    Babel(app, locale_selector=select_language)
    app.jinja_env.globals["localise"] = localise
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES


def current_language() -> str:
    try:
        locale = get_locale()
    except (RuntimeError, KeyError):
        return DEFAULT_LANGUAGE
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def localise(text: Any, language: str | None = None) -> str:
    """A survey text in the current language; Dutch when no translation is given."""
    if text is None:
        return ""
    if isinstance(text, dict):
        language = language or current_language()
        return text.get(language) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), "")
    return str(text)
