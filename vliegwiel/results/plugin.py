"""Results as a default plugin: results pages and ``vliegwiel report|share|compare``."""

from __future__ import annotations

import click
from flask import Blueprint, Flask

from vliegwiel import hookimpl
from vliegwiel.results import cli as commands
from vliegwiel.results import (
    views,
    views_population,  # noqa: F401  (adds its page to views.bp)
)


@hookimpl
def vliegwiel_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp]


@hookimpl
def vliegwiel_register_commands(cli: click.Group) -> None:
    commands.register(cli)
