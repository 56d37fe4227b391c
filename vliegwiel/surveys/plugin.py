"""The surveys capability as a default plugin: question types and the survey registry at
start-up, the resident and organiser survey pages, and the survey commands."""

from __future__ import annotations

import click
import pluggy
from flask import Blueprint, Flask

from vliegwiel import hookimpl
from vliegwiel.core.plugins import PluginError, call_implementation
from vliegwiel.core.village import Village
from vliegwiel.surveys import cli as commands
from vliegwiel.surveys import views_organiser, views_resident, views_templates
from vliegwiel.surveys.loader import SurveyRegistry
from vliegwiel.surveys.question_types import QuestionType


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


def collect_question_types(pm: pluggy.PluginManager) -> dict[str, QuestionType]:
    """Every question type by name; two plugins claiming one name is a start-up error."""
    types: dict[str, QuestionType] = {}
    owners: dict[str, str] = {}
    # Call each implementation separately so a clash can name both plugins.
    for impl in reversed(pm.hook.vliegwiel_question_types.get_hookimpls()):
        owner = impl.plugin_name
        for qtype in call_implementation(impl, "vliegwiel_question_types", {}) or []:
            if not isinstance(qtype, QuestionType) or not qtype.name:
                raise PluginError(f"plugin '{owner}' returned {qtype!r}, not a named QuestionType")
            if qtype.name in types:
                raise PluginError(
                    f"question type '{qtype.name}' is registered by both "
                    f"'{owners[qtype.name]}' and '{owner}'"
                )
            types[qtype.name] = qtype
            owners[qtype.name] = owner
    return types
