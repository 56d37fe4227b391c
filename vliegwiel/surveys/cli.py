"""Survey commands: list the surveys, export responses, add plugin survey templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

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
    broken = [
        {"file": str(b.path), "problems": [str(p) for p in b.problems]}
        for b in village.surveys.broken()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['id']:<24} {row['responses']:>6} responses  {row['status']:<7} {row['title']}"
        )
    for item in broken:
        click.echo(f"UNAVAILABLE {item['file']}:", err=True)
        for problem in item["problems"]:
            click.echo(f"  {problem}", err=True)


@click.command()
@click.argument("survey_id")
@instance_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "xlsx", "sav"]),
    default="csv",
    show_default=True,
)
@output_option(
    "Write here (CSV: the codebook goes next to it as NAME-codebook.csv; XLSX and SAV need "
    "a file). Default: standard output.",
    required=False,
)
def export(survey_id: str, instance: Path | None, fmt: str, output: Path | None) -> None:
    """Export a survey's responses: CSV (one row per response), JSON (full records), XLSX,
    or SAV (SPSS, with variable and value labels; opt-outs are missing values)."""
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
    text = (
        export_csv(village, survey, responses) if fmt == "csv" else export_json(survey, responses)
    )
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(output, text)
    click.echo(f"Wrote {len(responses)} responses to {output}", err=True)
    if fmt == "csv":
        codebook = output.with_name(f"{output.stem}-codebook.csv")
        write_output(codebook, export_codebook(village, survey))
        click.echo(f"Wrote the codebook to {codebook}", err=True)


def write_sav(village: Any, survey: Any, responses: list, output: Path | None) -> None:
    """``--format sav``: an SPSS file can only go to a file."""
    from vliegwiel.surveys.sav_export import export_sav

    if output is None:
        raise click.ClickException("--format sav needs -o FILE.sav")
    write_output(output, export_sav(village, survey, responses))
    click.echo(f"Wrote {len(responses)} responses to {output}", err=True)


@click.group()
def survey() -> None:
    """Survey templates offered by plugins; XLSForms in and out."""


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
    click.echo(f"Added survey '{added.survey.id}' from {added.path.name}")


# `vliegwiel survey import` and `vliegwiel survey export --format xlsform`.
xlsform_cli.add_to(survey)


# --- plugins --------------------------------------------------------------------------------
