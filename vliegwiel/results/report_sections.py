"""A block of HTML that a plugin adds to results pages and PDF reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from vliegwiel.results.summaries import Summary


@dataclass(frozen=True)
class ReportSection:
    """A titled section. ``html`` is trusted plugin markup: escape resident text inside it."""

    plugin: str
    title: str
    html: Markup
    #: Sections are shown in ascending order; core sections use 100, 200, ...
    order: int = 500


def summary_section(results: Any, plugin: str, *, order: int = 600) -> list[ReportSection]:
    """The plugin's own summary in ``results`` as a section: one escaped table.

    Returns an empty list when the plugin gave no summary for these results, so a
    ``vliegwiel_report_sections`` implementation can return it as it is. Hidden values
    read "verborgen".
    """
    summary = next((s for s in results.summaries if s.plugin == plugin), None)
    if summary is None:
        return []
    return [ReportSection(plugin, summary.title, summary_table(summary), order)]


def summary_table(summary: Summary) -> Markup:
    rows = Markup("").join(
        Markup('<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>').format(
            f.label, f.value if f.value is not None else _("verborgen"), f.note
        )
        for f in summary.findings
    )
    return Markup(
        '<table class="plugin-summary"><thead><tr><th scope="col">{}</th><th scope="col">{}'
        '</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table><p>{}</p>'
    ).format(_("Uitkomst"), _("Waarde"), _("Toelichting"), rows, summary.note)
