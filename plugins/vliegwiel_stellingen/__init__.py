"""vliegwiel_stellingen: statements residents agree or disagree with (Polis-style).

A whole participation method as a plugin: organisers seed statements, residents vote
agree / disagree / pass one statement at a time and suggest statements of their own; the
results show consensus and divisive statements, and opinion groups only when they are real.
Commands: ``vliegwiel stellingen new|votes|results``. A conversation linked to a survey is a
chapter of its PDF report and a section of its share bundles. Remove the package and vliegwiel
runs on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from vliegwiel import hookimpl
from vliegwiel.plugin_support import OrganiserLink, Participation, PluginStore, ShareSection
from vliegwiel.report_sections import ReportSection

from . import conversations as conv
from . import sections
from .commands import stellingen
from .views import admin, public

PLUGIN = "stellingen"


@hookimpl
def vliegwiel_blueprints(app: Any) -> list:
    return [public, admin]


@hookimpl
def vliegwiel_register_commands(cli: Any) -> None:
    cli.add_command(stellingen)


@hookimpl
def vliegwiel_flywheel_participation(village: Any) -> list[Participation]:
    """Every conversation that residents can see, with its number of participants."""
    store = PluginStore(village.storage, PLUGIN)
    return [
        Participation(
            title=_("Stellingen: %(title)s", title=record["title"]),
            url=url_for("stellingen.results_page", set_id=record["id"]),
            start=datetime.fromisoformat(record["created_at"]),
            # One votes record per participant: counting them is cheap enough for the page.
            participants=store.count(f"{record['id']}/votes"),
        )
        for record in conv.all_sets(store)
    ]


@hookimpl
def vliegwiel_organiser_links() -> list[OrganiserLink]:
    return [OrganiserLink(_("Stellingen"), url_for("stellingen_beheer.admin_index"))]


@hookimpl
def vliegwiel_report_sections(survey: Any, results: Any) -> list[ReportSection]:
    return sections.report_sections(survey, results)


@hookimpl
def vliegwiel_share_sections(survey: Any, results: Any) -> list[ShareSection]:
    return sections.share_sections(survey, results)
