"""The protocol every question type follows, built-in or from a plugin.

A question type turns the YAML of one question into WTForms fields, reads and validates the
answer, and knows how answers are shown, tallied and exported. Register instances through
the ``vliegwiel_question_types`` hook; ``vliegwiel.builtin_questions`` is
the worked example.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from fractions import Fraction
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

    def tally_counted(self, question: Question, counted: list[tuple[Any, int]]) -> Tally:
        """``tally`` of the answers in ``counted`` (answer, how often), each as often as given.

        Results are counted per storage bucket and the counts added up (docs/performance.md):
        a type whose tally is a sum over answers overrides this to work from the counts, so
        a page costs the same at 20,000 responses as at 100. This default repeats every
        answer and calls ``tally``: exact for any type, but it costs a pass over all answers.
        The order of ``Tally.texts`` may differ from ``tally``'s; nothing else may.
        """
        return self.tally(question, [answer for answer, n in counted for _ in range(n)])

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return [ExportColumn(question.id, question.id)]

    def export_cells(self, question: Question, answer: Any) -> list[Any]:
        return ["" if answer is None else answer]


def _value_order(value: Any) -> tuple:
    """Sort key of a number: by value, then ints before booleans and floats, -0.0 before 0.0, so the
    median, minimum and maximum of equal values of either kind never depend on the order
    the answers came in (results are added up per storage bucket)."""
    return (value, isinstance(value, float), isinstance(value, bool), math.copysign(1, value))


def _median(ordered: list[Any]) -> Any:
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def number_stats(values: list[float]) -> dict[str, float]:
    """Mean, median, minimum, maximum and (two or more values) the sample standard deviation
    ``sd``, which the margin of error of the mean needs; shared by every numeric type."""
    if not values:
        return {}
    ordered = sorted(values, key=_value_order)
    stats = {
        "mean": round(statistics.fmean(values), 2),
        "median": _median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
    }
    if len(values) > 1:
        stats["sd"] = statistics.stdev(values)
    return stats


#: Bits of precision ``_sqrt_of_fraction`` works with: ``statistics`` uses the same.
_SQRT_BITS = 2 * 53 + 3


def _sqrt_of_fraction(n: int, m: int) -> float:
    """The square root of n/m correctly rounded, as ``statistics.stdev`` computes it."""
    q = (n.bit_length() - m.bit_length() - _SQRT_BITS) // 2
    if q >= 0:
        a = math.isqrt(n // (m << 2 * q))
        numerator = (a | (a * a * (m << 2 * q) != n)) << q
        denominator = 1
    else:
        a = math.isqrt((n << -2 * q) // m)
        numerator = a | (a * a * m != n << -2 * q)
        denominator = 1 << -q
    return numerator / denominator


def number_stats_counted(counted: list[tuple[Any, int]]) -> dict[str, float]:
    """``number_stats`` of every value repeated as often as its count, without repeating
    them: exactly the same figures (sums are exact fractions, the median is found by
    counting, the standard deviation rounded as ``statistics.stdev`` rounds it)."""
    counted = [(value, n) for value, n in counted if n > 0]
    distinct = [value for value, _n in counted]
    if not counted:
        return {}
    total = sum(n for _value, n in counted)
    sx = sum(Fraction(value) * n for value, n in counted)
    if sx == 0 and all(value == 0 for value in distinct):
        exact_sum = math.fsum(distinct)  # keeps the sign of -0.0 as fsum does
    else:
        exact_sum = float(sx)  # correctly rounded, as math.fsum is
    ordered = sorted(counted, key=lambda pair: _value_order(pair[0]))

    def at(index: int) -> Any:
        for value, n in ordered:
            if index < n:
                return value
            index -= n
        raise IndexError(index)

    half = total // 2
    median = at(half) if total % 2 else (at(half - 1) + at(half)) / 2
    stats = {
        "mean": round(exact_sum / total, 2),
        "median": median,
        "min": ordered[0][0],
        "max": ordered[-1][0],
    }
    if total > 1:
        sxx = sum(Fraction(value) ** 2 * n for value, n in counted)
        mss = (total * sxx - sx * sx) / total / (total - 1)
        stats["sd"] = _sqrt_of_fraction(mss.numerator, mss.denominator)
    return stats
