"""Conditions that can never be true: ``vliegwiel check`` refuses them with FILE:LINE.

A ``show_if: {question: q, equals: nee}`` on a question whose options are "1" and "2", or a
condition on a grid without naming one of its statements, loads fine but hides the question
for everyone. The question types say which values and statements exist.
"""

from __future__ import annotations

from vliegwiel.surveys.conditions import Condition, as_text
from vliegwiel.surveys.question_types import QuestionType
from vliegwiel.surveys.schema import Survey


def _listing(values: list[str]) -> str:
    shown = ", ".join(values[:12])
    return shown + (", ..." if len(values) > 12 else "")


def condition_problems(
    survey: Survey, question_types: dict[str, QuestionType]
) -> list[tuple[tuple, str]]:
    """(path, message) for every comparison that names an answer its question cannot have."""
    by_id = {q.id: q for page in survey.pages for q in page.questions}
    problems: list[tuple[tuple, str]] = []

    def check(condition: Condition | None, path: tuple, owner: str) -> None:
        if condition is None:
            return
        for comparison in condition.comparisons():
            target = by_id.get(comparison.question)
            if target is None:
                continue  # an unknown question is reported by the structure check
            ref = comparison.question
            if target.is_note:
                problems.append((path, f"{owner}: '{ref}' is a note; a note has no answer"))
                continue
            qtype = question_types.get(target.type)
            if qtype is None or target.settings is None:
                continue
            statements = qtype.statements(target)
            if statements and comparison.statement is None:
                problems.append(
                    (
                        path,
                        f"{owner}: '{ref}' is a grid; name one of its statements with "
                        f"`statement:` ({_listing(statements)})",
                    )
                )
                continue
            if comparison.statement is not None and comparison.statement not in statements:
                what = (
                    f"'{ref}' has no statement '{comparison.statement}' ({_listing(statements)})"
                    if statements
                    else f"'{ref}' is not a grid, so `statement:` does not apply"
                )
                problems.append((path, f"{owner}: {what}"))
                continue
            values = qtype.condition_values(target)
            if values is None:
                continue
            if comparison.operator in ("gte", "lte"):
                if not all(_is_number(v) for v in values):
                    problems.append(
                        (
                            path,
                            f"{owner}: '{comparison.operator}' needs a number, and '{ref}' "
                            "is answered with a choice",
                        )
                    )
                continue
            for expected in comparison.expected_values():
                if as_text(expected) not in values:
                    problems.append(
                        (
                            path,
                            f"{owner}: '{as_text(expected)}' is never an answer to '{ref}', "
                            f"so this condition can never be true (its answers are: "
                            f"{_listing(values)})",
                        )
                    )

    for p_index, page in enumerate(survey.pages):
        for q_index, question in enumerate(page.questions):
            path = ("pages", p_index, "questions", q_index)
            check(question.condition, (*path, "show_if"), f"question '{question.id}': show_if")
            check(question.end_condition, (*path, "end_if"), f"question '{question.id}': end_if")
        check(page.end_condition, ("pages", p_index, "end_if"), f"page '{page.id}': end_if")
    return problems


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
