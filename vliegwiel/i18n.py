"""Public import path for plugins (docs/plugins.md): a facade over the capability package."""

from vliegwiel.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    current_language,
    init_app,
    localise,
    select_language,
)
from vliegwiel.web.number_format import dutch_number, percent_text

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGE_NAMES",
    "current_language",
    "dutch_number",
    "init_app",
    "localise",
    "percent_text",
    "select_language",
]
