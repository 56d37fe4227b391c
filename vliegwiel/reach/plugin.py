"""Reach as a default plugin: invitation codes guard code surveys, the submission limit
guards every survey, the code and data-entry pages, and ``vliegwiel codes|paper``."""

from __future__ import annotations

import click
from flask import Blueprint, Flask

from vliegwiel import hookimpl
from vliegwiel.core.village import Village
from vliegwiel.reach import cli as commands
from vliegwiel.reach import rate_limits, views


@hookimpl
def vliegwiel_startup(village: Village) -> None:
    village.answer_guards.append(views.require_code)
    village.submission_guards.append(views.use_session_code)
    village.submission_guards.append(rate_limits.survey_guard)
    village.draft_keys.append(views.linked_draft)


@hookimpl
def vliegwiel_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp, rate_limits.bp]


@hookimpl
def vliegwiel_register_commands(cli: click.Group) -> None:
    commands.register(cli)
