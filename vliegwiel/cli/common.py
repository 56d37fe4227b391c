"""What every command shares: the --instance option, loading the village, looking up a
survey, and writing an output file whole or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask_babel import Babel
from flask_babel import gettext as _

from vliegwiel.core.config import instance_dir_from
from vliegwiel.core.resources import translations_dir
from vliegwiel.core.village import Village, build_village

instance_option = click.option(
    "--instance",
    "instance",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Instance folder (default: $VLIEGWIEL_INSTANCE, else the current folder).",
)


def load_village(instance: Path | None) -> Village:
    village = build_village(instance_dir_from(instance))
    use_language(village.config.default_language)
    return village


def use_language(language: str) -> None:
    """Messages through Flask-Babel in ``language`` until the running command ends.

    The errors an organiser reads (``gettext`` with a Dutch msgid) then come out in the
    instance's first language: Dutch for a Dutch village, English for ``languages = ["en",
    ...]``. ``--help`` stays English. A small Flask app carries only the translations; it is
    pushed once per command and popped when click closes the command's context.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is None or LANGUAGE_KEY in ctx.meta:
        return
    app_context = _translations_app(language).app_context()
    app_context.push()
    # meta is shared by the whole command line, so the group still knows the language when
    # it prints the error ("Fout: ...") after this command's context has closed.
    ctx.meta[LANGUAGE_KEY] = language
    ctx.call_on_close(app_context.pop)


#: Where use_language keeps the command's language in click's shared ``Context.meta``.
LANGUAGE_KEY = "vliegwiel.language"


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Messages through Flask-Babel in ``language`` inside the ``with`` block."""
    with _translations_app(language).app_context():
        yield


def _translations_app(language: str) -> Flask:
    app = Flask("vliegwiel.cli")
    app.config["BABEL_DEFAULT_LOCALE"] = language
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations_dir())
    Babel(app)
    return app


class CommandError(click.ClickException):
    """A command's error with the "Error:" prefix in the instance's language ("Fout:")."""

    def __init__(self, message: str, prefix: str) -> None:
        super().__init__(message)
        self.prefix = prefix

    def show(self, file: Any = None) -> None:
        click.echo(f"{self.prefix}: {self.format_message()}", file=file, err=file is None)


def get_survey(village: Village, survey_id: str):
    survey = village.surveys.get(survey_id)
    if survey is None:
        known = ", ".join(s.id for s in village.surveys.all()) or "-"
        raise click.ClickException(
            _("onbekende enquête '%(id)s' (bekend: %(known)s)", id=survey_id, known=known)
        )
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
