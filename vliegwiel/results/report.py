"""The PDF report for the village meeting: HTML from templates/report/, rendered by pdf.py.

The HTML is assembled in this process (it needs the Flask app for templates and
translations); the WeasyPrint render runs in a child process with a time limit
(``vliegwiel.core.pdf.render_pdf``), so a heavy report never blocks the server's other requests
and never runs longer than ``REPORT_TIMEOUT``. Everything in the report is already
protected: it is built from ``compute_results`` and approved texts only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _

from vliegwiel.core.pdf import render_pdf
from vliegwiel.core.resources import static_dir
from vliegwiel.core.village import Village
from vliegwiel.results.findings import summary_context
from vliegwiel.results.report_sections import ReportSection
from vliegwiel.results.tallies import SurveyResults, compute_results
from vliegwiel.results.trends import compute_trends
from vliegwiel.surveys.schema import Survey

#: Seconds a report render may take before it is stopped.
REPORT_TIMEOUT = 120.0


def plugin_sections(
    village: Village, survey: Survey, results: SurveyResults
) -> list[ReportSection]:
    """The report sections of every plugin, in their ``order``."""
    sections = [
        section
        for _plugin, found in village.call_hook(
            "vliegwiel_report_sections", survey=survey, results=results
        )
        for section in (found or [])
        if isinstance(section, ReportSection)
    ]
    return sorted(sections, key=lambda s: s.order)


def response_rate(results: SurveyResults, households: int | None) -> float | None:
    """Responses as a percentage of the village's households, when both may be shown."""
    shown = results.respondents_shown
    if not households or shown is None:
        return None
    return round(100.0 * shown / households, 1)


def methods_context(village: Village, results: SurveyResults) -> dict[str, Any]:
    """What the methods note (templates/results/_methods.html) needs."""
    households = village.config.households
    return {
        "households": households,
        "rate": response_rate(results, households),
        "first": _date(results.first_response),
        "last": _date(results.last_response),
    }


def report_html(
    village: Village,
    survey: Survey,
    *,
    wave: str | None = None,
    responses: list[dict[str, Any]] | None = None,
    step: int | None = None,
) -> str:
    """The report as HTML. Needs a Flask app (request) context.

    ``responses`` (of round ``wave``) and ``step`` limit what a reader who is no beheerder
    sees (``vliegwiel.results.suppression.stepped``); by default every response counts.
    """
    results = compute_results(village, survey, responses, wave=wave, with_texts=True)
    return report_html_of(village, survey, results, step=step)


def report_html_of(
    village: Village, survey: Survey, results: SurveyResults, *, step: int | None = None
) -> str:
    """The report of results computed already (a publication computes them once)."""
    return render_template(
        "report/report.html",
        survey=survey,
        results=results,
        sections=plugin_sections(village, survey, results),
        trends=compute_trends(village, survey, step=step),
        **summary_context(results),
        **methods_context(village, results),
        made=format_date(date.today(), "long"),
    )


def render_report(
    village: Village,
    survey: Survey,
    *,
    wave: str | None = None,
    responses: list[dict[str, Any]] | None = None,
    step: int | None = None,
    timeout: float = REPORT_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """The report as PDF bytes. Raises ``vliegwiel.core.pdf.PdfRenderError`` on a time-out."""
    html = report_html(village, survey, wave=wave, responses=responses, step=step)
    if progress:
        progress(_("Rapport opgemaakt"))
    return render_pdf(html, static_dir=static_dir(), timeout=timeout, progress=progress)


def _date(iso: str | None) -> str | None:
    if not iso:
        return None
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_date(moment, "long")
