"""Survey commands: list the surveys, export responses, add plugin survey templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask_babel import gettext as _

from vliegwiel.cli.common import (
    get_survey,
    instance_option,
    load_village,
    output_option,
    write_output,
)
from vliegwiel.surveys import xlsform_cli


def register(cli: click.Group) -> None:
    for command in (list_surveys, export, survey):
        cli.add_command(command)


@click.command("surveys")
@instance_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_surveys(instance: Path | None, as_json: bool) -> None:
    """List the instance's surveys with their number of responses."""
    from vliegwiel.surveys.responses import responses_collection
    from vliegwiel.surveys.status import status_of
    from vliegwiel.web.i18n import localise

    village = load_village(instance)
    rows = [
        {
            "id": s.id,
            "title": localise(s.title, "nl"),
            "responses": village.storage.count(responses_collection(s.id)),
            "status": status_of(village.storage, s.id),
            "version": s.version,
            "file": str(village.surveys.path(s.id)),
        }
        for s in village.surveys.all()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    responses = _("antwoorden")
    for row in rows:
        click.echo(
            f"{row['id']:<24} {row['responses']:>6} {responses}  {row['status']:<7} {row['title']}"
        )
    language = village.config.default_language
    for survey in village.surveys.broken():
        click.echo(_("NIET BESCHIKBAAR %(file)s:", file=survey.path), err=True)
        for problem in survey.problems:
            click.echo(f"  {problem.shown(language)}", err=True)


@click.command()
@click.argument("survey_id")
@instance_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "csv-nl", "json", "xlsx", "sav"]),
    default="csv",
    show_default=True,
    help="csv: comma-separated; csv-nl: for a Dutch Excel (';', UTF-8 with BOM, decimal "
    "comma); xlsx: labels instead of codes, with a codes sheet.",
)
@output_option(
    "Write here (CSV: the codebook goes next to it as NAME-codebook.csv; XLSX and SAV need "
    "a file). Default: standard output.",
    required=False,
)
def export(survey_id: str, instance: Path | None, fmt: str, output: Path | None) -> None:
    """Export a survey's responses: CSV (one row per response; csv-nl for a Dutch Excel),
    JSON (full records), XLSX (labels and a codes sheet), or SAV (SPSS, with variable and
    value labels; opt-outs are missing values). CSV and XLSX give times in the village's
    timezone with their offset."""
    from vliegwiel.web.i18n import placeholders_from

    village = load_village(instance)
    # {dorp} and {gemeente} in question texts are filled in as on the pages and the paper form.
    with placeholders_from(village.config):
        _export(village, survey_id, fmt, output)


def _export(village: Any, survey_id: str, fmt: str, output: Path | None) -> None:
    from vliegwiel.surveys.export import export_codebook, export_csv, export_json
    from vliegwiel.surveys.responses import responses_of

    survey = get_survey(village, survey_id)
    responses = responses_of(village, survey.id)
    if fmt == "xlsx":
        from vliegwiel.results.cli import write_xlsx

        write_xlsx(village, survey, responses, output)
        return
    if fmt == "sav":
        write_sav(village, survey, responses, output)
        return
    csv_dialect = fmt in ("csv", "csv-nl")
    text = (
        export_csv(village, survey, responses, fmt)
        if csv_dialect
        else export_json(survey, responses)
    )
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(output, text)
    click.echo(_wrote_responses(len(responses), output), err=True)
    if csv_dialect:
        codebook = output.with_name(f"{output.stem}-codebook.csv")
        write_output(codebook, export_codebook(village, survey, fmt))
        click.echo(_("Het codeboek is geschreven naar %(path)s", path=codebook), err=True)


def _wrote_responses(count: int, output: Path) -> str:
    return _("%(count)s antwoorden geschreven naar %(path)s", count=count, path=output)


def write_sav(village: Any, survey: Any, responses: list, output: Path | None) -> None:
    """``--format sav``: an SPSS file can only go to a file."""
    from vliegwiel.surveys.sav_export import export_sav

    if output is None:
        raise click.ClickException(_("--format sav heeft -o BESTAND.sav nodig"))
    write_output(output, export_sav(village, survey, responses))
    click.echo(_wrote_responses(len(responses), output), err=True)


@click.group()
def survey() -> None:
    """A survey's status (concept, test, open, closed), plugin templates, XLSForms in and out."""


def _describe(survey_id: str, lifecycle, status: str) -> str:
    from vliegwiel.surveys.status import local

    parts = [f"{survey_id}: {status}"]
    if lifecycle.opens_at and status in ("concept", "test"):
        when = f"{local(lifecycle.opens_at):%Y-%m-%d %H:%M %Z}"
        parts.append(_("gaat open op %(when)s", when=when))
    if lifecycle.closes_at and status != "closed":
        when = f"{local(lifecycle.closes_at):%Y-%m-%d %H:%M %Z}"
        parts.append(_("sluit op %(when)s", when=when))
    return ", ".join(parts)


