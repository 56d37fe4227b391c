"""Participation rounds as a default plugin: the public and organiser round pages, round
codes, and ``vliegwiel round``."""

from __future__ import annotations

import click
from flask import Blueprint, Flask

from vliegwiel import hookimpl
from vliegwiel.core.village import Village

# Each organiser view module adds its routes to admin_base.bp when imported.
from vliegwiel.rounds import (  # noqa: F401
    admin_base,
    views_admin,
    views_admin_data,
    views_admin_meetings,
    views_codes,
    views_public,
)
from vliegwiel.rounds import cli as commands


@hookimpl
def vliegwiel_startup(village: Village) -> None:
    # In rounds that need invitation codes, the household behind the code is the participant.
    village.participant_resolvers.append(views_codes.household_of)


@hookimpl
def vliegwiel_blueprints(app: Flask) -> list[Blueprint]:
    return [views_public.bp, admin_base.bp, views_codes.bp]


@hookimpl
def vliegwiel_register_commands(cli: click.Group) -> None:
    commands.register(cli)
