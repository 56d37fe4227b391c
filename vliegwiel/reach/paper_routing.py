"""Routing on the paper form, printed where a paper questionnaire prints it.

"Nee → ga naar vraag 12" next to the answer that skips questions, "→ einde vragenlijst"
next to the answer that ends the survey, "Alleen invullen als u bij vraag 3 „ja” koos"
above a question that only some residents answer, and grids narrow enough for A4 portrait.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from vliegwiel.surveys.question_types import QuestionType
from vliegwiel.surveys.schema import Question, Survey
from vliegwiel.web.i18n import localise

#: A4 portrait less the print margins (print.css: 20 mm left and right).
TEXT_WIDTH_MM = 170.0
#: The statement column of a grid: wide enough for a sentence on two or three lines.
STATEMENT_WIDTH_MM = 62.0
#: An average character of DejaVu Sans at 12 pt, plus the cell padding.
CHAR_MM = 2.4
CELL_PADDING_MM = 3.0


def option_routes(survey: Survey, question: Question, qtype: QuestionType) -> dict[str, str]:
    """For each answer of a one-answer question that skips ahead: the routing text."""
    if qtype.statements(question) or getattr(qtype, "multiple", False):
        return {}
    values = qtype.condition_values(question)
    if not values:
        return {}
    order = [q for q in survey.questions()]
    position = next(i for i, q in enumerate(order) if q.id == question.id)
    later = order[position + 1 :]
    if not later:
        return {}
    unknown = {q.id for q in order} - {question.id}
    routes: dict[str, str] = {}
    for value in values:
        answers = {question.id: value}
        target = next((q for q in later if q.could_be_visible(answers, unknown) is not False), None)
        if target is None:
            routes[value] = _("einde vragenlijst")
        elif target is not later[0]:
            routes[value] = _("ga naar vraag %(n)s", n=survey.number(target.id))
    return routes


def grid_layout(question: Question) -> dict[str, Any]:
    """Whether a grid's answer headers become numbers with a legend.

    A header fits when its longest word fits its column (print.css: the statement column is
    62 mm, the answer columns share the rest); otherwise the columns are headed 1, 2, 3 ...
    (14 mm each) and a legend above the grid says what each number means, so a grid of six
    answers ("zeer tevreden" ... "weet niet / geen mening") stays inside the page.
    """
    options = question.settings.options
    width = (TEXT_WIDTH_MM - STATEMENT_WIDTH_MM) / len(options)
    fits = int((width - CELL_PADDING_MM) / CHAR_MM)
    labels = [localise(o.label, "nl") for o in options]
    too_long = any(len(word) > fits for label in labels for word in label.split())
    # More than three lines in a header makes a tall, hard to read row: use a legend too.
    too_tall = any(len(label) > fits * 3 for label in labels)
    return {"legend": too_long or too_tall}
