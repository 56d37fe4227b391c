"""What every command shares: the --instance option, loading the village, looking up a
survey, and writing an output file whole or not at all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vliegwiel.core.config import instance_dir_from
from vliegwiel.core.village import Village, build_village

instance_option = click.option(
    "--instance",
    "instance",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Instance folder (default: $VLIEGWIEL_INSTANCE, else the current folder).",
)


def load_village(instance: Path | None) -> Village:
    return build_village(instance_dir_from(instance))


def get_survey(village: Village, survey_id: str):
    survey = village.surveys.get(survey_id)
    if survey is None:
        known = ", ".join(s.id for s in village.surveys.all()) or "none"
        raise click.ClickException(f"unknown survey '{survey_id}' (known: {known})")
    return survey


def write_output(path: Path, data: str | bytes) -> None:
    """Write a command's output file whole or not at all (a temp file, then a rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    tmp.replace(path)


def output_option(
    help: str = "The file to write.", *, required: bool = True
) -> Callable[[Any], Any]:
    """The ``-o/--output FILE`` option of every command that writes a file."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=required,
        default=None,
        help=help,
    )
