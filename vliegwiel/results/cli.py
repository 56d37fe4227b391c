"""Commands for results: ``vliegwiel report``, ``results``, ``share`` and ``compare``.

(``vliegwiel export --format xlsx`` lives with the other export formats in cli.py and calls
:func:`write_xlsx` here.)
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import click
from flask_babel import gettext as _

from vliegwiel.cli.common import (
    get_survey,
    instance_option,
    output_option,
    use_language,
    write_output,
)
from vliegwiel.core.village import Village
from vliegwiel.web.i18n import DEFAULT_LANGUAGE
from vliegwiel.web.number_format import long_date, respondents_text


def write_xlsx(village: Village, survey: Any, responses: list[dict], output: Path | None) -> None:
    """``vliegwiel export --format xlsx``: a workbook can only go to a file."""
    from vliegwiel.surveys.xlsx_export import export_xlsx

    if output is None:
        raise click.ClickException(_("--format xlsx heeft -o BESTAND.xlsx nodig"))
    write_output(output, export_xlsx(village, survey, responses))
    click.echo(
        _(
            "%(count)s antwoorden en het codeboek geschreven naar %(path)s",
            count=len(responses),
            path=output,
        ),
        err=True,
    )


#: WeasyPrint reports about this many steps; the bar counts them (plus assembling the HTML).
_RENDER_STEPS = 7


def register(main: click.Group) -> None:
    for command in (report, share, results_command, population_command, compare_command):
        main.add_command(command)


@click.command()
@click.argument("survey_id")
@instance_option
@output_option("The PDF file to write.")
@click.option("--round", "wave", default=None, help="The round (default: the latest).")
@click.option(
    "--timeout", default=600.0, show_default=True, help="Stop rendering after so many seconds."
)
def report(
    survey_id: str, instance: Path | None, output: Path, wave: str | None, timeout: float
) -> None:
    """Write the PDF report of SURVEY_ID for the village meeting."""
    from vliegwiel.core.pdf import PdfRenderError
    from vliegwiel.results.report import render_report

    app, village = _app(instance)
    survey = get_survey(village, survey_id)
    with app.app_context():
        with click.progressbar(length=_RENDER_STEPS + 1, label=_("Rapport maken")) as bar:

            def step(_message: str) -> None:
                if bar.pos < bar.length - 1:
                    bar.update(1)

            try:
                pdf = render_report(village, survey, wave=wave, timeout=timeout, progress=step)
            except PdfRenderError as error:
                raise click.ClickException(
                    _("het rapport is mislukt: %(error)s", error=error)
                ) from None
            bar.update(bar.length - bar.pos)
    write_output(output, pdf)
    click.echo(_("%(path)s geschreven (%(size)s KB)", path=output, size=len(pdf) // 1024), err=True)


@click.command()
@click.argument("survey_id")
@instance_option
@output_option("The zip file to write.")
@click.option("--round", "wave", default=None, help="The round (default: the latest).")
def share(survey_id: str, instance: Path | None, output: Path, wave: str | None) -> None:
    """Write the bundle of SURVEY_ID's latest publication, for other villages: a zipped
    Frictionless Data Package (datapackage.json, results.csv, survey.json, summaries.json).

    The bundle holds the survey definition, the published (small-group protected)
    numbers and the village's name and number of households: never a response or a
    free text. It is the one stored when the results were published, so it holds
    nothing newer than the public page.
    """
    from vliegwiel.results.publications import latest

    _app_, village = _app(instance)
    survey = get_survey(village, survey_id)
    if wave is None:
        publication = latest(village.storage, survey.id)
    else:
        publication = latest(village.storage, survey.id, _round_id(village, survey, wave))
    if publication is None:
        raise click.ClickException(
            _(
                "%(id)s heeft nog geen publicatie; maak eerst de uitslag openbaar "
                "(Uitslag openbaar maken op /beheer/uitslag/%(id)s)",
                id=survey.id,
            )
        )
    write_output(output, publication.bundle(village.storage))
    click.echo(
        _("%(path)s geschreven (publicatie %(version)s)", path=output, version=publication.version),
        err=True,
    )


@click.command("results")
@click.argument("survey_id")
@instance_option
@click.option(
    "--published",
    is_flag=True,
    help="The latest publication, as the public page shows it (default: what a lezer "
    "sees now, counted in steps of k responses).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/results.md).")
@click.option("--round", "wave", default=None, help="The round (default: the latest).")
def results_command(
    survey_id: str, instance: Path | None, published: bool, as_json: bool, wave: str | None
) -> None:
    """Print SURVEY_ID's protected results: what a lezer would see, or (--published)
    the latest publication. Hidden numbers are null in JSON and "-" in text."""
    import json

    from vliegwiel.results.publications import latest
    from vliegwiel.results.results_json import results_json
    from vliegwiel.results.suppression import stepped
    from vliegwiel.results.tallies import compute_results
    from vliegwiel.results.waves import wave_responses

    app, village = _app(instance)
    survey = get_survey(village, survey_id)
    if published:
        if wave is None:
            publication = latest(village.storage, survey.id)
        else:
            publication = latest(village.storage, survey.id, _round_id(village, survey, wave))
        if publication is None:
            raise click.ClickException(_("%(id)s heeft nog geen publicatie", id=survey.id))
        data = publication.results(village.storage)
    else:
        with app.test_request_context():
            if wave is not None:
                wave = _round_id(village, survey, wave)
            label, responses = wave_responses(village, survey, wave)
            counted = stepped(responses, village.config.min_group_size)
            data = results_json(compute_results(village, survey, counted, wave=label))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_results(data)


@click.command("population")
@click.argument("survey_id")
@click.argument("question_id")
@click.argument("csv_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@instance_option
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="ANSWER=GROUP[+GROUP]",
    help="Which CBS group(s) an answer stands for: a column (inwoners, mannen, vrouwen, "
    "0-15, 15-25, 25-45, 45-65, 65+) summed over the file's rows, or a row's name "
    "(its inhabitants). Give one --map per answer.",
)
def population_command(
    survey_id: str,
    question_id: str,
    csv_file: Path,
    instance: Path | None,
    mappings: tuple[str, ...],
) -> None:
    """Import population figures for QUESTION_ID of SURVEY_ID from a CBS Kerncijfers
    wijken en buurten CSV. Without --map, prints the groups and rows the file holds."""
    from vliegwiel.core.config import instance_dir_from
    from vliegwiel.core.village import build_village
    from vliegwiel.results.population import (
        MAX_CSV_BYTES,
        load_margins,
        margin_from_cbs,
        population_questions,
        read_cbs_csv,
        save_margins,
    )

    village = build_village(instance_dir_from(instance))
    use_language(village.config.default_language)
    survey = get_survey(village, survey_id)
    question = next((q for q in population_questions(survey) if q.id == question_id), None)
    if question is None:
        raise click.ClickException(
            _(
                "%(question)s is geen vraag met één antwoord van %(survey)s",
                question=question_id,
                survey=survey_id,
            )
        )
    if csv_file.stat().st_size > MAX_CSV_BYTES:
        raise click.ClickException(
            _("%(file)s: groter dan een CBS-tabel van één dorp", file=csv_file)
        )
    regions = read_cbs_csv(csv_file.read_bytes())
    if not mappings:
        click.echo("Rows: " + ", ".join(r.name for r in regions))
        groups = sorted({g for r in regions for g in r.figures})
        click.echo("Groups: " + ", ".join(groups))
        click.echo("Answers: " + ", ".join(o.value for o in question.settings.options))
        return
    mapping = {}
    for item in mappings:
        answer, sep, spec = item.partition("=")
        if not sep or not answer.strip() or not spec.strip():
            raise click.ClickException(
                _("--map %(item)s: schrijf het als ANTWOORD=GROEP", item=item)
            )
        mapping[answer.strip()] = spec.strip()
    figures = margin_from_cbs(question, regions, mapping)
    margins = load_margins(village.storage, survey.id)
    margins[question.id] = figures
    save_margins(village.storage, survey, margins)
    for value, residents in figures.items():
        click.echo(f"{value:<20} {residents:>8}")
    click.echo(_("De bevolkingscijfers voor %(id)s zijn bewaard", id=question_id), err=True)


@click.command("compare")
@click.argument("bundles", nargs=-1, required=True)
@click.option(
    "--villages",
    "villages_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Compare the published results of SURVEY in every village instance in this "
    "folder (as served by 'vliegwiel serve --villages') instead of bundle files.",
)
def compare_command(bundles: tuple[str, ...], villages_dir: Path | None) -> None:
    """Print bundles side by side, per question of the first bundle.

    BUNDLES are zip files made with 'vliegwiel share' (Data Packages, or bundles
    written before them). With --villages DIR give one
    survey id instead: every village in DIR that published that survey's results is
    shown (villages that did not publish are left out).
    """
    from vliegwiel.results.share import (
        MAX_BUNDLE_BYTES,
        BundleError,
        compare,
        not_compared,
        read_bundle,
    )

    # Bundles come from villages, not from an instance: the organisers who read this are
    # Dutch, as on the comparison page.
    use_language(DEFAULT_LANGUAGE)
    if villages_dir is not None:
        if len(bundles) != 1:
            raise click.UsageError("with --villages give exactly one SURVEY id")
        loaded = _published_in(villages_dir, bundles[0])
    else:
        loaded = []
        for name in bundles:
            path = Path(name)
            if not path.is_file():
                raise click.ClickException(_("%(path)s: dit bestand bestaat niet", path=path))
            if path.stat().st_size > MAX_BUNDLE_BYTES:
                raise click.ClickException(_("%(path)s: groter dan een bundel kan zijn", path=path))
            try:
                loaded.append(read_bundle(path.read_bytes()))
            except BundleError as error:
                raise click.ClickException(f"{path}: {error}") from None
    names = [
        _printable(b.manifest.village + (f" ({b.manifest.wave})" if b.manifest.wave else ""))
        for b in loaded
    ]
    width = max(12, *(len(n) for n in names))
    click.echo(f"{'':<40} " + " ".join(f"{n:>{width}}" for n in names))
    for question in compare(loaded):
        click.echo("")
        click.echo(_printable(question["text"]))
        for row in question["rows"]:
            cells = [_cell(v, question["kind"]) for v in row["values"]]
            label = _clipped(_printable(row["label"]), 38)
            click.echo(f"  {label:<38} " + " ".join(f"{c:>{width}}" for c in cells))
    # What each column is, as the comparison page says it.
    click.echo("")
    for name, bundle in zip(names, loaded, strict=True):
        counted = respondents_text(bundle.manifest.respondents, bundle.manifest.k)
        date = long_date(bundle.manifest.created_at)
        click.echo(
            _(
                "%(village)s: %(counted)s, gemaakt op %(date)s",
                village=name,
                counted=counted,
                date=date,
            )
        )
    left_out = not_compared(loaded)
    if left_out:
        texts = ", ".join(_printable(text) for text in left_out)
        click.echo(_("Niet vergeleken: %(questions)s", questions=texts))


def _round_id(village: Any, survey: Any, key: str) -> str | None:
    """The id of the round called ``key`` (an id or a label); a clear error when unknown."""
    from vliegwiel.results.waves import find_wave, waves_of

    waves = waves_of(village.storage, survey.id)
    found = find_wave(waves, key)
    if found is None:
        known = ", ".join(f"{w.label} ({w.id})" for w in waves) or "-"
        raise click.ClickException(
            _("onbekende ronde '%(id)s' (bekend: %(known)s)", id=key, known=known)
        )
    return found.id if len(waves) > 1 else None


def _print_results(data: dict[str, Any]) -> None:
    def shown(value: Any) -> str:
        return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    header = f"{data['survey']}: {shown(data['respondents'])} respondents"
    if data["published_at"]:
        header += f", published {data['published_at']}"
    click.echo(header)

    def question(q: dict[str, Any], indent: str) -> None:
        click.echo(f"{indent}{q['text']} ({shown(q['respondents'])} answered)")
        for answer in q["answers"]:
            pct = "-" if answer["percent"] is None else f"{answer['percent']:g}%"
            label = answer["label"][:40]
            # publications made before margins existed have no "interval": print nothing
            margin = _margin(answer.get("interval"), "%")
            line = f"{indent}  {label:<40} {shown(answer['count']):>6} {pct:>7} {margin:>11}"
            weighted = answer.get("weighted")
            if weighted:
                line += f"  weighted {weighted['percent']:g}% {_margin(weighted['interval'], '%')}"
            click.echo(line.rstrip())
        if q["mean"] is not None:
            mean_margin = _margin(q.get("mean_interval"), "")
            click.echo(
                f"{indent}  mean {shown(q['mean'])} {mean_margin}, median {shown(q['median'])}"
            )
        for part in q.get("parts", []):
            question(part, indent + "  ")

    for q in data["questions"]:
        click.echo("")
        question(q, "")


def _margin(interval: list[float] | None, unit: str) -> str:
    """A margin of error as "(30-70%)"; "" when there is none (hidden or not given)."""
    if not interval:
        return ""
    return (
        f"({interval[0]:.0f}-{interval[1]:.0f}{unit})"
        if unit
        else f"({interval[0]:g}-{interval[1]:g})"
    )


def _published_in(villages_dir: Path, survey_id: str) -> list[Any]:
    """The bundles of every village in the folder that published ``survey_id``."""
    from vliegwiel.results.across import published_bundles
    from vliegwiel.web.province import create_province

    province = create_province(villages_dir)
    with province.sites[0].app.test_request_context():
        loaded = published_bundles(province.villages(), survey_id)
    if loaded:
        return loaded
    if not any(village.surveys.get(survey_id) for village in province.villages()):
        raise click.ClickException(
            _(
                "geen dorp in %(folder)s heeft een enquête '%(id)s'",
                folder=villages_dir,
                id=survey_id,
            )
        )
    raise click.ClickException(
        _(
            "geen dorp in %(folder)s heeft de uitslag van '%(id)s' gepubliceerd",
            folder=villages_dir,
            id=survey_id,
        )
    )


def _clipped(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis saying it was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _printable(text: object) -> str:
    """Text from another village's bundle, safe for a terminal: control characters (the
    start of escape sequences that retitle windows, recolour or move the cursor) become '?'."""
    return "".join(
        "?" if unicodedata.category(c) in ("Cc", "Cf") and c != " " else c for c in str(text)
    )


def _cell(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}%" if kind == "choice" else f"{value:g}"


def _app(instance: Path | None) -> tuple[Any, Any]:
    from vliegwiel.core.config import instance_dir_from
    from vliegwiel.web.app import create_app

    app = create_app(instance_dir_from(instance))
    village = app.extensions["vliegwiel"]
    use_language(village.config.default_language)
    return app, village
