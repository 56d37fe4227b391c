"""The ``vliegwiel`` command. Area modules add their own sub-commands (COMMAND_MODULES)."""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from vliegwiel.config import ConfigError, instance_dir_from
from vliegwiel.storage import StorageError

#: Modules with a ``register(main)`` function that adds their commands to the group.
COMMAND_MODULES: tuple[str, ...] = (
    "vliegwiel.scaffold",
    "vliegwiel.cli_access",
    "vliegwiel.cli_results",
    "vliegwiel.cli_rounds",
    "vliegwiel.backup_cli",
)

instance_option = click.option(
    "--instance",
    "instance",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Instance folder (default: $VLIEGWIEL_INSTANCE, else the current folder).",
)


class VliegwielGroup(click.Group):
    """Turns expected failures into one clear line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from vliegwiel.accounts import AccountError
        from vliegwiel.instance import InstanceError
        from vliegwiel.plugins import PluginError

        try:
            return super().invoke(ctx)
        except (ConfigError, StorageError, PluginError, InstanceError, AccountError) as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=VliegwielGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vliegwiel")
def main() -> None:
    """vliegwiel: surveys and participation rounds for small villages.

    Start with 'vliegwiel demo' to look around, or 'vliegwiel init DIR' to create your
    village's own instance, then 'vliegwiel serve --instance DIR'.
    """


def load_village(instance: Path | None):
    from vliegwiel.app import build_village

    return build_village(instance_dir_from(instance))


def get_survey(village, survey_id: str):
    survey = village.surveys.get(survey_id)
    if survey is None:
        known = ", ".join(s.id for s in village.surveys.all()) or "none"
        raise click.ClickException(f"unknown survey '{survey_id}' (known: {known})")
    return survey


# --- instance -------------------------------------------------------------------------------


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help='The village name, e.g. --name "Achterveld".')
@click.option("--admin", default="beheerder", show_default=True, help="First organiser's username.")
@click.option("--no-examples", is_flag=True, help="Do not copy the example surveys.")
def init(directory: Path, name: str | None, admin: str, no_examples: bool) -> None:
    """Create a village instance in DIRECTORY.

    Writes vliegwiel.toml (with a fresh secret key), data/, surveys/ (the example
    surveys), plugins/ and backups/, and creates the first beheerder account, whose
    one-time password is printed once.
    """
    from vliegwiel.accounts import add_user
    from vliegwiel.app import build_village
    from vliegwiel.instance import init_instance

    village_name = name or Path(directory).resolve().name.replace("-", " ").title()
    path = init_instance(directory, village_name, with_examples=not no_examples)
    village = build_village(path)
    user, password = add_user(village.storage, admin, "beheerder")
    click.echo(f"Created the instance of {village_name} in {path}")
    click.echo(f"Organiser account: {user.username}")
    click.echo(f"One-time password: {password}   (change it with 'vliegwiel user passwd')")
    click.echo(f"Start it with:     vliegwiel serve --instance {path}")


@main.command()
@instance_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(instance: Path | None, host: str, port: int, threads: int) -> None:
    """Serve the instance with waitress (use --host 0.0.0.0 to reach it from other devices)."""
    from vliegwiel.app import create_app

    app = create_app(instance_dir_from(instance))
    _serve(app, host, port, threads)


def _serve(app, host: str, port: int, threads: int) -> None:
    import waitress

    click.echo(f"{app.config['VILLAGE_NAME']}: http://{host}:{port}/  (organisers: /beheer)")
    click.echo("Press Ctrl+C to stop.")
    waitress.serve(app, host=host, port=port, threads=threads, ident="vliegwiel")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--responses",
    default=200,
    show_default=True,
    type=click.IntRange(0, 20000),
    help="Sample responses per survey.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the demo instance here instead of a throwaway folder.",
)
@click.option("--no-serve", is_flag=True, help="Create the demo instance and stop.")
def demo(host: str, port: int, responses: int, directory: Path | None, no_serve: bool) -> None:
    """Start a demo village (Achterveld) with example surveys and sample answers."""
    from vliegwiel.accounts import add_user
    from vliegwiel.app import build_village, create_app
    from vliegwiel.demo import add_sample_responses, add_sample_round
    from vliegwiel.instance import init_instance
    from vliegwiel.survey_templates import add_template, available_templates

    throwaway = directory is None
    path = Path(tempfile.mkdtemp(prefix="vliegwiel-demo-")) if throwaway else directory
    try:
        init_instance(path, "Achterveld")
        village = build_village(path)
        _, password = add_user(village.storage, "demo", "beheerder", "demo-wachtwoord")
        for template in available_templates(village):
            add_template(village, template.name)
        village = build_village(path)
        surveys = village.surveys.all()
        with click.progressbar(
            length=responses * len(surveys), label="Generating sample answers"
        ) as bar:
            for survey in surveys:
                add_sample_responses(village, survey, responses, progress=bar.update)
        add_sample_round(village)
        click.echo(f"Demo instance: {path}")
        click.echo(f"Organiser login: demo / {password}")
        if not no_serve:
            _serve(create_app(path), host, port, 8)
    finally:
        if throwaway and not no_serve:
            shutil.rmtree(path, ignore_errors=True)


# --- surveys --------------------------------------------------------------------------------


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@instance_option
def check(files: tuple[Path, ...], instance: Path | None) -> None:
    """Check survey files; print every problem as FILE:LINE: message and exit 1 if any.

    Question types come from the installed plugins (and the instance's plugins/ folder
    when --instance or the current folder is an instance).
    """
    from vliegwiel.config import CONFIG_NAME
    from vliegwiel.plugins import collect_question_types, create_plugin_manager
    from vliegwiel.survey_loader import SurveyError, load_survey_file

    instance_dir = instance_dir_from(instance)
    plugins_dir = instance_dir / "plugins" if (instance_dir / CONFIG_NAME).exists() else None
    question_types = collect_question_types(create_plugin_manager(plugins_dir))
    failed = 0
    for path in files:
        try:
            survey = load_survey_file(path, question_types)
        except SurveyError as error:
            failed += 1
            for problem in error.problems:
                click.echo(str(problem))
            continue
        questions = sum(1 for _ in survey.questions())
        click.echo(
            f"{path}: ok ({survey.id}, {len(survey.pages)} pages, {questions} questions)", err=True
        )
    if failed:
        sys.exit(1)


@main.command("surveys")
@instance_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_surveys(instance: Path | None, as_json: bool) -> None:
    """List the instance's surveys with their number of responses."""
    from vliegwiel.i18n import localise
    from vliegwiel.responses import responses_collection
    from vliegwiel.survey_status import status_of

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


