"""The results of a conversation in a survey's PDF report and share bundle.

An organiser links a conversation to one survey (the ``survey`` field of the set, chosen on
the conversation's organiser page). That survey's report then has a chapter per linked
conversation, and its share bundles a section per linked conversation, both made from the
last computed analysis: the same protected numbers as the public results page (a count of 1
to k-1 is hidden, ``null`` in the bundle), never who voted what. Nothing is computed here:
reports and publications are made while someone waits.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup

from vliegwiel.plugin_support import ShareSection, plugin_store
from vliegwiel.report_sections import ReportSection

from . import conversations as conv
from . import results as res

PLUGIN = "stellingen"
#: After the core's chapters (100, 200, ...) and the theme plugins' summaries (600).
ORDER = 700


def _linked(survey: Any) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    store = plugin_store(PLUGIN)
    return [(record, res.cached(store, record)) for record in conv.sets_of_survey(store, survey.id)]


def report_sections(survey: Any, results: Any) -> list[ReportSection]:
    """A chapter per conversation linked to ``survey``: its last computed result."""
    sections = []
    for record, found in _linked(survey):
        shown = found is not None and found["k"] >= results.k
        html = render_template(
            "stellingen/_report_section.html",
            conversation=record,
            result=found["result"] if shown else None,
            computed_at=res.moment(found["computed_at"]) if shown else None,
            k=results.k,
            h=3,
        )
        title = _("Stellingen: %(title)s", title=record["title"])
        sections.append(ReportSection(PLUGIN, title, Markup(html), ORDER))
    return sections


def share_sections(survey: Any, results: Any) -> list[ShareSection]:
    """A bundle section per linked conversation with a computed result, in the public JSON
    shape of ``vliegwiel stellingen results --json`` plus its id, title and moment."""
    return [
        ShareSection(
            plugin=PLUGIN,
            title=record["title"],
            data={
                "id": record["id"],
                "title": record["title"],
                "computed_at": found["computed_at"],
                **found["result"],
            },
        )
        for record, found in _linked(survey)
        # Never less protected than the bundle says (k changed since the analysis).
        if found is not None and found["k"] >= results.k
    ]
