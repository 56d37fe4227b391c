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
    field_validator,
    model_validator,
)

from vliegwiel.surveys.conditions import Condition, parse_condition

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
SurveyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
LANGUAGES = ("nl", "en")


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


class Option(_Strict):
    value: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    label: LocalText

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
        return data

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

    _condition: Condition | None = PrivateAttr(default=None)
    _settings: Any = PrivateAttr(default=None)

    @field_validator("text", "help", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return value if value is None else _check_text(value)

    @field_validator("show_if")
    @classmethod
    def _check_condition(cls, value: Any) -> Any:
        # Checked per field so an error points at the show_if line, not the question's first.
        if value is not None:
            parse_condition(value)
        return value

    @model_validator(mode="after")
    def _parse_condition(self) -> Question:
        if self.show_if is not None:
            self._condition = parse_condition(self.show_if)
        return self

    @property
    def condition(self) -> Condition | None:
        return self._condition

    @property
    def settings(self) -> Any:
        """The type-specific settings, validated by the question type's ``Settings`` model."""
        return self._settings

    def extra_keys(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def visible(self, answers: dict[str, Any]) -> bool:
        return self._condition is None or self._condition.holds(answers)


class Page(_Strict):
    id: Identifier
    title: LocalText | None = None
    intro: LocalText | None = None
    questions: list[Question] = Field(min_length=1)

    @field_validator("title", "intro", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return value if value is None else _check_text(value)


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

    @field_validator("title", "intro", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return value if value is None else _check_text(value)

    def structure_problems(self) -> list[tuple[tuple, str]]:
        """Problems that span questions, each with its path in the definition.

        Unique ids, ``show_if`` only on earlier pages, a known ``breakdown`` question. The
        loader turns the paths into line numbers.
        """
        problems: list[tuple[tuple, str]] = []
        seen_pages: set[str] = set()
        earlier: set[str] = set()
        for p_index, page in enumerate(self.pages):
            if page.id in seen_pages:
                problems.append((("pages", p_index, "id"), f"page id '{page.id}' is used twice"))
            seen_pages.add(page.id)
            on_page: set[str] = set()
            for q_index, q in enumerate(page.questions):
                path = ("pages", p_index, "questions", q_index)
                if q.id in earlier or q.id in on_page:
                    problems.append(((*path, "id"), f"question id '{q.id}' is used twice"))
                for ref in sorted(q.condition.questions() if q.condition else ()):
                    if ref in on_page:
                        message = (
                            f"show_if refers to '{ref}' on the same page; without JavaScript a "
                            "condition can only use earlier pages, so move the question to a "
                            "later page"
                        )
                    elif ref not in earlier:
                        message = f"show_if refers to '{ref}', which is not an earlier question"
                    else:
                        continue
                    problems.append(((*path, "show_if"), f"question '{q.id}': {message}"))
                on_page.add(q.id)
            earlier |= on_page
        if self.breakdown is not None and self.breakdown not in earlier:
            problems.append(
                ((("breakdown",)), f"breakdown refers to unknown question '{self.breakdown}'")
            )
        return problems

    @property
    def version(self) -> str:
        """A short hash of the definition: stored with every response."""
        if not self._version:
            canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
            self._version = hashlib.sha256(canonical.encode()).hexdigest()[:12]
        return self._version

    def questions(self) -> Iterator[Question]:
        for page in self.pages:
            yield from page.questions

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)
