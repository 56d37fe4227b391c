"""The protocol every question type follows, built-in or from a plugin.

A question type turns the YAML of one question into WTForms fields, reads and validates the
answer, and knows how answers are shown, tallied and exported. Register instances through
the ``vliegwiel_question_types`` hook; ``vliegwiel.builtin_questions`` is
the worked example.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask import render_template
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict
from wtforms import Form

from vliegwiel.core.errors import VliegwielError
from vliegwiel.surveys.schema import Question


class NoSettings(BaseModel):
    """For types without keys of their own: any unknown key is an error."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class TallyRow:
    key: str
    #: A survey text (plain string or {nl:, en:}); templates localise it.
    label: Any
    count: int


@dataclass
class Tally:
    """What a results page shows for one question (before small-group protection)."""

    question_id: str
    #: "choice" (rows of counts), "number" (stats), "text" (free texts) or "matrix" (parts).
    kind: str
    respondents: int
    rows: list[TallyRow] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    parts: dict[str, Tally] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {row.key: row.count for row in self.rows}


@dataclass(frozen=True)
class ExportColumn:
    key: str
    header: str
    #: (code, meaning) pairs for the codebook; empty for free values.
    codes: tuple[tuple[str, str], ...] = ()
    #: Codes that are answers but not values (opt-outs such as "weet niet"): SPSS missing values.
    missing: tuple[str, ...] = ()


class AnswerError(VliegwielError, ValueError):
    """An answer that does not fit its question; the message is shown next to the field."""

    code = "answer"


class QuestionType:
    """Base class. Override what your type needs; the defaults suit a single text value."""

    #: The ``type:`` value in survey YAML.
    name: ClassVar[str] = ""
    #: The pydantic model of the type's own YAML keys (``options``, ``min``, ...).
    Settings: ClassVar[type[BaseModel]] = NoSettings
    #: The Jinja template that renders the question on a resident page.
    template: ClassVar[str] = "questions/text.html"
    #: The Jinja template that renders the question on a printed paper form.
    paper_template: ClassVar[str] = "print/_question.html"
    #: False for blocks that only show text (``type: note``): no answer, no number.
    answers: ClassVar[bool] = True

    # --- definition -------------------------------------------------------------------------

    def check(self, question: Question) -> list[str]:
        """Problems with a question's settings beyond what ``Settings`` checks (min < max, ...)."""
        return []

    def condition_values(self, question: Question) -> list[str] | None:
        """Every value a condition on this question can match (as text); None: free answers.

        ``vliegwiel check`` refuses a ``show_if``/``end_if`` that looks for any other value,
        because it could never be true.
        """
        return None

    def statements(self, question: Question) -> list[str]:
        """The statement ids of a grid; a condition on a grid must name one of them."""
        return []

    # --- the form ---------------------------------------------------------------------------

    def fields(self, question: Question) -> dict[str, Any]:
        """Unbound WTForms fields by form-field name; the first is named after the question."""
        raise NotImplementedError

    def read(self, question: Question, form: Form) -> Any:
        """The answer from a submitted form, ``None`` when left blank; AnswerError if invalid."""
        raise NotImplementedError

    def form_data(self, question: Question, answer: Any) -> dict[str, Any]:
        """Form-field values that show a stored answer again (going back, resuming a draft)."""
        return {question.id: answer}

    def validate(self, question: Question, answer: Any) -> Any:
        """Check an answer that did not come through the form (paper entry, imports).

        Returns the normalised answer or raises AnswerError.
        """
        return answer

    def render(self, question: Question, form: Form, **context: Any) -> Markup:
        """HTML for the question on a resident page. Must work without JavaScript."""
        return Markup(
            render_template(self.template, question=question, form=form, qtype=self, **context)
        )

    def paper_html(self, question: Question, **context: Any) -> Markup:
        """HTML for the question on a printed paper form: boxes to tick, lines to write.

        The default template draws choices, scales, grids and text lines from the settings
        (``options``, ``min``/``max``, ``statements``, ...), so most types need nothing more.
        """
        return Markup(
            render_template(self.paper_template, question=question, qtype=self, **context)
        )

    def sample(self, question: Question, rng: Any) -> Any:
        """A plausible answer for demo data (``rng`` is a ``random.Random``); None: skip it."""
        return None

    # --- results ----------------------------------------------------------------------------

    def answer_text(self, question: Question, answer: Any) -> str:
        """The answer as a resident reads it back on the review page."""
        return "" if answer is None else str(answer)

    def tally(self, question: Question, answers: list[Any]) -> Tally:
        """Summarise the answers of all respondents who answered."""
        texts = [str(a) for a in answers if a not in (None, "")]
        return Tally(question.id, "text", len(texts), texts=texts)

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return [ExportColumn(question.id, question.id)]

    def export_cells(self, question: Question, answer: Any) -> list[Any]:
        return ["" if answer is None else answer]


def number_stats(values: list[float]) -> dict[str, float]:
    """Mean, median, minimum, maximum and (two or more values) the sample standard deviation
    ``sd``, which the margin of error of the mean needs; shared by every numeric type."""
    if not values:
        return {}
    stats = {
        "mean": round(statistics.fmean(values), 2),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }
    if len(values) > 1:
        stats["sd"] = statistics.stdev(values)
    return stats
