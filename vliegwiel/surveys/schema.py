"""The shape of a survey definition, validated with pydantic.

Common keys are declared here; the keys that belong to one question type (``options``,
``min``, ...) are validated by that type's ``Settings`` model when the survey is loaded
(see ``survey_loader``), so plugins add types without touching this module.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from vliegwiel.surveys.conditions import Condition, parse_condition

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
SurveyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
LANGUAGES = ("nl", "en")
#: The ``type:`` of an instruction text between questions: shown, printed, never answered.
NOTE_TYPE = "note"


def _check_text(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("text may not be empty")
        return value
    if isinstance(value, dict):
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"unknown language(s) {sorted(unknown)}; use {', '.join(LANGUAGES)}")
        if not isinstance(value.get("nl"), str) or not value["nl"].strip():
            raise ValueError("a translated text needs at least a Dutch text under 'nl'")
        if any(not isinstance(v, str) for v in value.values()):
            raise ValueError("every translation must be a string")
        return value
    raise ValueError("text must be a string or a mapping like {nl: ..., en: ...}")


#: A text shown to residents: a plain (Dutch) string or ``{nl: ..., en: ...}``.
LocalText = Annotated[str | dict[str, str], Field(union_mode="left_to_right")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


#: The stored value of "Anders, namelijk"; its text is stored next to the chosen values.
OTHER = "__other__"


class Option(_Strict):
    value: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    label: LocalText
    #: Ticking this option rules out every other one ("weet niet", "geen van deze").
    exclusive: bool = False
    #: This option is "Anders, namelijk": ticking it asks for a text. Its value is fixed.
    other: bool = False

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, value: Any) -> Any:
        return _check_text(value)

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, data: Any) -> Any:
        # `- Ja` is the natural way to write an option; it means value "Ja" and label "Ja".
        if isinstance(data, str | int | float) and not isinstance(data, bool):
            return {"value": str(data), "label": str(data)}
        if isinstance(data, dict) and data.get("other") is True:
            # `- {other: true, label: "anders, namelijk"}` places "Anders" among the options.
            data = {
                "value": OTHER,
                "label": {"nl": "Anders, namelijk", "en": "Other, namely"},
                **data,
            }
        return data

    @model_validator(mode="after")
    def _other_value(self) -> Option:
        if self.value == OTHER and not self.other:
            raise ValueError(f"option value '{OTHER}' is reserved; write `other: true` instead")
        if self.other and self.value != OTHER:
            raise ValueError("an `other: true` option takes no value of its own")
        return self

    @field_validator("value", mode="before")
    @classmethod
    def _value_as_text(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value


class Question(BaseModel):
    # Type-specific keys stay as extras until the question type validates them.
    model_config = ConfigDict(extra="allow")

    id: Identifier
    type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    text: LocalText
    help: LocalText | None = None
    required: bool = False
    show_if: Any = None
    #: Residents whose answers match skip the rest of the survey (to the review page).
    end_if: Any = None

    _condition: Condition | None = PrivateAttr(default=None)
    _end: Condition | None = PrivateAttr(default=None)
    #: The ``end_if`` conditions of earlier questions and pages: any that holds hides this one.
    _ended_by: tuple[Condition, ...] = PrivateAttr(default=())
    _settings: Any = PrivateAttr(default=None)

    @field_validator("text", "help", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return value if value is None else _check_text(value)

    @field_validator("show_if", "end_if")
    @classmethod
    def _check_condition(cls, value: Any, info: ValidationInfo) -> Any:
        # Checked per field so an error points at the show_if line, not the question's first.
        if value is not None:
            parse_condition(value, key=info.field_name or "show_if")
        return value

    @model_validator(mode="after")
    def _parse_condition(self) -> Question:
        if self.show_if is not None:
            self._condition = parse_condition(self.show_if)
        if self.end_if is not None:
            self._end = parse_condition(self.end_if, key="end_if")
        return self

    @property
    def condition(self) -> Condition | None:
        """The question's own ``show_if``."""
        return self._condition

    @property
    def end_condition(self) -> Condition | None:
        """The question's ``end_if``: when it holds, the questions after this one are skipped."""
        return self._end

    @property
    def ended_by(self) -> tuple[Condition, ...]:
        return self._ended_by

    @property
    def is_note(self) -> bool:
        return self.type == NOTE_TYPE

    def depends_on(self) -> set[str]:
        """Every question whose answer decides whether this one is shown."""
        refs = set(self._condition.questions()) if self._condition else set()
        for end in self._ended_by:
            refs |= end.questions()
        return refs

    @property
    def settings(self) -> Any:
        """The type-specific settings, validated by the question type's ``Settings`` model."""
        return self._settings

    def extra_keys(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def visible(self, answers: dict[str, Any]) -> bool:
        if any(end.holds(answers) for end in self._ended_by):
            return False
        return self._condition is None or self._condition.holds(answers)

    def could_be_visible(self, answers: dict[str, Any], unknown: set[str]) -> bool | None:
        """Three-valued visibility: None when it depends on an answer in ``unknown``."""
        results = [self._condition.could_hold(answers, unknown)] if self._condition else []
        results += [
            None if (r := end.could_hold(answers, unknown)) is None else not r
            for end in self._ended_by
        ]
        if False in results:
            return False
        return True if all(results) else None


class Page(_Strict):
    id: Identifier
    title: LocalText | None = None
    intro: LocalText | None = None
    #: Residents whose answers match skip the pages after this one (to the review page).
    end_if: Any = None
    questions: list[Question] = Field(min_length=1)

    _end: Condition | None = PrivateAttr(default=None)

    @field_validator("title", "intro", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return value if value is None else _check_text(value)

    @field_validator("end_if")
    @classmethod
    def _check_condition(cls, value: Any) -> Any:
        if value is not None:
            parse_condition(value, key="end_if")
        return value

    @model_validator(mode="after")
    def _parse_condition(self) -> Page:
        if self.end_if is not None:
            self._end = parse_condition(self.end_if, key="end_if")
        return self

    @property
    def end_condition(self) -> Condition | None:
        return self._end


class Survey(_Strict):
    id: SurveyId
    title: LocalText
    intro: LocalText | None = None
    theme: Identifier | None = None
    #: Anonymous surveys never link a response to a code, an IP address or a person.
    anonymous: bool = True
    #: "open": anyone with the link; "code": one invitation code per household or person.
    access: Annotated[str, StringConstraints(pattern=r"^(open|code)$")] = "open"
    #: A background question whose answers results may be broken down by.
    breakdown: Identifier | None = None
    pages: list[Page] = Field(min_length=1)

    _version: str = PrivateAttr(default="")
    _numbers: dict[str, int] = PrivateAttr(default_factory=dict)

    @field_validator("title", "intro", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return value if value is None else _check_text(value)

    @model_validator(mode="after")
    def _wire_endings(self) -> Survey:
        # end_if is stored once but read by every later question: each question keeps the
        # end conditions before it, so visibility stays a property of the question alone.
        ends: list[Condition] = []
        numbers: dict[str, int] = {}
        for page in self.pages:
            for question in page.questions:
                question._ended_by = tuple(ends)
                if question.end_condition is not None:
                    ends.append(question.end_condition)
                if not question.is_note and question.id not in numbers:
                    numbers[question.id] = len(numbers) + 1
            if page.end_condition is not None:
                ends.append(page.end_condition)
        self._numbers = numbers
        return self

    def number(self, question_id: str) -> int | None:
        """The question's number on paper, in data entry and in exports (notes have none)."""
        return self._numbers.get(question_id)

    def structure_problems(self) -> list[tuple[tuple, str]]:
        """Problems that span questions, each with its path in the definition.

        Unique ids, conditions only on earlier questions, a known ``breakdown`` question. The
        loader turns the paths into line numbers.
        """
        problems: list[tuple[tuple, str]] = []
        seen_pages: set[str] = set()
        earlier: set[str] = set()
        for p_index, page in enumerate(self.pages):
            if page.id in seen_pages:
                problems.append((("pages", p_index, "id"), f"page id '{page.id}' is used twice"))
            seen_pages.add(page.id)
            for q_index, q in enumerate(page.questions):
                path = ("pages", p_index, "questions", q_index)
                if q.id in earlier:
                    problems.append(((*path, "id"), f"question id '{q.id}' is used twice"))
                for key, condition, allowed in (
                    ("show_if", q.condition, earlier),
                    ("end_if", q.end_condition, earlier | {q.id}),
                ):
                    for ref in sorted(condition.questions() if condition else ()):
                        if ref not in allowed:
                            problems.append(
                                (
                                    (*path, key),
                                    f"question '{q.id}': {key} refers to '{ref}', which is not "
                                    "an earlier question",
                                )
                            )
                earlier = earlier | {q.id}
            if page.end_condition is not None:
                for ref in sorted(page.end_condition.questions() - earlier):
                    problems.append(
                        (
                            ("pages", p_index, "end_if"),
                            f"page '{page.id}': end_if refers to '{ref}', which is not a question "
                            "on this page or an earlier one",
                        )
                    )
        if self.breakdown is not None and self.breakdown not in earlier:
            problems.append(
                ((("breakdown",)), f"breakdown refers to unknown question '{self.breakdown}'")
            )
        return problems

    def definition(self) -> dict[str, Any]:
        """The definition as JSON data, as stored with responses and in share bundles.

        Keys added to the format later are left out while at their default, so a file that
        does not use them gives the same data (and version) as before they existed.
        """
        return _without_new_defaults(self.model_dump(mode="json"))

    @property
    def version(self) -> str:
        """A short hash of the definition: stored with every response."""
        if not self._version:
            canonical = json.dumps(self.definition(), sort_keys=True)
            self._version = hashlib.sha256(canonical.encode()).hexdigest()[:12]
        return self._version

    def questions(self) -> Iterator[Question]:
        """The questions residents answer, in order (notes between them are left out)."""
        for page in self.pages:
            yield from (q for q in page.questions if not q.is_note)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)


#: Keys added to the format after surveys were in use, with their default values: left out of
#: the version hash when at their default, so a file that does not use them keeps its version
#: (and its responses stay current) when vliegwiel is upgraded. Option keys only on options.
_LATER_KEYS = {"end_if": None}
_LATER_OPTION_KEYS = {"exclusive": False, "other": False}


def _without_new_defaults(data: Any) -> Any:
    if isinstance(data, list):
        return [_without_new_defaults(item) for item in data]
    if not isinstance(data, dict):
        return data
    later = dict(_LATER_KEYS)
    if "value" in data and "label" in data:
        later.update(_LATER_OPTION_KEYS)
    return {
        key: _without_new_defaults(value)
        for key, value in data.items()
        if not (key in later and value is later[key])
    }
