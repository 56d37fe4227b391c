"""The instance-wide commands as a default plugin: ``vliegwiel backup|restore`` and
``vliegwiel plugin new`` and ``vliegwiel storage copy|verify``."""

from __future__ import annotations

import click

from vliegwiel import hookimpl
from vliegwiel.cli import backup, scaffold, storage


@hookimpl
def vliegwiel_register_commands(cli: click.Group) -> None:
    backup.register(cli)
    scaffold.register(cli)
    storage.register(cli)
