"""The report's summary page: the clearest findings per theme, from published numbers only.

A theme is a page of the survey (its title). Per theme, the findings are the most chosen
answer of each choice question (and the mean of each number question), strongest first,
at most ``MAX_PER_THEME``. Everything comes from the protected results: a hidden count or
percentage is never a finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vliegwiel.results.tallies import QuestionResult, SurveyResults
from vliegwiel.web.i18n import localise

MAX_PER_THEME = 5
#: Approved texts quoted on the summary page; the rest stay with their question.
MAX_QUOTES = 6


@dataclass(frozen=True)
class Finding:
    question: str
    #: The most chosen answer (None for a number question's mean).
    answer: str | None
    #: A percentage of those who answered, or a mean.
    value: float
    is_percent: bool


@dataclass(frozen=True)
class Theme:
    title: str
    findings: list[Finding]


def key_findings(results: SurveyResults) -> list[Theme]:
    """Per survey page with anything published, its strongest findings."""
    by_id = {r.question.id: r for r in results.questions}
    themes = []
    for number, page in enumerate(results.survey.pages, start=1):
        found = [
            finding
            for question in page.questions
            if (finding := _finding(by_id.get(question.id))) is not None
        ]
        found.sort(key=lambda f: f.value if f.is_percent else 0.0, reverse=True)
        if found:
            title = localise(page.title) if page.title else str(number)
            themes.append(Theme(title, found[:MAX_PER_THEME]))
    return themes


def _finding(result: QuestionResult | None) -> Finding | None:
    if result is None or result.hidden:
        return None
    text = localise(result.question.text)
    if result.tally.kind == "choice":
        rows = [(label, pct) for _key, label, _count, pct in result.rows() if pct is not None]
        if not rows:
            return None
        label, pct = max(rows, key=lambda row: row[1])
        return Finding(text, localise(label), pct, True)
    if result.tally.kind == "number" and result.stats and result.stats.get("mean") is not None:
        return Finding(text, None, float(result.stats["mean"]), False)
    return None


def quotes(results: SurveyResults) -> list[str]:
    """A few approved texts for the summary, taken in turn from each question."""
    lists = [list(r.texts) for r in results.questions if r.texts and not r.hidden]
    picked: list[str] = []
    while lists and len(picked) < MAX_QUOTES:
        for texts in list(lists):
            if texts and len(picked) < MAX_QUOTES:
                picked.append(texts.pop(0))
            if not texts:
                lists.remove(texts)
    return picked


def summary_context(results: SurveyResults) -> dict[str, Any]:
    """What the report's summary page needs besides the methods context."""
    return {"themes": key_findings(results), "quotes": quotes(results)}
