"""The printable survey: every question with boxes to tick and lines to write, as a PDF.

For residents who do not answer online. Questions are numbered across the whole survey and
conditional questions say which earlier question they follow from, because paper cannot hide
them. Each question type draws itself through ``QuestionType.paper_html``.
"""

from __future__ import annotations

from flask import render_template

from vliegwiel.core.pdf import render_pdf
from vliegwiel.core.resources import static_dir
from vliegwiel.core.village import Village
from vliegwiel.surveys.schema import Survey


def paper_html(village: Village, survey: Survey, *, village_name: str) -> str:
    """The form as one HTML document (needs an app context for templates and gettext)."""
    numbers: dict[str, int] = {}
    pages = []
    for page in survey.pages:
        items = []
        for question in page.questions:
            numbers[question.id] = len(numbers) + 1
            refs = sorted(question.condition.questions()) if question.condition else []
            follows = ", ".join(str(numbers[r]) for r in refs if r in numbers)
            html = village.question_types[question.type].paper_html(
                question, number=numbers[question.id], follows=follows
            )
            items.append({"question": question, "html": html})
        pages.append({"page": page, "questions": items})
    return render_template(
        "print/paper.html", survey=survey, pages=pages, village_name=village_name
    )


def paper_pdf(village: Village, survey: Survey, *, village_name: str) -> bytes:
    html = paper_html(village, survey, village_name=village_name)
    return render_pdf(html, static_dir=static_dir())
