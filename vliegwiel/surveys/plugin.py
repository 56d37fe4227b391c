"""The surveys capability as a default plugin: question types and the survey registry at
start-up, the resident and organiser survey pages, and the survey commands."""

from __future__ import annotations

import click
from flask import Blueprint, Flask

from vliegwiel import hookimpl
from vliegwiel.core.village import Village
from vliegwiel.surveys import cli as commands
from vliegwiel.surveys import views_organiser, views_resident, views_templates
from vliegwiel.surveys.loader import SurveyRegistry, collect_question_types


@hookimpl(tryfirst=True)
def vliegwiel_startup(village: Village) -> None:
    # First, because every other capability reads surveys.
    village.question_types = collect_question_types(village.pm)
    village.surveys = SurveyRegistry(village.instance_dir / "surveys", village.question_types)


@hookimpl
def vliegwiel_blueprints(app: Flask) -> list[Blueprint]:
    return [views_resident.bp, views_organiser.bp, views_templates.bp]


@hookimpl
def vliegwiel_register_commands(cli: click.Group) -> None:
    commands.register(cli)
