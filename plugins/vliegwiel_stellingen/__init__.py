"""vliegwiel_stellingen: statements residents agree or disagree with (Polis-style).

A whole participation method as a plugin: organisers seed statements, residents vote
agree / disagree / pass one statement at a time and suggest statements of their own; the
results show consensus and divisive statements, and opinion groups only when they are real.
Commands: ``vliegwiel stellingen new|votes|results``. Remove the package and vliegwiel runs on.
"""

from __future__ import annotations

from typing import Any

from vliegwiel import hookimpl

from .commands import stellingen
from .views import admin, public

PLUGIN = "stellingen"


@hookimpl
def vliegwiel_blueprints(app: Any) -> list:
    return [public, admin]


@hookimpl
def vliegwiel_register_commands(cli: Any) -> None:
    cli.add_command(stellingen)
