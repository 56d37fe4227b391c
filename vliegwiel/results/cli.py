"""Commands for results: ``vliegwiel report``, ``vliegwiel share`` and ``vliegwiel compare``.

(``vliegwiel export --format xlsx`` lives with the other export formats in cli.py and calls
:func:`write_xlsx` here.)
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import click

from vliegwiel.cli.common import get_survey, instance_option, output_option, write_output
from vliegwiel.core.village import Village


def write_xlsx(village: Village, survey: Any, responses: list[dict], output: Path | None) -> None:
    """``vliegwiel export --format xlsx``: a workbook can only go to a file."""
    from vliegwiel.surveys.xlsx_export import export_xlsx

    if output is None:
        raise click.ClickException("--format xlsx needs -o FILE.xlsx")
    write_output(output, export_xlsx(village, survey, responses))
    click.echo(f"Wrote {len(responses)} responses and the codebook to {output}", err=True)


#: WeasyPrint reports about this many steps; the bar counts them (plus assembling the HTML).
_RENDER_STEPS = 7


def register(main: click.Group) -> None:
    @main.command()
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
            with click.progressbar(length=_RENDER_STEPS + 1, label="Making the report") as bar:

                def step(_message: str) -> None:
                    if bar.pos < bar.length - 1:
                        bar.update(1)

                try:
                    pdf = render_report(village, survey, wave=wave, timeout=timeout, progress=step)
                except PdfRenderError as error:
                    raise click.ClickException(f"the report failed: {error}") from None
                bar.update(bar.length - bar.pos)
        write_output(output, pdf)
        click.echo(f"Wrote {output} ({len(pdf) // 1024} KB)", err=True)

    @main.command()
    @click.argument("survey_id")
    @instance_option
    @output_option("The zip file to write.")
    @click.option("--round", "wave", default=None, help="The round (default: the latest).")
    def share(survey_id: str, instance: Path | None, output: Path, wave: str | None) -> None:
        """Write a bundle of SURVEY_ID's protected results for other villages: a zipped
        Frictionless Data Package (datapackage.json, results.csv, survey.json, summaries.json).

        The bundle holds the survey definition, the published (small-group protected)
        numbers and the village's name and number of households: never a response or a
        free text.
        """
        from vliegwiel.results.share import write_bundle
        from vliegwiel.results.tallies import compute_results

        app, village = _app(instance)
        survey = get_survey(village, survey_id)
        with app.app_context():
            results = compute_results(village, survey, wave=wave)
            data = write_bundle(village, survey, results)
        write_output(output, data)
        click.echo(f"Wrote {output}", err=True)

    @main.command("compare")
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
        from vliegwiel.results.share import MAX_BUNDLE_BYTES, BundleError, compare, read_bundle

        if villages_dir is not None:
            if len(bundles) != 1:
                raise click.UsageError("with --villages give exactly one SURVEY id")
            loaded = _published_in(villages_dir, bundles[0])
        else:
            loaded = []
            for name in bundles:
                path = Path(name)
                if not path.is_file():
                    raise click.ClickException(f"{path}: no such bundle file")
                if path.stat().st_size > MAX_BUNDLE_BYTES:
                    raise click.ClickException(f"{path}: larger than a bundle can be")
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
                label = _printable(row["label"])[:38]
                click.echo(f"  {label:<38} " + " ".join(f"{c:>{width}}" for c in cells))


def _published_in(villages_dir: Path, survey_id: str) -> list[Any]:
    """The bundles of every village in the folder that published ``survey_id``."""
    from vliegwiel.results.across import published_bundles
    from vliegwiel.web.province import create_province

    province = create_province(villages_dir)
    with province.sites[0].app.test_request_context():
        loaded = published_bundles(province.villages(), survey_id)
    if not loaded:
        raise click.ClickException(
            f"no village in {villages_dir} has published the results of '{survey_id}'"
        )
    return loaded


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
    return app, app.extensions["vliegwiel"]
