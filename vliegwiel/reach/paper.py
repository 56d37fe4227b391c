"""The printable survey: every question with boxes to tick and lines to write, as a PDF.

For residents who do not answer online. Questions are numbered across the whole survey and
conditional questions say which earlier question they follow from, because paper cannot hide
them. Required questions carry a "*" explained at the top; the household code boxes appear
only for ``access: code`` surveys (an open survey asks for no code). Each question type draws
itself through ``QuestionType.paper_html``.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _

from vliegwiel.core.pdf import render_pdf
from vliegwiel.core.resources import static_dir
from vliegwiel.core.village import Village
from vliegwiel.reach.paper_routing import grid_layout, option_routes
from vliegwiel.surveys.reveal import describe
from vliegwiel.surveys.schema import Survey


def paper_html(village: Village, survey: Survey, *, village_name: str) -> str:
    """The form as one HTML document (needs an app context for templates and gettext)."""
    pages = []
    for page in survey.pages:
        items = []
        for question in page.questions:
            qtype = village.question_types[question.type]
            context: dict[str, Any] = {"number": survey.number(question.id)}
            if not question.is_note:
                context["follows"] = (
                    _(
                        "Alleen invullen als u %(condition)s.",
                        condition=describe(question.condition, survey, "nl"),
                    )
                    if question.condition is not None
                    else ""
                )
                context["routes"] = option_routes(survey, question, qtype)
                if qtype.statements(question):
                    context["grid"] = grid_layout(question)
            items.append({"question": question, "html": qtype.paper_html(question, **context)})
        pages.append({"page": page, "questions": items})
    # The legend for the "*" of required questions is printed only when one is marked.
    any_required = any(q.required and not q.is_note for q in survey.questions())
    return render_template(
        "print/paper.html",
        survey=survey,
        pages=pages,
        village_name=village_name,
        any_required=any_required,
    )


def paper_pdf(village: Village, survey: Survey, *, village_name: str) -> bytes:
    html = paper_html(village, survey, village_name=village_name)
    return render_pdf(html, static_dir=static_dir())
