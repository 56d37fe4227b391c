"""vliegwiel_stellingen: statements residents agree or disagree with (Polis-style).

A whole participation method as a plugin: organisers seed statements, residents vote
agree / disagree / pass one statement at a time and suggest statements of their own; the
results show consensus and divisive statements, and opinion groups only when they are real.
Commands: ``vliegwiel stellingen new|votes|results``. Remove the package and vliegwiel runs on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from vliegwiel import hookimpl
from vliegwiel.plugin_support import Participation, PluginStore

from . import conversations as conv
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
