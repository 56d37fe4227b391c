"""Conditions in words and in JSON: routing text for paper and same-page reveal for the web.

Same-page conditions follow the GOV.UK "conditional reveal" pattern: without JavaScript a
dependent question is shown with "Alleen invullen als u bij vraag 3 „ja” koos"; with the
small first-party script (static/reveal.js) it hides and shows live. The server always
drops answers that do not apply (``responses.prune``), so the script only helps.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from vliegwiel.surveys.conditions import AllOf, AnyOf, Comparison, Condition, Not, as_text
from vliegwiel.surveys.schema import Page, Question, Survey
from vliegwiel.web.i18n import localise


def value_label(question: Question | None, value: Any, language: str | None = None) -> str:
    """The label residents read for a stored value ("2" -> "nee")."""
    text = as_text(value)
    settings = question.settings if question is not None else None
    for option in [*getattr(settings, "options", []), *getattr(settings, "opt_out", [])]:
        if option.value == text:
            return localise(option.label, language)
    return text


def _statement_text(question: Question | None, statement: str, language: str | None) -> str:
    settings = question.settings if question is not None else None
    for st in getattr(settings, "statements", []):
        if st.id == statement:
            return localise(st.text, language)
    return statement


def describe(condition: Condition, survey: Survey, language: str | None = None) -> str:
    """The condition as the end of "Alleen invullen als u ...": questions by their number."""
    if isinstance(condition, AllOf):
        return _(" en ").join(describe(p, survey, language) for p in condition.parts)
    if isinstance(condition, AnyOf):
        return _(" of ").join(describe(p, survey, language) for p in condition.parts)
    if isinstance(condition, Not):
        part = condition.part
        if isinstance(part, Comparison) and part.operator in ("equals", "in"):
            return _describe_comparison(
                Comparison(part.question, "not_equals", part.value, part.statement)
                if part.operator == "equals"
                else Comparison(part.question, "not_in", part.value, part.statement),
                survey,
                language,
            )
        return _("niet: %(part)s", part=describe(part, survey, language))
    return _describe_comparison(condition, survey, language)


def _describe_comparison(c: Comparison, survey: Survey, language: str | None) -> str:
    question = survey.question(c.question)
    number = survey.number(c.question) or c.question
    where = (
        _(
            "bij vraag %(n)s, „%(statement)s”,",
            n=number,
            statement=_statement_text(question, c.statement, language),
        )
        if c.statement
        else _("bij vraag %(n)s", n=number)
    )
    labels = _(" of ").join(f"„{value_label(question, v, language)}”" for v in c.expected_values())
    if c.operator in ("equals", "in"):
        return _("%(where)s %(answers)s koos", where=where, answers=labels)
    if c.operator == "contains":
        return _("%(where)s %(answers)s aankruiste", where=where, answers=labels)
    if c.operator in ("not_equals", "not_in"):
        return _("%(where)s iets anders dan %(answers)s koos", where=where, answers=labels)
    if c.operator == "answered":
        if c.value:
            return _("%(where)s een antwoord gaf", where=where)
        return _("%(where)s geen antwoord gaf", where=where)
    if c.operator == "gte":
        return _("%(where)s %(value)s of meer invulde", where=where, value=c.value)
    return _("%(where)s %(value)s of minder invulde", where=where, value=c.value)


def client_condition(
    condition: Condition, on_page: set[str], answers: dict[str, Any]
) -> dict[str, Any]:
    """The condition for reveal.js: same-page parts by form-field name, the rest decided."""
    if isinstance(condition, AllOf):
        return {"all": [client_condition(p, on_page, answers) for p in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [client_condition(p, on_page, answers) for p in condition.parts]}
    if isinstance(condition, Not):
        return {"not": client_condition(condition.part, on_page, answers)}
    if condition.question not in on_page:
        return {"const": condition.holds(answers)}
    name = (
        f"{condition.question}__{condition.statement}"
        if condition.statement
        else condition.question
    )
    value: Any = condition.value
    if condition.operator == "in":
        value = [as_text(v) for v in condition.value]
    elif condition.operator in ("equals", "not_equals", "contains"):
        value = as_text(condition.value)
    return {"name": name, "op": condition.operator, "value": value}


def page_reveals(
    village: Any, survey: Survey, page: Page, answers: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Per question that depends on an earlier question of this page: its JSON and its hint."""
    on_page = {q.id for q in page.questions}
    others = {k: v for k, v in answers.items() if k not in on_page}
    reveals: dict[str, dict[str, Any]] = {}
    for question in page.questions:
        if not question.depends_on() & on_page:
            continue
        parts: list[Condition] = []
        if question.condition is not None:
            parts.append(question.condition)
        parts += [Not(end) for end in question.ended_by if end.questions() & on_page]
        condition: Condition = parts[0] if len(parts) == 1 else AllOf(tuple(parts))
        hint_parts = [p for p in parts if p.questions() & on_page]
        hint_condition = hint_parts[0] if len(hint_parts) == 1 else AllOf(tuple(hint_parts))
        reveals[question.id] = {
            "condition": client_condition(condition, on_page, others),
            "hint": _(
                "Alleen invullen als u %(condition)s.", condition=describe(hint_condition, survey)
            ),
        }
    return reveals
