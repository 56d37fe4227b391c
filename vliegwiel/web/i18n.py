"""Languages: Flask-Babel set-up and the localisation of survey texts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, has_app_context, has_request_context, request, session
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
    app.jinja_env.globals["current_language"] = current_language


def current_language() -> str:
    try:
        locale = get_locale()
    except (RuntimeError, KeyError):
        return DEFAULT_LANGUAGE
    return locale.language if locale is not None else DEFAULT_LANGUAGE


#: ``{dorp}`` and ``{gemeente}`` in survey texts: filled from the instance's settings.
PLACEHOLDER = re.compile(r"\{(dorp|gemeente)\}")
_placeholders: ContextVar[dict[str, str] | None] = ContextVar("placeholders", default=None)


def placeholder_values(config: Any) -> dict[str, str]:
    """The placeholder texts of one instance (``[village] name`` and ``municipality``)."""
    municipality = getattr(config, "municipality", None)
    return {"dorp": config.name, "gemeente": municipality or "uw gemeente"}


@contextmanager
def placeholders_from(config: Any) -> Iterator[None]:
    """Fill placeholders outside a web request (command-line exports)."""
    token = _placeholders.set(placeholder_values(config))
    try:
        yield
    finally:
        _placeholders.reset(token)


def _current_placeholders() -> dict[str, str] | None:
    values = _placeholders.get()
    if values is None and has_app_context():
        village = current_app.extensions.get("vliegwiel")
        if village is not None:
            values = placeholder_values(village.config)
    return values


def fill_placeholders(text: str) -> str:
    if "{" not in text:
        return text
    values = _current_placeholders()
    if not values:
        return text
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def localise(text: Any, language: str | None = None) -> str:
    """A survey text in the current language; Dutch when no translation is given.

    ``{dorp}`` and ``{gemeente}`` become the village's and the municipality's names.
    """
    if text is None:
        return ""
    if isinstance(text, dict):
        language = language or current_language()
        chosen = text.get(language) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), "")
        return fill_placeholders(chosen)
    return fill_placeholders(str(text))
