"""The built-in question types, registered through the same hook a plugin uses."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, model_validator
from wtforms import Form, RadioField, SelectMultipleField, StringField, TextAreaField

from vliegwiel import hookimpl
from vliegwiel.surveys.question_types import (
    AnswerError,
    ExportColumn,
    QuestionType,
    Tally,
    TallyRow,
    number_stats,
    number_stats_counted,
)
from vliegwiel.surveys.schema import OTHER, Identifier, LocalText, Option, Question
from vliegwiel.web.i18n import localise


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _other_option() -> Option:
    return Option(value=OTHER, label={"nl": "Anders, namelijk", "en": "Other, namely"}, other=True)


class ChoiceSettings(_Settings):
    options: list[Option] = Field(min_length=2, max_length=100)
    #: "Anders, namelijk" last; or place ``- {other: true}`` among the options.
    other: bool = False

    @model_validator(mode="after")
    def _place_other(self) -> ChoiceSettings:
        placed = [o for o in self.options if o.other]
        if len(placed) > 1:
            raise ValueError("only one option can be `other: true`")
        if placed and "other" in self.model_fields_set and not self.other:
            raise ValueError("`other: false` contradicts the `other: true` option")
        if self.other and not placed:
            self.options = [*self.options, _other_option()]
        self.other = bool(self.other or placed)
        return self


class MultipleChoiceSettings(ChoiceSettings):
    max_choices: int | None = Field(default=None, ge=1)


class ScaleSettings(_Settings):
    min: int = Field(default=1, ge=0, le=1)
    max: int = Field(default=5, ge=2, le=10)
    labels: dict[int, LocalText] = Field(default_factory=dict)
    #: Answers outside the scale ("weet niet / geen mening"): counted, never in mean or median.
    opt_out: list[Option] = Field(default_factory=list, max_length=3)


class NumberSettings(_Settings):
    min: float | None = None
    max: float | None = None
    unit: LocalText | None = None
    integer: bool = True


class ShortTextSettings(_Settings):
    max_length: int = Field(default=200, ge=1, le=1000)


class LongTextSettings(_Settings):
    max_length: int = Field(default=2000, ge=1, le=10000)


class Statement(_Settings):
    id: Identifier
    text: LocalText


class MatrixSettings(_Settings):
    statements: list[Statement] = Field(min_length=1, max_length=50)
    options: list[Option] = Field(min_length=2, max_length=20)
    #: Several ticks per statement ("nee / ja, familie / ja, buurtbewoners").
    multiple: bool = False


class RankingSettings(_Settings):
    options: list[Option] = Field(min_length=2, max_length=20)


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({v for v in values if v in seen or seen.add(v)})


def _option_label(options: list[Option], value: str) -> str:
    return next((localise(o.label) for o in options if o.value == value), value)


def _exclusive_problem(options: list[Option], values: list[str]) -> str | None:
    """The message for a combination with an exclusive option ("weet niet" and "bus")."""
    if len(values) < 2:
        return None
    for option in options:
        if option.exclusive and option.value in values:
            return _(
                "U kunt „%(label)s” niet combineren met een ander antwoord. "
                "Kies alleen „%(label)s” of haal dat vinkje weg.",
                label=localise(option.label),
            )
    return None


class _ChoiceBase(QuestionType):
    def check(self, question: Question) -> list[str]:
        values = [o.value for o in question.settings.options]
        problems = [f"option value '{v}' is used twice" for v in _duplicates(values)]
        if not self.multiple and any(o.exclusive for o in question.settings.options):
            problems.append("exclusive: true only applies to multiple_choice")
        return problems

    def condition_values(self, question: Question) -> list[str] | None:
        return [o.value for o in question.settings.options]

    def _allowed(self, question: Question) -> set[str]:
        return {o.value for o in question.settings.options}

    def _other_field(self, question: Question) -> dict[str, Any]:
        if getattr(question.settings, "other", False):
            return {f"{question.id}__other": StringField()}
        return {}

    def _rows(self, question: Question, counts: dict[str, int]) -> list[TallyRow]:
        return [
            TallyRow(o.value, o.label, counts.get(o.value, 0)) for o in question.settings.options
        ]

    def _codes(self, question: Question) -> tuple[tuple[str, str], ...]:
        return tuple((o.value, localise(o.label, "nl")) for o in question.settings.options)


class SingleChoice(_ChoiceBase):
    name = "single_choice"
    Settings = ChoiceSettings
    template = "questions/choice.html"
    multiple = False

    def fields(self, question: Question) -> dict[str, Any]:
        return {question.id: RadioField(validate_choice=False), **self._other_field(question)}

    def read(self, question: Question, form: Form) -> Any:
        value = form[question.id].data
        if value in (None, "", "None"):
            return None
        other = form[f"{question.id}__other"].data if question.settings.other else None
        return self.validate(question, {"value": value, "other": other})

    def validate(self, question: Question, answer: Any) -> Any:
        value, other = (
            (answer.get("value"), answer.get("other"))
            if isinstance(answer, dict)
            else (answer, None)
        )
        if value not in self._allowed(question):
            raise AnswerError(_("Kies een van de antwoorden uit de lijst."))
        if value == OTHER:
            other = (other or "").strip()
            if not other:
                raise AnswerError(_("Vul in wat u bedoelt met 'anders'."))
            if len(other) > 200:
                raise AnswerError(_("Gebruik bij 'anders' hoogstens 200 tekens."))
            return {"value": OTHER, "other": other}
        return value

    def form_data(self, question: Question, answer: Any) -> dict[str, Any]:
        if isinstance(answer, dict):
            return {question.id: answer["value"], f"{question.id}__other": answer.get("other")}
        return {question.id: answer}

    def answer_text(self, question: Question, answer: Any) -> str:
        if isinstance(answer, dict):
            return f"{_('Anders')}: {answer.get('other', '')}"
        return "" if answer is None else _option_label(question.settings.options, answer)

    def tally(self, question: Question, answers: list[Any]) -> Tally:
        counts: dict[str, int] = {}
        for answer in answers:
            key = answer["value"] if isinstance(answer, dict) else answer
            counts[key] = counts.get(key, 0) + 1
        return Tally(
            question.id,
            "choice",
            sum(counts.values()),
            rows=self._rows(question, counts),
            texts=[a["other"] for a in answers if isinstance(a, dict)],
        )

    def tally_counted(self, question: Question, counted: list[tuple[Any, int]]) -> Tally:
        counts: dict[str, int] = {}
        texts: list[str] = []
        for answer, n in counted:
            key = answer["value"] if isinstance(answer, dict) else answer
            counts[key] = counts.get(key, 0) + n
            if isinstance(answer, dict):
                texts += [answer["other"]] * n
        return Tally(
            question.id,
            "choice",
            sum(counts.values()),
            rows=self._rows(question, counts),
            texts=texts,
        )

    def export_columns(self, question: Question) -> list[ExportColumn]:
        columns = [ExportColumn(question.id, question.id, self._codes(question))]
        if question.settings.other:
            columns.append(ExportColumn(f"{question.id}__other", f"{question.id} (anders)"))
        return columns

    def export_cells(self, question: Question, answer: Any) -> list[Any]:
        value = answer["value"] if isinstance(answer, dict) else (answer or "")
        cells = [value]
        if question.settings.other:
            cells.append(answer.get("other", "") if isinstance(answer, dict) else "")
        return cells


class MultipleChoice(_ChoiceBase):
    name = "multiple_choice"
    Settings = MultipleChoiceSettings
    template = "questions/choice.html"
    multiple = True

    def fields(self, question: Question) -> dict[str, Any]:
        return {
            question.id: SelectMultipleField(validate_choice=False),
            **self._other_field(question),
        }

    def read(self, question: Question, form: Form) -> Any:
        values = list(form[question.id].data or [])
        if not values:
            return None
        other = form[f"{question.id}__other"].data if question.settings.other else None
        return self.validate(question, {"values": values, "other": other})

    def validate(self, question: Question, answer: Any) -> Any:
        values, other = (
            (answer.get("values"), answer.get("other"))
            if isinstance(answer, dict)
            else (answer, None)
        )
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise AnswerError(_("Kies een of meer antwoorden uit de lijst."))
        if _duplicates(values) or not set(values) <= self._allowed(question):
            raise AnswerError(_("Kies een of meer antwoorden uit de lijst."))
        limit = question.settings.max_choices
        if limit and len(values) > limit:
            raise AnswerError(_("Kies hoogstens %(n)s antwoorden.", n=limit))
        problem = _exclusive_problem(question.settings.options, values)
        if problem:
            raise AnswerError(problem)
        if OTHER in values:
            other = (other or "").strip()
            if not other:
                raise AnswerError(_("Vul in wat u bedoelt met 'anders'."))
            if len(other) > 200:
                raise AnswerError(_("Gebruik bij 'anders' hoogstens 200 tekens."))
            return {"values": values, "other": other}
        return values

    def form_data(self, question: Question, answer: Any) -> dict[str, Any]:
        if isinstance(answer, dict):
            return {question.id: answer["values"], f"{question.id}__other": answer.get("other")}
        return {question.id: answer or []}

    def answer_text(self, question: Question, answer: Any) -> str:
        values = answer["values"] if isinstance(answer, dict) else (answer or [])
        parts = [_option_label(question.settings.options, v) for v in values if v != OTHER]
        if isinstance(answer, dict):
            parts.append(f"{_('Anders')}: {answer.get('other', '')}")
        return ", ".join(parts)

    def tally(self, question: Question, answers: list[Any]) -> Tally:
        counts: dict[str, int] = {}
        respondents = 0
        for answer in answers:
            values = answer["values"] if isinstance(answer, dict) else answer
            respondents += 1
            for value in values:
                counts[value] = counts.get(value, 0) + 1
        return Tally(
            question.id,
            "choice",
            respondents,
            rows=self._rows(question, counts),
            texts=[a["other"] for a in answers if isinstance(a, dict)],
        )

    def tally_counted(self, question: Question, counted: list[tuple[Any, int]]) -> Tally:
        counts: dict[str, int] = {}
        respondents = 0
        texts: list[str] = []
        for answer, n in counted:
            values = answer["values"] if isinstance(answer, dict) else answer
            respondents += n
            for value in values:
                counts[value] = counts.get(value, 0) + n
            if isinstance(answer, dict):
                texts += [answer["other"]] * n
        return Tally(
            question.id, "choice", respondents, rows=self._rows(question, counts), texts=texts
        )

    def export_columns(self, question: Question) -> list[ExportColumn]:
        yes_no = (("1", "gekozen"), ("0", "niet gekozen"))
        columns = [
            ExportColumn(
                f"{question.id}__{o.value}", f"{question.id}: {localise(o.label, 'nl')}", yes_no
            )
            for o in question.settings.options
            if not o.other
        ]
        if question.settings.other:
            columns.append(ExportColumn(f"{question.id}__other", f"{question.id} (anders)"))
        return columns

    def export_cells(self, question: Question, answer: Any) -> list[Any]:
        values = answer["values"] if isinstance(answer, dict) else (answer or [])
        options = [o for o in question.settings.options if not o.other]
        if answer is None:
            cells: list[Any] = ["" for _o in options]
        else:
            cells = [1 if o.value in values else 0 for o in options]
        if question.settings.other:
            cells.append(answer.get("other", "") if isinstance(answer, dict) else "")
        return cells


YES_NO_OPTIONS = (
    Option(value="ja", label={"nl": "Ja", "en": "Yes"}),
    Option(value="nee", label={"nl": "Nee", "en": "No"}),
)


class YesNoSettings(_Settings):
    # Fixed options, so a yes/no question reads, tallies and exports as a single choice.
    other: ClassVar[bool] = False

    @property
    def options(self) -> list[Option]:
        return list(YES_NO_OPTIONS)


class YesNo(SingleChoice):
    name = "yes_no"
    Settings = YesNoSettings

    def check(self, question: Question) -> list[str]:
        return []


class Scale(QuestionType):
    name = "scale"
    Settings = ScaleSettings
    template = "questions/scale.html"

    def check(self, question: Question) -> list[str]:
        s = question.settings
        problems = []
        if s.max <= s.min:
            problems.append("max must be larger than min")
        problems += [
            f"label for {p} is outside {s.min}-{s.max}" for p in s.labels if not s.min <= p <= s.max
        ]
        points = {str(p) for p in self.points(question)}
        problems += [
            f"opt_out value '{o.value}' is also a point of the scale"
            for o in s.opt_out
            if o.value in points
        ]
        problems += [
            f"opt_out value '{v}' is used twice" for v in _duplicates([o.value for o in s.opt_out])
        ]
        if any(o.other or o.exclusive for o in s.opt_out):
            problems.append("opt_out answers take only value and label")
        return problems

    def points(self, question: Question) -> list[int]:
        return list(range(question.settings.min, question.settings.max + 1))

    def condition_values(self, question: Question) -> list[str] | None:
        return [str(p) for p in self.points(question)] + [
            o.value for o in question.settings.opt_out
        ]

    def fields(self, question: Question) -> dict[str, Any]:
        return {question.id: RadioField(validate_choice=False)}

    def read(self, question: Question, form: Form) -> Any:
        value = form[question.id].data
        if value in (None, "", "None"):
            return None
        return self.validate(question, value)

    def validate(self, question: Question, answer: Any) -> Any:
        # An opt-out is stored as its text value ("11", "weet_niet"), a point as a number:
        # statistics take the numbers only.
        if isinstance(answer, str) and answer in {o.value for o in question.settings.opt_out}:
            return answer
        try:
            value = int(str(answer))
        except ValueError:
            raise AnswerError(_("Kies een van de punten op de schaal.")) from None
        if value not in self.points(question):
            raise AnswerError(_("Kies een van de punten op de schaal."))
        return value

    def form_data(self, question: Question, answer: Any) -> dict[str, Any]:
        return {question.id: None if answer is None else str(answer)}

    def answer_text(self, question: Question, answer: Any) -> str:
        if answer is None:
            return ""
        if isinstance(answer, str):
            return _option_label(question.settings.opt_out, answer)
        label = question.settings.labels.get(answer)
        return f"{answer} ({localise(label)})" if label else str(answer)

    def tally(self, question: Question, answers: list[Any]) -> Tally:
        given = [a for a in answers if a is not None]
        values = [a for a in given if isinstance(a, int) and not isinstance(a, bool)]
        rows = [
            TallyRow(str(p), question.settings.labels.get(p, str(p)), values.count(p))
            for p in self.points(question)
        ]
        rows += [
            TallyRow(o.value, o.label, given.count(o.value)) for o in question.settings.opt_out
        ]
        return Tally(question.id, "choice", len(given), rows=rows, stats=number_stats(values))

    def tally_counted(self, question: Question, counted: list[tuple[Any, int]]) -> Tally:
        given = [(a, n) for a, n in counted if a is not None]
        values = [(a, n) for a, n in given if isinstance(a, int) and not isinstance(a, bool)]
        rows = [
            TallyRow(
                str(p),
                question.settings.labels.get(p, str(p)),
                sum(n for a, n in values if a == p),
            )
            for p in self.points(question)
        ]
        rows += [
            TallyRow(o.value, o.label, sum(n for a, n in given if a == o.value))
            for o in question.settings.opt_out
        ]
        return Tally(
            question.id,
            "choice",
            sum(n for _a, n in given),
            rows=rows,
            stats=number_stats_counted(values),
        )

    def export_columns(self, question: Question) -> list[ExportColumn]:
        codes = tuple(
            (str(p), localise(question.settings.labels.get(p, str(p)), "nl"))
            for p in self.points(question)
        ) + tuple((o.value, localise(o.label, "nl")) for o in question.settings.opt_out)
        missing = tuple(o.value for o in question.settings.opt_out)
        return [ExportColumn(question.id, question.id, codes, missing)]


class Number(QuestionType):
    name = "number"
    Settings = NumberSettings
    template = "questions/number.html"

    def check(self, question: Question) -> list[str]:
        s = question.settings
        if s.min is not None and s.max is not None and s.max < s.min:
            return ["max must not be smaller than min"]
        return []

    def fields(self, question: Question) -> dict[str, Any]:
        return {question.id: StringField()}

    def read(self, question: Question, form: Form) -> Any:
        raw = (form[question.id].data or "").strip()
        if not raw:
            return None
        return self.validate(question, raw)

    def validate(self, question: Question, answer: Any) -> Any:
        s = question.settings
        text = str(answer).strip().replace(" ", "")
        # Residents write "1.250" or "2,5"; a Dutch comma is a decimal separator.
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise AnswerError(_("Vul een getal in.")) from None
        if not math.isfinite(value):
            raise AnswerError(_("Vul een getal in."))
        if s.integer:
            if value != int(value):
                raise AnswerError(_("Vul een heel getal in."))
            value = int(value)
        if s.min is not None and value < s.min:
            raise AnswerError(_("Vul een getal in van minstens %(min)s.", min=_fmt(s.min)))
        if s.max is not None and value > s.max:
            raise AnswerError(_("Vul een getal in van hoogstens %(max)s.", max=_fmt(s.max)))
        return value

    def form_data(self, question: Question, answer: Any) -> dict[str, Any]:
        return {question.id: "" if answer is None else _fmt(answer)}

    def answer_text(self, question: Question, answer: Any) -> str:
        if answer is None:
            return ""
        unit = localise(question.settings.unit) if question.settings.unit else ""
        return f"{_fmt(answer)} {unit}".strip()

    def tally(self, question: Question, answers: list[Any]) -> Tally:
        values = [a for a in answers if isinstance(a, int | float)]
        return Tally(question.id, "number", len(values), stats=number_stats(values))

    def tally_counted(self, question: Question, counted: list[tuple[Any, int]]) -> Tally:
        values = [(a, n) for a, n in counted if isinstance(a, int | float)]
        return Tally(
            question.id,
            "number",
            sum(n for _a, n in values),
            stats=number_stats_counted(values),
        )


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class ShortText(QuestionType):
    name = "short_text"
    Settings = ShortTextSettings
    template = "questions/text.html"
    multiline = False

    def fields(self, question: Question) -> dict[str, Any]:
        return {question.id: TextAreaField() if self.multiline else StringField()}

    def read(self, question: Question, form: Form) -> Any:
        text = (form[question.id].data or "").strip()
        return self.validate(question, text) if text else None

    def validate(self, question: Question, answer: Any) -> Any:
        if not isinstance(answer, str):
            raise AnswerError(_("Vul tekst in."))
        text = answer.strip().replace("\x00", "")
        if len(text) > question.settings.max_length:
            raise AnswerError(
                _(
                    "Gebruik hoogstens %(n)s tekens (nu %(m)s).",
                    n=question.settings.max_length,
                    m=len(text),
                )
            )
        return text


class LongText(ShortText):
    name = "long_text"
    Settings = LongTextSettings
    multiline = True


class Matrix(QuestionType):
    name = "matrix"
    Settings = MatrixSettings
    template = "questions/matrix.html"

    def check(self, question: Question) -> list[str]:
        s = question.settings
        problems = [
            f"statement id '{i}' is used twice" for i in _duplicates([x.id for x in s.statements])
        ] + [f"option value '{v}' is used twice" for v in _duplicates([o.value for o in s.options])]
        if any(o.other for o in s.options):
            problems.append("a grid has no 'Anders, namelijk' option")
        if not s.multiple and any(o.exclusive for o in s.options):
            problems.append("exclusive: true only applies to a grid with multiple: true")
        return problems

    def statements(self, question: Question) -> list[str]:
        return [st.id for st in question.settings.statements]

    def condition_values(self, question: Question) -> list[str] | None:
        return [o.value for o in question.settings.options]

    def fields(self, question: Question) -> dict[str, Any]:
        kind = SelectMultipleField if question.settings.multiple else RadioField
        return {
            f"{question.id}__{st.id}": kind(validate_choice=False)
            for st in question.settings.statements
        }

    def read(self, question: Question, form: Form) -> Any:
        answer: dict[str, Any] = {}
        for st in question.settings.statements:
            value = form[f"{question.id}__{st.id}"].data
            if question.settings.multiple:
                if value:
                    answer[st.id] = list(value)
            elif value not in (None, "", "None"):
                answer[st.id] = value
        return self.validate(question, answer) if answer else None

    def validate(self, question: Question, answer: Any) -> Any:
        s = question.settings
        allowed = {o.value for o in s.options}
        statements = {st.id for st in s.statements}
        if not isinstance(answer, dict) or not set(answer) <= statements:
            raise AnswerError(_("Kies per uitspraak een van de antwoorden."))
        for value in answer.values():
            chosen = value if s.multiple else [value]
            if (
                not isinstance(chosen, list)
                or not chosen
                or _duplicates(chosen)
                or not all(isinstance(v, str) and v in allowed for v in chosen)
            ):
                raise AnswerError(_("Kies per uitspraak een van de antwoorden."))
            if s.multiple:
                problem = _exclusive_problem(s.options, chosen)
                if problem:
                    raise AnswerError(problem)
        if question.required and set(answer) != statements:
            raise AnswerError(_("Geef bij elke uitspraak een antwoord."))
        return answer

    def form_data(self, question: Question, answer: Any) -> dict[str, Any]:
        return {f"{question.id}__{k}": v for k, v in (answer or {}).items()}

    def answer_text(self, question: Question, answer: Any) -> str:
        def labels(value: Any) -> str:
            values = value if isinstance(value, list) else [value]
            return ", ".join(_option_label(question.settings.options, v) for v in values)

        return "; ".join(
            f"{localise(st.text)}: {labels(answer[st.id])}"
            for st in question.settings.statements
            if answer and st.id in answer
        )

    def tally(self, question: Question, answers: list[Any]) -> Tally:
        parts = {}
        for st in question.settings.statements:
            given = [a[st.id] for a in answers if isinstance(a, dict) and st.id in a]
            ticks = [v for g in given for v in (g if isinstance(g, list) else [g])]
            rows = [
                TallyRow(o.value, o.label, ticks.count(o.value)) for o in question.settings.options
            ]
            parts[st.id] = Tally(f"{question.id}__{st.id}", "choice", len(given), rows=rows)
        return Tally(question.id, "matrix", len(answers), parts=parts)

    def tally_counted(self, question: Question, counted: list[tuple[Any, int]]) -> Tally:
        parts = {}
        for st in question.settings.statements:
            given = [(a[st.id], n) for a, n in counted if isinstance(a, dict) and st.id in a]
            ticks = [(v, n) for g, n in given for v in (g if isinstance(g, list) else [g])]
            rows = [
                TallyRow(o.value, o.label, sum(n for v, n in ticks if v == o.value))
                for o in question.settings.options
            ]
            parts[st.id] = Tally(
                f"{question.id}__{st.id}", "choice", sum(n for _g, n in given), rows=rows
            )
        return Tally(question.id, "matrix", sum(n for _a, n in counted), parts=parts)

    def export_columns(self, question: Question) -> list[ExportColumn]:
        s = question.settings
        if s.multiple:
            yes_no = (("1", "gekozen"), ("0", "niet gekozen"))
            return [
                ExportColumn(
                    f"{question.id}__{st.id}__{o.value}",
                    f"{question.id}: {localise(st.text, 'nl')}: {localise(o.label, 'nl')}",
                    yes_no,
                )
                for st in s.statements
                for o in s.options
            ]
        codes = tuple((o.value, localise(o.label, "nl")) for o in s.options)
        return [
            ExportColumn(
                f"{question.id}__{st.id}", f"{question.id}: {localise(st.text, 'nl')}", codes
            )
            for st in s.statements
        ]

    def export_cells(self, question: Question, answer: Any) -> list[Any]:
        s = question.settings
        if s.multiple:
            if answer is None:
                return ["" for _st in s.statements for _o in s.options]
            return [
                1 if o.value in answer.get(st.id, []) else 0
                for st in s.statements
                for o in s.options
            ]
        return [(answer or {}).get(st.id, "") for st in s.statements]


class Ranking(QuestionType):
    name = "ranking"
    Settings = RankingSettings
    template = "questions/ranking.html"

    def check(self, question: Question) -> list[str]:
        return [
            f"option value '{v}' is used twice"
            for v in _duplicates([o.value for o in question.settings.options])
        ]

    def fields(self, question: Question) -> dict[str, Any]:
        # Rendered as a <select> of places by the template; read and checked in read().
        return {f"{question.id}__{o.value}": StringField() for o in question.settings.options}

    def read(self, question: Question, form: Form) -> Any:
        ranks: dict[str, str] = {}
        for o in question.settings.options:
            value = form[f"{question.id}__{o.value}"].data
            if value not in (None, "", "None"):
                ranks[o.value] = value
        if not ranks:
            return None
        try:
            numbers = {k: int(v) for k, v in ranks.items()}
        except ValueError:
            raise AnswerError(_("Geef elk onderdeel een plaats uit de lijst.")) from None
        if len(set(numbers.values())) != len(numbers):
            raise AnswerError(_("Geef elk nummer maar één keer."))
        return self.validate(question, sorted(numbers, key=numbers.__getitem__))

    def validate(self, question: Question, answer: Any) -> Any:
        allowed = {o.value for o in question.settings.options}
        if not isinstance(answer, list) or _duplicates(answer) or not set(answer) <= allowed:
            raise AnswerError(_("Geef elk onderdeel een plaats uit de lijst."))
        return answer

    def form_data(self, question: Question, answer: Any) -> dict[str, Any]:
        return {f"{question.id}__{v}": str(i) for i, v in enumerate(answer or [], start=1)}

    def answer_text(self, question: Question, answer: Any) -> str:
        return ", ".join(
            f"{i}. {_option_label(question.settings.options, v)}"
            for i, v in enumerate(answer or [], start=1)
        )

    def tally(self, question: Question, answers: list[Any]) -> Tally:
        # Borda-style points (n-1 for first place): a fair single number per option for charts.
        n = len(question.settings.options)
        points = {o.value: 0 for o in question.settings.options}
        ranked = [a for a in answers if isinstance(a, list)]
        for answer in ranked:
            for place, value in enumerate(answer):
                points[value] = points.get(value, 0) + (n - 1 - place)
        rows = [TallyRow(o.value, o.label, points[o.value]) for o in question.settings.options]
        firsts = {
            o.value: sum(1 for a in ranked if a and a[0] == o.value)
            for o in question.settings.options
        }
        return Tally(
            question.id,
            "ranking",
            len(ranked),
            rows=rows,
            stats={f"first:{k}": v for k, v in firsts.items()},
        )

    def tally_counted(self, question: Question, counted: list[tuple[Any, int]]) -> Tally:
        n_options = len(question.settings.options)
        points = {o.value: 0 for o in question.settings.options}
        ranked = [(a, n) for a, n in counted if isinstance(a, list)]
        for answer, n in ranked:
            for place, value in enumerate(answer):
                points[value] = points.get(value, 0) + (n_options - 1 - place) * n
        rows = [TallyRow(o.value, o.label, points[o.value]) for o in question.settings.options]
        firsts = {
            o.value: sum(n for a, n in ranked if a and a[0] == o.value)
            for o in question.settings.options
        }
        return Tally(
            question.id,
            "ranking",
            sum(n for _a, n in ranked),
            rows=rows,
            stats={f"first:{k}": v for k, v in firsts.items()},
        )

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return [
            ExportColumn(
                f"{question.id}__{o.value}", f"{question.id}: plaats van {localise(o.label, 'nl')}"
            )
            for o in question.settings.options
        ]

    def export_cells(self, question: Question, answer: Any) -> list[Any]:
        order = answer or []
        return [
            order.index(o.value) + 1 if o.value in order else "" for o in question.settings.options
        ]


class Note(QuestionType):
    """An instruction between questions: shown and printed, never answered or exported."""

    name = "note"
    template = "questions/note.html"
    paper_template = "print/_note.html"
    answers = False

    def check(self, question: Question) -> list[str]:
        problems = []
        if question.required:
            problems.append("a note asks nothing, so it cannot be required")
        if question.end_if is not None:
            problems.append("a note has no answer to end the survey on; put end_if on a question")
        return problems

    def fields(self, question: Question) -> dict[str, Any]:
        return {}

    def read(self, question: Question, form: Form) -> Any:
        return None

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return []

    def export_cells(self, question: Question, answer: Any) -> list[Any]:
        return []


BUILTIN_TYPES: tuple[QuestionType, ...] = (
    SingleChoice(),
    MultipleChoice(),
    YesNo(),
    Scale(),
    Number(),
    ShortText(),
    LongText(),
    Matrix(),
    Ranking(),
    Note(),
)


@hookimpl(trylast=True)
def vliegwiel_question_types() -> list[QuestionType]:
    return list(BUILTIN_TYPES)
