"""Public import path for plugins (docs/plugins.md): a facade over the capability package."""

from vliegwiel.surveys.question_types import (
    AnswerError,
    ExportColumn,
    NoSettings,
    QuestionType,
    Tally,
    TallyRow,
    number_stats,
)

__all__ = [
    "AnswerError",
    "ExportColumn",
    "NoSettings",
    "QuestionType",
    "Tally",
    "TallyRow",
    "number_stats",
]
