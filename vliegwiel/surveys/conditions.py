"""Conditional display (``show_if``): parsed from YAML, evaluated without eval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OPERATORS = ("equals", "not_equals", "in", "contains", "gte", "lte", "answered")


@dataclass(frozen=True)
class Comparison:
    question: str
    operator: str
    value: Any

    def questions(self) -> set[str]:
        return {self.question}

    def holds(self, answers: dict[str, Any]) -> bool:
        present = self.question in answers and answers[self.question] not in (None, "", [], {})
        if self.operator == "answered":
            return present == bool(self.value)
        if not present:
            # An unanswered question satisfies only "not_equals": nothing equals a blank.
            return self.operator == "not_equals"
        answer = answers[self.question]
        if self.operator == "equals":
            return _same(answer, self.value)
        if self.operator == "not_equals":
            return not _same(answer, self.value)
        if self.operator == "in":
            return any(_same(answer, v) for v in self.value)
        if self.operator == "contains":
            return isinstance(answer, list) and any(_same(a, self.value) for a in answer)
        number = _number(answer)
        if number is None:
            return False
        if self.operator == "gte":
            return number >= self.value
        return number <= self.value


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]

    def questions(self) -> set[str]:
        return set().union(*(p.questions() for p in self.parts))

    def holds(self, answers: dict[str, Any]) -> bool:
        return all(p.holds(answers) for p in self.parts)


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def questions(self) -> set[str]:
        return set().union(*(p.questions() for p in self.parts))

    def holds(self, answers: dict[str, Any]) -> bool:
        return any(p.holds(answers) for p in self.parts)


@dataclass(frozen=True)
class Not:
    part: Condition

    def questions(self) -> set[str]:
        return self.part.questions()

    def holds(self, answers: dict[str, Any]) -> bool:
        return not self.part.holds(answers)


Condition = Comparison | AllOf | AnyOf | Not


def parse_condition(raw: Any, depth: int = 0) -> Condition:
    """Turn the YAML form of ``show_if`` into a Condition; ValueError says what is wrong."""
    if depth > 10:
        raise ValueError("show_if is nested too deeply (at most 10 levels)")
    if not isinstance(raw, dict):
        raise ValueError("show_if must be a mapping, for example {question: q1, equals: ja}")
    if set(raw) in ({"all"}, {"any"}):
        key = next(iter(raw))
        parts = raw[key]
        if not isinstance(parts, list) or not parts:
            raise ValueError(f"show_if '{key}' needs a non-empty list of conditions")
        parsed = tuple(parse_condition(p, depth + 1) for p in parts)
        return AllOf(parsed) if key == "all" else AnyOf(parsed)
    if set(raw) == {"not"}:
        return Not(parse_condition(raw["not"], depth + 1))
    if "question" not in raw:
        raise ValueError("show_if needs 'question' (or 'all', 'any', 'not')")
    ops = [k for k in raw if k != "question"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise ValueError(
            "show_if needs exactly one of: " + ", ".join(OPERATORS) + f"; got {sorted(ops)}"
        )
    operator = ops[0]
    value = raw[operator]
    if operator == "in" and not isinstance(value, list):
        raise ValueError("show_if 'in' needs a list of values")
    if operator in ("gte", "lte") and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        raise ValueError(f"show_if '{operator}' needs a number")
    if operator in ("equals", "not_equals", "contains") and isinstance(value, dict | list):
        raise ValueError(f"show_if '{operator}' needs a single value")
    return Comparison(str(raw["question"]), operator, value)


def _same(answer: Any, expected: Any) -> bool:
    # YAML gives `equals: ja` as str and `equals: 3` as int, while a scale answer is an int and a
    # yes/no answer is "ja": compare as text so authors need not think about types.
    if isinstance(expected, bool):
        expected = "ja" if expected else "nee"
    return str(answer) == str(expected)


def _number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        return answer
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None
