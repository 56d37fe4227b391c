"""Public import path for plugins (docs/plugins.md): a facade over the capability package."""

from vliegwiel.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    current_language,
    init_app,
    localise,
    select_language,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGE_NAMES",
    "current_language",
    "init_app",
    "localise",
    "select_language",
]
