"""Every extension point of vliegwiel, in the order a village meets them.

Plugins implement these with ``from vliegwiel import hookimpl``. Hooks are always called with
keyword arguments; an implementation may accept only the parameters it needs, so adding a
parameter later never breaks an existing plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import random
    from pathlib import Path

    import click
    from flask import Blueprint, Flask

    from vliegwiel.core.hook_records import OrganiserLink, ShareSection
    from vliegwiel.question_types import QuestionType
    from vliegwiel.report_sections import ReportSection
    from vliegwiel.rounds.flywheel import Participation
    from vliegwiel.summaries import Summary
    from vliegwiel.surveys.schema import Survey

hookspec = pluggy.HookspecMarker("vliegwiel")


# --- Start-up: what a plugin adds to the instance --------------------------------------------


@hookspec
def vliegwiel_startup(village: Any) -> None:
    """Set up what the plugin needs in a village that is starting.

    Called once by ``build_village`` for every app and every CLI command that loads an
    instance, after the settings, the storage and the plugins are loaded. ``village`` is the
    :class:`vliegwiel.core.village.Village` being built: ``config`` (the settings),
    ``instance_dir``, ``storage``, ``pm``, ``question_types`` and ``surveys`` (filled in
    by the core's surveys capability, which runs first), and the lists ``answer_guards``
    (callables ``(survey) -> response | None`` run before a resident may answer),
    ``submission_guards`` (context-manager factories ``(survey, extra)`` wrapped around
    saving a response), ``draft_keys`` (callables ``(survey) -> str | None`` that name a
    draft shared across a respondent's devices) and ``participant_resolvers`` (callables
    ``(round) -> str | None`` that say who takes part in a participation round). Returns
    nothing. An exception here stops start-up with its message, so check the plugin's own
    settings here rather than on the first request.
    """


@hookspec
def vliegwiel_register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``vliegwiel`` command.

    Called once when the ``vliegwiel`` command starts, for the core's capabilities and for
    installed plugins (entry points, respecting ``VLIEGWIEL_PLUGINS``); single-file plugins in
    an instance's ``plugins/`` folder cannot add commands, as the command starts before it
    knows the instance. ``cli`` is the click group; add commands or groups with
    ``cli.add_command(...)`` or ``@cli.command()``. Use ``vliegwiel.cli.common``
    (``instance_option``, ``load_village``, ``get_survey``, ``write_output``) so a command
    takes ``--instance`` like every other. Returns nothing. A plugin cannot replace a
    command: a name that is already taken is left as it was, with a warning naming the plugin.
    """


@hookspec
def vliegwiel_question_types() -> list[QuestionType]:
    """Register question types.

    Called once when an app (or a CLI command that loads surveys) starts, before any survey
    is loaded. Takes no parameters. Returns a list of :class:`vliegwiel.question_types.QuestionType`
    instances; each type's ``name`` is the ``type:`` value in survey YAML. Two plugins that
    register the same name stop start-up with an error naming both. The built-in types are
    registered through this same hook by ``vliegwiel.surveys.builtin_questions``.
    """


@hookspec
def vliegwiel_survey_templates() -> list[Path]:
    """Offer survey definition files that organisers can add to their instance.

    Called when the organiser pages or ``vliegwiel survey add`` list the available templates.
    Takes no parameters. Returns a list of paths to YAML survey definitions shipped with the
    plugin (use ``importlib.resources`` or ``Path(__file__).parent``). Each file must pass
    ``vliegwiel check``; a template's survey ``id`` must be unique across plugins.
    """


@hookspec
def vliegwiel_blueprints(app: Flask) -> list[Blueprint]:
    """Add pages of the plugin's own.

    Called once in ``create_app`` after the core blueprints are registered. ``app`` is the
    Flask app being built. Returns a list of Flask blueprints; give each a ``url_prefix`` of
    its own (for example ``/thema/energie``). Resident pages must work without JavaScript.
    """


# --- Responses: per resident ------------------------------------------------------------------


@hookspec
def vliegwiel_response_indicators(survey: Survey, answers: dict[str, Any]) -> dict[str, Any] | None:
    """Derive values from one response, stored with it.

    Called for every response just before it is saved (web, paper and demo data alike).
    ``survey`` is the :class:`vliegwiel.surveys.schema.Survey`; ``answers`` maps question id to
    the stored answer (see docs/surveys.md for the form of each type). Returns ``None`` when the
    survey is not the plugin's concern, else a dict of JSON-serialisable values whose keys are
    namespaced ``"<plugin>.<name>"`` (for example ``"energie.kwh_per_year"``). The core merges
    all dicts into the response's ``indicators``. An exception is logged and shown to
    organisers; the response is saved without that plugin's indicators.
    """


@hookspec
def vliegwiel_response_saved(survey: Survey, response: dict[str, Any]) -> None:
    """React to a response after it has been durably saved.

    Called after the storage write returned, once per response. ``response`` is the stored
    record (see docs/architecture.md). Returns nothing. An exception is logged and shown to
    organisers; it never undoes the save or reaches the resident.
    """


@hookspec
def vliegwiel_sample_answers(survey: Survey, rng: random.Random) -> dict[str, Any] | None:
    """Give believable answers for demo data to the questions the plugin knows best.

    Called by ``vliegwiel demo`` once per generated response, before the generic generator
    answers the rest. ``rng`` is the demo's seeded ``random.Random``: draw only from it, so
    the demo is the same on every run. Returns question id -> answer (in the stored form of
    its type) for the survey's questions the plugin can answer as real respondents would (a
    theme's scale with its known distribution), or ``None`` when the survey is not its
    concern. Answers go through the normal checks; an invalid one drops the response.
    """


# --- Results: over all responses --------------------------------------------------------------


@hookspec
def vliegwiel_survey_summary(
    survey: Survey, responses: list[dict[str, Any]], k: int
) -> Summary | None:
    """Give theme-level findings over all responses of a survey.

    Called when results pages, PDF reports and share bundles are built. ``responses`` are the
    stored records (with their ``indicators``); ``k`` is the instance's small-group threshold:
    a finding over fewer than ``k`` respondents must be hidden (``vliegwiel.suppression`` helps).
    Returns a :class:`vliegwiel.summaries.Summary` or ``None`` when the survey is not the
    plugin's concern. Organiser results pages keep their results until the survey's
    responses (or moderation, rounds, population figures) change: work from ``responses``
    only. Whether a survey is your concern must depend on ``survey`` alone: results pages
    first call this hook with no responses, and when every plugin returns ``None`` then,
    they add up counts per storage bucket instead of passing every response
    (docs/performance.md).
    """


@hookspec
def vliegwiel_report_sections(survey: Survey, results: Any) -> list[ReportSection]:
    """Add sections to results pages and PDF reports.

    Called when a results page or a PDF report is rendered. ``results`` is the
    :class:`vliegwiel.results.tallies.SurveyResults` (tallies already suppressed, plugin summaries
    included). Returns a list of :class:`vliegwiel.report_sections.ReportSection`; their HTML
    must escape anything that came from residents (use ``markupsafe.escape``); it is inserted
    into both the page and the PDF, which fetches no external URL.
    """


@hookspec
def vliegwiel_share_sections(survey: Survey, results: Any) -> list[ShareSection]:
    """Add a part of the plugin's own to a survey's share bundle.

    Called when a bundle is made: when a survey's results are published (the bundle is
    stored with the publication, so it never changes afterwards) and when the organiser's
    comparison page puts this village beside others. ``results`` is the
    :class:`vliegwiel.results.tallies.SurveyResults` of the bundle (``k`` is its small-group
    threshold). Runs in an app context, never in a resident's request. Returns a list of
    :class:`vliegwiel.plugin_support.ShareSection` (plugin, title, data) or ``None``; ``data``
    is a JSON object holding only what the plugin's public pages show, protected the same way
    (a hidden count is ``None``), never a list of people. It lands in the bundle's
    ``summaries.json`` under ``sections``. An exception is logged and shown to organisers;
    the bundle is made without that plugin's section.
    """


@hookspec
def vliegwiel_organiser_links() -> list[OrganiserLink]:
    """Add links to the organiser menu (the navigation of every ``/beheer`` page).

    Called each time an organiser page is rendered, in that request, for a logged-in team
    member. Takes no parameters. Returns a list of
    :class:`vliegwiel.plugin_support.OrganiserLink` (label, url, role): the links are shown
    after the core's own, each only to accounts with its ``role``. An exception is logged
    and shown to organisers; the menu is shown without that plugin's links.
    """


@hookspec
def vliegwiel_flywheel_participation(village: Any) -> list[Participation]:
    """Count participation that happens outside rounds and surveys, for the flywheel page.

    Called when the public flywheel page (``/vliegwiel``) is shown, in an anonymous request:
    count, never analyse. ``village`` is the :class:`vliegwiel.core.village.Village`. Returns a
    list of :class:`vliegwiel.plugin_support.Participation` (title, url, start, participants:
    the true number of people); the core hides a count of 1 to k-1 and shows the rows, oldest
    first, beside the rounds. An exception is logged and shown to organisers; the page still
    shows the rounds.
    """
