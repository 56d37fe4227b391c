"""Conditional display (``show_if``, ``end_if``): parsed from YAML, evaluated without eval.

A condition names a question and, for a grid (matrix), one of its statements. Answers come
in several shapes: a plain value, a list of ticked values, ``{"value": ..., "other": ...}``
or ``{"values": [...], "other": ...}`` when "Anders, namelijk" is ticked, and a mapping of
statement id to value(s) for a grid. ``answer_values`` flattens all of them to the list of
chosen values, so every operator sees the same thing whatever the shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OPERATORS = ("equals", "not_equals", "in", "contains", "gte", "lte", "answered")

#: A three-valued truth: True, False, or None when it depends on an answer not given yet.
Maybe = bool | None


def answer_values(answer: Any) -> list[Any]:
    """The chosen values of an answer of any shape (empty when unanswered)."""
    if answer is None or answer == "" or answer == [] or answer == {}:
        return []
    if isinstance(answer, dict):
        if "values" in answer:
            return list(answer["values"] or [])
        if "value" in answer:
            return [answer["value"]]
        return []
    if isinstance(answer, list):
        return list(answer)
    return [answer]


@dataclass(frozen=True)
class Comparison:
    question: str
    operator: str
    value: Any
    #: A statement (row) of a grid question; None for every other question.
    statement: str | None = None

    def questions(self) -> set[str]:
        return {self.question}

    def comparisons(self) -> list[Comparison]:
        return [self]

    def _answer(self, answers: dict[str, Any]) -> Any:
        answer = answers.get(self.question)
        if self.statement is not None:
            return answer.get(self.statement) if isinstance(answer, dict) else None
        return answer

    def holds(self, answers: dict[str, Any]) -> bool:
        values = answer_values(self._answer(answers))
        if self.operator == "answered":
            return bool(values) == bool(self.value)
        if not values:
            # An unanswered question satisfies only "not_equals": nothing equals a blank.
            return self.operator == "not_equals"
        if self.operator == "equals":
            return len(values) == 1 and _same(values[0], self.value)
        if self.operator == "not_equals":
            return not (len(values) == 1 and _same(values[0], self.value))
        if self.operator == "in":
            return any(_same(a, v) for a in values for v in self.value)
        if self.operator == "contains":
            return any(_same(a, self.value) for a in values)
        number = _number(values[0]) if len(values) == 1 else None
        if number is None:
            return False
        if self.operator == "gte":
            return number >= self.value
        return number <= self.value

    def could_hold(self, answers: dict[str, Any], unknown: set[str]) -> Maybe:
        return None if self.question in unknown else self.holds(answers)

    def expected_values(self) -> list[Any]:
        """The values this comparison looks for (empty for numbers and ``answered``)."""
        if self.operator in ("in", "not_in"):
            return list(self.value)
        if self.operator in ("equals", "not_equals", "contains"):
            return [self.value]
        return []


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]

    def questions(self) -> set[str]:
        return set().union(*(p.questions() for p in self.parts))

    def comparisons(self) -> list[Comparison]:
        return [c for p in self.parts for c in p.comparisons()]

    def holds(self, answers: dict[str, Any]) -> bool:
        return all(p.holds(answers) for p in self.parts)

    def could_hold(self, answers: dict[str, Any], unknown: set[str]) -> Maybe:
        results = [p.could_hold(answers, unknown) for p in self.parts]
        if False in results:
            return False
        return True if all(results) else None


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def questions(self) -> set[str]:
        return set().union(*(p.questions() for p in self.parts))

    def comparisons(self) -> list[Comparison]:
        return [c for p in self.parts for c in p.comparisons()]

    def holds(self, answers: dict[str, Any]) -> bool:
        return any(p.holds(answers) for p in self.parts)

    def could_hold(self, answers: dict[str, Any], unknown: set[str]) -> Maybe:
        results = [p.could_hold(answers, unknown) for p in self.parts]
        if True in results:
            return True
        return False if all(r is False for r in results) else None


@dataclass(frozen=True)
class Not:
    part: Condition

    def questions(self) -> set[str]:
        return self.part.questions()

    def comparisons(self) -> list[Comparison]:
        return self.part.comparisons()

    def holds(self, answers: dict[str, Any]) -> bool:
        return not self.part.holds(answers)

    def could_hold(self, answers: dict[str, Any], unknown: set[str]) -> Maybe:
        result = self.part.could_hold(answers, unknown)
        return None if result is None else not result


Condition = Comparison | AllOf | AnyOf | Not


def parse_condition(raw: Any, depth: int = 0, key: str = "show_if") -> Condition:
    """Turn the YAML form of a condition into a Condition; ValueError says what is wrong.

    ``key`` (``show_if`` or ``end_if``) names the condition in error messages.
    """
    if depth > 10:
        raise ValueError(f"{key} is nested too deeply (at most 10 levels)")
    if not isinstance(raw, dict):
        raise ValueError(f"{key} must be a mapping, for example {{question: q1, equals: ja}}")
    if set(raw) in ({"all"}, {"any"}):
        group = next(iter(raw))
        parts = raw[group]
        if not isinstance(parts, list) or not parts:
            raise ValueError(f"{key} '{group}' needs a non-empty list of conditions")
        parsed = tuple(parse_condition(p, depth + 1, key) for p in parts)
        return AllOf(parsed) if group == "all" else AnyOf(parsed)
    if set(raw) == {"not"}:
        return Not(parse_condition(raw["not"], depth + 1, key))
    if "question" not in raw:
        raise ValueError(f"{key} needs 'question' (or 'all', 'any', 'not')")
    statement = raw.get("statement")
    if statement is not None and not isinstance(statement, str):
        raise ValueError(f"{key} 'statement' must be the id of one statement of the grid")
    ops = [k for k in raw if k not in ("question", "statement")]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise ValueError(
            f"{key} needs exactly one of: " + ", ".join(OPERATORS) + f"; got {sorted(ops)}"
        )
    operator = ops[0]
    value = raw[operator]
    if operator == "in" and not isinstance(value, list):
        raise ValueError(f"{key} 'in' needs a list of values")
    if operator in ("gte", "lte") and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        raise ValueError(f"{key} '{operator}' needs a number")
    if operator in ("equals", "not_equals", "contains") and isinstance(value, dict | list):
        raise ValueError(f"{key} '{operator}' needs a single value")
    return Comparison(str(raw["question"]), operator, value, statement)


def as_text(value: Any) -> str:
    """A condition value as the text answers are compared with (``true`` means "ja")."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def _same(answer: Any, expected: Any) -> bool:
    # YAML gives `equals: ja` as str and `equals: 3` as int, while a scale answer is an int and a
    # yes/no answer is "ja": compare as text so authors need not think about types.
    return as_text(answer) == as_text(expected)


def _number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        return answer
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None
