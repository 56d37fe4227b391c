"""Public import path for plugins (docs/plugins.md): a facade over the capability package."""

from vliegwiel.surveys.schema import (
    LANGUAGES,
    Identifier,
    LocalText,
    Option,
    Page,
    Question,
    Survey,
    SurveyId,
)

__all__ = [
    "Identifier",
    "LANGUAGES",
    "LocalText",
    "Option",
    "Page",
    "Question",
    "Survey",
    "SurveyId",
]
