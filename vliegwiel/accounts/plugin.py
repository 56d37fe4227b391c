"""Organiser accounts as a default plugin: the login pages and ``vliegwiel user``."""

from __future__ import annotations

import click
from flask import Blueprint, Flask

from vliegwiel import hookimpl
from vliegwiel.accounts import cli as commands
from vliegwiel.accounts import views


@hookimpl
def vliegwiel_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp]


@hookimpl
def vliegwiel_register_commands(cli: click.Group) -> None:
    commands.register(cli)
