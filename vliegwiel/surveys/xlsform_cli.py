"""`vliegwiel survey import` and `vliegwiel survey export --format xlsform`: XLSForms in and
out (see docs/surveys.md, "XLSForm")."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from flask_babel import gettext as _

from vliegwiel.cli.common import (
    get_survey,
    instance_option,
    load_village,
    use_language,
    write_output,
)


def _question_types(instance: Path | None):
    from vliegwiel.core.config import CONFIG_NAME, instance_dir_from, load_config
    from vliegwiel.core.plugins import create_plugin_manager
    from vliegwiel.surveys.loader import collect_question_types

    instance_dir = instance_dir_from(instance)
    in_instance = (instance_dir / CONFIG_NAME).exists()
    # Messages in the instance's language; outside an instance, English.
    use_language(load_config(instance_dir).default_language if in_instance else "en")
    plugins_dir = instance_dir / "plugins" if in_instance else None
    return instance_dir, collect_question_types(create_plugin_manager(plugins_dir))


class _NoAliases(yaml.SafeDumper):
    """Write a condition or option list shared by several questions out in full each time:
    survey files may not use YAML anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def add_to(survey_group: click.Group) -> None:
    """Add `import` and `export` to the `vliegwiel survey` group."""

    @survey_group.command("import")
    @click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Survey file to write (default: surveys/<form_id>.yaml in the instance).",
    )
    @click.option(
        "--skip-unsupported",
        is_flag=True,
        help="Leave out what does not map (listed on stderr) instead of writing nothing.",
    )
    @click.option("--force", is_flag=True, help="Replace an existing survey file.")
    @instance_option
    def survey_import(
        form: Path, output: Path | None, skip_unsupported: bool, force: bool, instance: Path | None
    ) -> None:
        """Turn an XLSForm (KoboToolbox, ODK; .xlsx or .xls) into a survey file.

        Everything that does not map is listed as FORM:SHEET:ROW: message. Then nothing is
        written unless --skip-unsupported is given. The file written passes 'vliegwiel check'.
        """
        from vliegwiel.surveys.loader import SurveyError, load_survey_text
        from vliegwiel.surveys.xlsform_import import XLSFormImportError, import_xlsform

        instance_dir, question_types = _question_types(instance)
        try:
            result = import_xlsform(form, question_types)
        except XLSFormImportError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(
                _("%(file)s is geen XLSForm die vliegwiel kan lezen", file=form.name)
            ) from None
        for problem in result.problems:
            click.echo(str(problem), err=True)
        if result.problems and not skip_unsupported:
            raise click.ClickException(
                _(
                    "%(file)s heeft onderdelen die niet passen (%(count)s); er is niets "
                    "geschreven (gebruik --skip-unsupported om ze weg te laten)",
                    count=len(result.problems),
                    file=form.name,
                )
            )
        target = output or instance_dir / "surveys" / f"{result.survey['id']}.yaml"
        header = f"# Imported from the XLSForm {form.name} by 'vliegwiel survey import'.\n"
        text = header + yaml.dump(
            result.survey, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100
        )
        try:
            load_survey_text(text, target.name, question_types)
        except SurveyError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(
                _("de geïmporteerde enquête komt niet door de controle")
            ) from None
        if target.exists() and not force:
            raise click.ClickException(
                _("%(path)s bestaat al; gebruik --force om het te vervangen", path=target)
            )
        if not target.parent.is_dir():
            raise click.ClickException(_("map %(path)s bestaat niet", path=target.parent))
        write_output(target, text)
        if result.problems:
            click.echo(
                _(
                    "%(path)s geschreven, onderdelen weggelaten: %(count)s",
                    path=target,
                    count=len(result.problems),
                )
            )
        else:
            click.echo(_("%(path)s geschreven", path=target))

    @survey_group.command("export")
    @click.argument("survey")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["xlsform"]),
        required=True,
        help="File format to write.",
    )
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
    @instance_option
    def survey_export(survey: str, fmt: str, output: Path, instance: Path | None) -> None:
        """Write the survey SURVEY (an id in the instance, or a .yaml file) as an XLSForm."""
        from vliegwiel.surveys.loader import SurveyError, load_survey_file
        from vliegwiel.surveys.xlsform_export import XLSFormExportError, export_xlsform

        if survey.endswith((".yaml", ".yml")):
            _instance_dir, question_types = _question_types(instance)
            try:
                definition = load_survey_file(Path(survey), question_types)
            except SurveyError as error:
                raise click.ClickException(str(error)) from None
        else:
            definition = get_survey(load_village(instance), survey)
        try:
            data = export_xlsform(definition)
        except XLSFormExportError as error:
            raise click.ClickException(
                _("%(id)s kan geen XLSForm worden:\n%(error)s", id=definition.id, error=error)
            ) from None
        write_output(output, data)
        click.echo(_("%(path)s geschreven", path=output), err=True)