@main.command()
@click.argument("survey_id")
@instance_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "xlsx", "sav"]),
    default="csv",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here (CSV: the codebook goes next to it as NAME-codebook.csv). "
    "Default: standard output.",
)
def export(survey_id: str, instance: Path | None, fmt: str, output: Path | None) -> None:
    """Export a survey's responses: CSV (one row per response), JSON (full records), XLSX,
    or SAV (SPSS, with variable and value labels; opt-outs are missing values)."""
    from vliegwiel.i18n import placeholders_from

    village = load_village(instance)
    with placeholders_from(village.config):
        _export(village, survey_id, fmt, output)


def _export(village: Any, survey_id: str, fmt: str, output: Path | None) -> None:
    from vliegwiel.export import export_codebook, export_csv, export_json
    from vliegwiel.responses import responses_of

    survey = get_survey(village, survey_id)
    responses = responses_of(village, survey.id)
    if fmt == "xlsx":
        from vliegwiel.cli_results import write_xlsx

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
    from vliegwiel.sav_export import export_sav

    if output is None:
        raise click.UsageError("--format sav writes a binary file: give -o FILE.sav")
    write_output(output, export_sav(village, survey, responses))
    click.echo(f"Wrote {len(responses)} responses to {output}", err=True)


def write_output(path: Path, data: str | bytes) -> None:
    """Write a command's output file whole or not at all (a temp file, then a rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    tmp.replace(path)


@main.group()
def survey() -> None:
    """Survey templates offered by plugins."""


@survey.command("templates")
@instance_option
def survey_templates(instance: Path | None) -> None:
    """List the survey templates that plugins offer."""
    from vliegwiel.survey_templates import available_templates

    for template in available_templates(load_village(instance)):
        state = "added" if template.present else ("BROKEN" if template.survey is None else "")
        click.echo(f"{template.name:<24} ({template.plugin}) {state}".rstrip())


@survey.command("add")
@click.argument("template")
@instance_option
def survey_add(template: str, instance: Path | None) -> None:
    """Copy the plugin template TEMPLATE (its file name without .yaml) into surveys/."""
    from vliegwiel.survey_templates import TemplateError, add_template

    try:
        added = add_template(load_village(instance), template)
    except TemplateError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Added survey '{added.survey.id}' from {added.path.name}")


# --- plugins --------------------------------------------------------------------------------


@main.command()
@instance_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def plugins(instance: Path | None, as_json: bool) -> None:
    """List the loaded plugins with their version and hooks."""
    from vliegwiel.config import CONFIG_NAME
    from vliegwiel.plugins import create_plugin_manager, describe_plugins

    instance_dir = instance_dir_from(instance)
    if (instance_dir / CONFIG_NAME).exists():
        pm = load_village(instance).pm
    else:
        pm = create_plugin_manager()
    rows = describe_plugins(pm)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']:<32} {row['version']:<10} {', '.join(row['hooks'])}")


# --- organiser accounts ---------------------------------------------------------------------


@main.group()
def user() -> None:
    """Organiser accounts: beheerder, ambassadeur, lezer."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["beheerder", "ambassadeur", "lezer"]),
    default="ambassadeur",
    show_default=True,
)
@instance_option
def user_add(username: str, role: str, instance: Path | None) -> None:
    """Create an account; its one-time password is printed once."""
    from vliegwiel.accounts import add_user

    created, password = add_user(load_village(instance).storage, username, role)
    click.echo(f"Created {created.username} ({created.role}); password: {password}")


@user.command("list")
@instance_option
def user_list(instance: Path | None) -> None:
    """List the accounts and their roles."""
    from vliegwiel.accounts import list_users

    for account in list_users(load_village(instance).storage):
        click.echo(f"{account.username:<32} {account.role}")


@user.command("remove")
@click.argument("username")
@instance_option
def user_remove(username: str, instance: Path | None) -> None:
    """Remove an account (the last beheerder cannot be removed)."""
    from vliegwiel.accounts import remove_user

    remove_user(load_village(instance).storage, username)
    click.echo(f"Removed {username}")


@user.command("passwd")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    prompt_required=False,
    default=None,
    help="The new password; leave out to generate one.",
)
@instance_option
def user_passwd(username: str, password: str | None, instance: Path | None) -> None:
    """Set a new password (generated and printed when --password is not given)."""
    from vliegwiel.accounts import set_password

    new = set_password(load_village(instance).storage, username, password)
    click.echo(f"New password for {username}: {new}" if not password else "Password changed")


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(main)