def _moment(value: str | None):
    from vliegwiel.surveys.status import parse_local

    if value is None:
        return None
    try:
        return parse_local(value)
    except ValueError:
        raise click.BadParameter(
            _(
                "'%(value)s' is geen datum; schrijf JJJJ-MM-DD of 'JJJJ-MM-DD UU:MM' "
                "(Nederlandse tijd)",
                value=value,
            ),
            param_hint="--at",
        ) from None


@survey.command("status")
@click.argument("survey_id")
@instance_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def survey_status(survey_id: str, instance: Path | None, as_json: bool) -> None:
    """Show SURVEY's status and its opening and closing moments."""
    from vliegwiel.surveys.responses import responses_collection, trial_responses_collection
    from vliegwiel.surveys.status import lifecycle_of

    village = load_village(instance)
    found = get_survey(village, survey_id)
    lifecycle = lifecycle_of(village.storage, found.id)
    status = lifecycle.status()
    if as_json:
        row = {
            "id": found.id,
            "status": status,
            "phase": lifecycle.phase,
            "opens_at": lifecycle.opens_at.isoformat() if lifecycle.opens_at else None,
            "closes_at": lifecycle.closes_at.isoformat() if lifecycle.closes_at else None,
            "responses": village.storage.count(responses_collection(found.id)),
            "test_responses": village.storage.count(trial_responses_collection(found.id)),
        }
        click.echo(json.dumps(row, indent=2))
        return
    click.echo(_describe(found.id, lifecycle, status))


def _change(survey_id: str, instance: Path | None, status: str) -> None:
    from vliegwiel.surveys.status import set_status

    village = load_village(instance)
    found = get_survey(village, survey_id)
    lifecycle = set_status(village.storage, found.id, status)
    click.echo(_describe(found.id, lifecycle, lifecycle.status()))


def _plan(survey_id: str, instance: Path | None, *, opens_at=None, closes_at=None) -> None:
    """``opens_at``/``closes_at`` are called after the village is loaded, so a bad --at is
    reported in the instance's language."""
    from vliegwiel.surveys.status import lifecycle_of, schedule

    village = load_village(instance)
    opens_at = opens_at() if opens_at is not None else None
    closes_at = closes_at() if closes_at is not None else None
    found = get_survey(village, survey_id)
    current = lifecycle_of(village.storage, found.id)
    lifecycle = schedule(
        village.storage,
        found.id,
        opens_at=opens_at if opens_at is not None else current.opens_at,
        closes_at=closes_at if closes_at is not None else current.closes_at,
    )
    click.echo(_describe(found.id, lifecycle, lifecycle.status()))


def _at_option(verb: str):
    return click.option(
        "--at",
        "at",
        metavar="WHEN",
        help=f"{verb} at this moment instead of now: YYYY-MM-DD or 'YYYY-MM-DD HH:MM', Dutch time.",
    )


@survey.command("open")
@click.argument("survey_id")
@instance_option
@_at_option("Open")
def survey_open(survey_id: str, instance: Path | None, at: str | None) -> None:
    """Open SURVEY for residents now (or at --at)."""
    if at is None:
        _change(survey_id, instance, "open")
    else:
        _plan(survey_id, instance, opens_at=lambda: _moment(at))


@survey.command("close")
@click.argument("survey_id")
@instance_option
@_at_option("Close")
def survey_close(survey_id: str, instance: Path | None, at: str | None) -> None:
    """Close SURVEY now (or at --at); its answers and results stay."""
    if at is None:
        _change(survey_id, instance, "closed")
    else:
        _plan(survey_id, instance, closes_at=lambda: _moment(at))


@survey.command("test")
@click.argument("survey_id")
@instance_option
def survey_test(survey_id: str, instance: Path | None) -> None:
    """Put SURVEY in test: logged-in team members answer it; those answers never count."""
    _change(survey_id, instance, "test")


@survey.command("concept")
@click.argument("survey_id")
@instance_option
def survey_concept(survey_id: str, instance: Path | None) -> None:
    """Make SURVEY a concept again (only while no resident has answered it)."""
    _change(survey_id, instance, "concept")


@survey.command("templates")
@instance_option
def survey_templates(instance: Path | None) -> None:
    """List the survey templates that plugins offer."""
    from vliegwiel.surveys.templates import available_templates

    for template in available_templates(load_village(instance)):
        state = "added" if template.present else ("BROKEN" if template.survey is None else "")
        click.echo(f"{template.name:<24} ({template.plugin}) {state}".rstrip())


@survey.command("add")
@click.argument("template")
@instance_option
def survey_add(template: str, instance: Path | None) -> None:
    """Copy the plugin template TEMPLATE (its file name without .yaml) into surveys/."""
    from vliegwiel.surveys.templates import TemplateError, add_template

    try:
        added = add_template(load_village(instance), template)
    except TemplateError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        _(
            "Enquête '%(id)s' toegevoegd uit %(file)s als concept; bewoners zien hem na "
            "`vliegwiel survey open %(id)s`",
            id=added.survey.id,
            file=added.path.name,
        )
    )


# `vliegwiel survey import` and `vliegwiel survey export --format xlsform`.
xlsform_cli.add_to(survey)


# --- plugins --------------------------------------------------------------------------------
