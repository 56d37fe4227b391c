"""Commands for reaching every household: ``vliegwiel codes`` (letters) and ``vliegwiel paper``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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


def _app(instance: Path | None):
    from vliegwiel.core.config import instance_dir_from
    from vliegwiel.web.app import create_app

    # Templates and gettext need an app; the village comes with it.
    return create_app(instance_dir_from(instance))


def register(main: click.Group) -> None:
    main.add_command(codes)
    main.add_command(paper)


def _scope_of(village: Village, scope_id: str):
    """The survey or the participation round ``scope_id`` names: (survey, None) or (None, round).

    Survey ids and round ids share one namespace of code scopes, so an id naming both is
    refused rather than guessed.
    """
    from vliegwiel.reach.codes import codes_collection
    from vliegwiel.rounds.model import get_round

    survey = village.surveys.get(scope_id)
    try:
        codes_collection(scope_id)
    except ValueError:
        round_record = None
    else:
        round_record = get_round(village.storage, scope_id)
    if survey is not None and round_record is not None:
        raise click.ClickException(
            _(
                "'%(id)s' is zowel een enquête als een ronde; geef de enquête eerst een "
                "andere naam",
                id=scope_id,
            )
        )
    if round_record is not None:
        return None, round_record
    # Unknown ids get get_survey's message, as before rounds could have codes.
    return get_survey(village, scope_id), None


@click.command()
@click.argument("survey_id", metavar="SURVEY_OR_ROUND")
@instance_option
@click.option("--count", type=click.IntRange(1, 10_000), help="Letters without an address.")
@click.option(
    "--addresses",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV with street, house number, postcode (comma or semicolon).",
)
@output_option("Where to write the letters PDF (the only copy of the codes).")
@click.option("--contact", default=None, help="Where to ask for a paper form, printed as is.")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day the codes work (YYYY-MM-DD).",
)
@click.option(
    "--base-url",
    "base_url",
    default=None,
    metavar="URL",
    help="The address residents type and the QR codes open, e.g. https://enquete.dorp.nl "
    "(default: base_url under [server] in vliegwiel.toml).",
)
@click.option(
    "--reminders",
    is_flag=True,
    help="Also print a reminder letter per household with the same code, after all "
    "invitations (every household gets one: who answered is never known).",
)
def codes(
    survey_id: str,
    instance: Path | None,
    count: int | None,
    addresses: Path | None,
    output: Path,
    contact: str | None,
    expires,
    base_url: str | None,
    reminders: bool,
) -> None:
    """Generate one code per household and write the letters (one A4 page each) to a PDF.

    SURVEY_OR_ROUND is a survey id or a participation round id (see `vliegwiel round list`).
    Codes are stored only as a keyed hash: keep the PDF, it cannot be made again. A survey
    with `access: open` asks for no code: its letters carry the survey's address and a QR
    code, and no code is made. The letters need an address other devices reach: --base-url
    or base_url under [server] in vliegwiel.toml (127.0.0.1 and localhost are refused).
    """
    from vliegwiel.core.pdf import PdfRenderError
    from vliegwiel.reach.codes import (
        AddressError,
        Household,
        new_codes,
        parse_addresses,
        store_codes,
    )
    from vliegwiel.reach.letters import letters_pdf, round_letters_pdf, without_codes

    app = _app(instance)
    village = app.extensions["vliegwiel"]
    use_language(village.config.default_language)
    if (count is None) == (addresses is None):
        raise click.UsageError(_("geef --count N of --addresses BESTAND.csv (één van beide)"))
    survey, round_record = _scope_of(village, survey_id)
    scope = survey.id if survey is not None else round_record["id"]
    base_url = _letters_base_url(village, base_url, scope)
    if reminders and survey is None:
        raise click.UsageError(
            _("--reminders is voor brieven van een enquête; de code van een ronde blijft geldig")
        )
    with_codes = survey is None or survey.access == "code"
    if not with_codes:
        click.echo(
            _(
                "Let op: %(id)s heeft 'access: open' en vraagt geen code, dus op de brieven "
                "staat er geen (alleen het adres en een QR-code). Wilt u één code per "
                "huishouden, zet dan eerst 'access: code' in %(id)s.yaml (of op de "
                "bewerkpagina).",
                id=survey.id,
            ),
            err=True,
        )
    if addresses is not None:
        try:
            households = parse_addresses(addresses.read_bytes())
        except AddressError as error:
            for line, message in error.problems:
                click.echo(f"{addresses}:{line}: {message}", err=True)
            raise click.ClickException(
                _(
                    "%(n)s foute regel(s) in %(file)s; er zijn geen codes gemaakt",
                    n=len(error.problems),
                    file=addresses,
                )
            ) from None
    else:
        households = [Household()] * count
    issued = new_codes(households) if with_codes else without_codes(households)
    pages = len(issued) * (2 if reminders else 1)
    with (
        app.app_context(),
        click.progressbar(
            length=len(issued) + 1, label=_("%(count)s brieven maken", count=pages)
        ) as bar,
    ):

        def step(message: str) -> None:
            # WeasyPrint reports its steps per document; show them as the bar's label.
            bar.label = message[:48]
            bar.update(0)

        options = {"reminders": reminders} if survey is not None else {}
        try:
            pdf = (letters_pdf if survey is not None else round_letters_pdf)(
                survey if survey is not None else round_record,
                issued,
                village_name=village.config.name,
                base_url=base_url,
                contact=contact,
                place=village.config.place,
                progress=step,
                **options,
            )
        except PdfRenderError as error:
            raise click.ClickException(
                _(
                    "de brieven konden niet worden gemaakt (%(error)s); er zijn geen codes bewaard",
                    error=error,
                )
            ) from None
        bar.update(len(issued))
        # Stored only after the PDF exists, so a failed render leaves no orphan codes.
        if with_codes:
            store_codes(
                village.storage,
                village.config.secret_key,
                scope,
                issued,
                expires_on=expires.date() if expires else None,
            )
        bar.update(1)
    write_output(output, pdf)
    click.echo(
        _(
            "%(count)s brieven geschreven naar %(path)s (%(date)s)",
            count=len(issued),
            path=output,
            date=date.today().isoformat(),
        )
    )
    if reminders:
        click.echo(
            _(
                "Pagina's 1-%(last)s zijn de uitnodigingen, pagina's %(first)s-%(pages)s de "
                "herinneringen (zelfde volgorde, zelfde codes): post die een week of twee "
                "later.",
                last=len(issued),
                first=len(issued) + 1,
                pages=pages,
            )
        )


def _letters_base_url(village: Village, option: str | None, scope: str) -> str:
    """--base-url, else the setting; refused when residents could not reach it."""
    from vliegwiel.reach.letters import base_url_problem

    base_url = (option if option is not None else village.config.base_url).strip().rstrip("/")
    problem = base_url_problem(base_url, allow_local=village.config.allow_local_base_url)
    if problem is None:
        return base_url
    what = {
        "unset": _("er is geen adres voor bewoners ingesteld"),
        "invalid": _("%(url)s is geen http(s)-adres", url=repr(base_url)),
        "local": _("%(url)s is alleen op deze computer te bereiken", url=base_url),
    }[problem]
    raise click.ClickException(
        _(
            "brieven hebben het adres nodig dat bewoners gebruiken, maar %(what)s: gebruik "
            "'vliegwiel codes %(scope)s --base-url URL' (bijvoorbeeld "
            "https://enquete.example.nl) of zet base_url onder [server] in %(path)s",
            what=what,
            scope=scope,
            path=village.config.path,
        )
    )


@click.command()
@click.argument("survey_id")
@instance_option
@output_option()
def paper(survey_id: str, instance: Path | None, output: Path) -> None:
    """Write a printable paper form of the survey (A4, large type, boxes to tick)."""
    from vliegwiel.core.pdf import PdfRenderError
    from vliegwiel.reach.paper import paper_pdf

    app = _app(instance)
    village = app.extensions["vliegwiel"]
    use_language(village.config.default_language)
    survey = get_survey(village, survey_id)
    with app.app_context():
        try:
            pdf = paper_pdf(village, survey, village_name=village.config.name)
        except PdfRenderError as error:
            raise click.ClickException(
                _("het formulier kon niet worden gemaakt (%(error)s)", error=error)
            ) from None
    write_output(output, pdf)
    click.echo(
        _(
            "Het papieren formulier van %(id)s is geschreven naar %(path)s",
            id=survey.id,
            path=output,
        )
    )
