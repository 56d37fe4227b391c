"""`vliegwiel round ...`: list rounds, export their data, designs and ballots, import them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask_babel import gettext as _

from vliegwiel.cli.common import (
    instance_option,
    load_village,
    output_option,
    write_output,
)
from vliegwiel.core.village import Village

METHOD_CHOICES = ["approval", "dots", "borda", "greedy_budget", "equal_shares"]


def _round(village: Village, round_id: str) -> dict:
    from vliegwiel.rounds.model import get_round, list_rounds

    record = get_round(village.storage, round_id)
    if record is None:
        known = ", ".join(r["id"] for r in list_rounds(village.storage)) or "-"
        raise click.ClickException(
            _("onbekende ronde '%(id)s' (bekend: %(known)s)", id=round_id, known=known)
        )
    return record


def register(main: click.Group) -> None:
    main.add_command(round_group)


@click.group("round")
def round_group() -> None:
    """Participation rounds: list, export, designs and pabulib ballots."""


@round_group.command("list")
@instance_option
def round_list(instance: Path | None) -> None:
    """List the rounds with their status and number of ideas and ballots."""
    from vliegwiel.rounds.ideas import all_ideas
    from vliegwiel.rounds.model import collection, list_rounds, status_of, utc_now

    village = load_village(instance)
    now = utc_now()
    for r in list_rounds(village.storage):
        ideas = len(all_ideas(village.storage, r["id"]))
        ballots = village.storage.count(collection(r["id"], "ballots"))
        click.echo(
            f"{r['id']}  {status_of(r, now):<9} {ideas:>4} ideas {ballots:>5} ballots  {r['title']}"
        )


@round_group.command("export")
@click.argument("round_id")
@instance_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@output_option("Write here (default: standard output).", required=False)
def round_export(round_id: str, instance: Path | None, fmt: str, output: Path | None) -> None:
    """Export a round: CSV (one row per idea) or JSON (all data, no contact details)."""
    from vliegwiel.rounds.io import export_csv, export_json

    village = load_village(instance)
    record = _round(village, round_id)
    text = (export_csv if fmt == "csv" else export_json)(village.storage, record)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text)
        click.echo(_("%(path)s geschreven", path=output), err=True)


@round_group.command("design-export")
@click.argument("round_id")
@instance_option
@output_option()
def design_export(round_id: str, instance: Path | None, output: Path) -> None:
    """Write a round's design (phases, settings, survey; no resident data) as JSON."""
    from vliegwiel.rounds.io import export_design

    village = load_village(instance)
    write_output(output, export_design(village, _round(village, round_id)))
    click.echo(_("Het ontwerp is geschreven naar %(path)s", path=output), err=True)


@round_group.command("design-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@instance_option
@click.option("--start", default=None, help="First day of the first phase (YYYY-MM-DD).")
def design_import(file: Path, instance: Path | None, start: str | None) -> None:
    """Create a draft round from a design file another village exported."""
    from vliegwiel.rounds.io import import_design
    from vliegwiel.rounds.model import RoundError, utc_now

    village = load_village(instance)
    try:
        first = date.fromisoformat(start) if start else date.today()
    except ValueError:
        raise click.ClickException(
            _("geen datum: %(start)s (schrijf JJJJ-MM-DD)", start=start)
        ) from None
    try:
        record, notes = import_design(village, file.read_text("utf-8"), start=first, now=utc_now())
    except RoundError as error:
        raise click.ClickException(str(error)) from None
    for note in notes:
        click.echo(note, err=True)
    click.echo(_("Conceptronde %(id)s gemaakt: %(title)s", id=record["id"], title=record["title"]))


@round_group.command("ballots-export")
@click.argument("round_id")
@instance_option
@output_option()
def ballots_export(round_id: str, instance: Path | None, output: Path) -> None:
    """Write the shortlist and ballots of a round as a pabulib .pb file."""
    from vliegwiel.rounds.ballots import export_pb

    village = load_village(instance)
    record = _round(village, round_id)
    write_output(output, export_pb(village.storage, record, village.config.name))
    click.echo(_("De stembiljetten zijn geschreven naar %(path)s", path=output), err=True)


@round_group.command("ballots-import")
@click.argument("round_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@instance_option
def ballots_import(round_id: str, file: Path, instance: Path | None) -> None:
    """Add the ballots of a .pb file to a round (all or nothing)."""
    from vliegwiel.rounds.ballots import import_pb
    from vliegwiel.rounds.model import RoundError, utc_now

    village = load_village(instance)
    record = _round(village, round_id)
    try:
        added = import_pb(village.storage, record, _read_pb_text(file), now=utc_now())
    except RoundError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("%(count)s stembiljetten toegevoegd aan %(id)s", count=added, id=round_id))


@round_group.command("import-pb")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@instance_option
@click.option(
    "--method",
    type=click.Choice(METHOD_CHOICES),
    default=None,
    help="Voting method of the new round (default: the file's rule and vote type).",
)
@click.option(
    "--completion",
    type=click.Choice(["none", "add1", "add1u"]),
    default=None,
    help="Equal Shares completion (default: the file's rule, else add1u).",
)
def import_pb_round(
    file: Path, instance: Path | None, method: str | None, completion: str | None
) -> None:
    """Create a draft round from a pabulib .pb file: its projects become the shortlist,
    its votes the ballots."""
    from vliegwiel.rounds.model import RoundError, utc_now
    from vliegwiel.rounds.pabulib_round import round_from_pb

    village = load_village(instance)
    try:
        record, added = round_from_pb(
            village.storage,
            _read_pb_text(file),
            now=utc_now(),
            method=method,  # type: ignore[arg-type]
            completion=completion,  # type: ignore[arg-type]
            file_name=file.name,
        )
    except RoundError as error:
        raise click.ClickException(f"{file}: {error}") from None
    settings = record["settings"]
    click.echo(
        _(
            "Conceptronde %(id)s gemaakt: %(title)s (%(method)s, %(count)s stembiljetten)",
            id=record["id"],
            title=record["title"],
            method=settings["method"],
            count=added,
        )
    )


@round_group.command("count")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--method",
    type=click.Choice(METHOD_CHOICES),
    default=None,
    help="Rule to count with (default: the file's own rule and vote type).",
)
@click.option(
    "--completion",
    type=click.Choice(["none", "add1", "add1u"]),
    default=None,
    help="Equal Shares completion (default: the file's rule, else add1u).",
)
@click.option(
    "--seats", type=click.IntRange(min=1), default=1, show_default=True,
    help="Winners for approval, dots and borda.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def count_file(
    file: Path, method: str | None, completion: str | None, seats: int, as_json: bool
) -> None:
    """Count a pabulib .pb file with one of vliegwiel's rules, storing nothing.

    Prints the selected projects by the file's own project ids. With --json:
    {"selected": [ids], "projects": [{"id", "selected", "reason"}]}.
    """
    import json

    from vliegwiel.rounds.pabulib import PabulibError, read_pb
    from vliegwiel.rounds.pabulib_rules import count_instance, default_method
    from vliegwiel.rounds.voting import explain

    # No instance, so no language to follow: the command prints what it always printed
    # (its own errors in English; the counting rules' Dutch texts, which its --json
    # "reason" strings carry for scripts).
    try:
        pb = read_pb(_read_pb_text(file, outside_an_instance=True))
        chosen = default_method(pb)
        if method is None and chosen is None:
            raise click.ClickException(
                f"{file}: the file's rule ({pb.meta.get('rule', '')!r}) is not one "
                "vliegwiel counts; choose one with --method"
            )
        use_method = method or chosen[0]  # type: ignore[index]
        use_completion = completion or (
            chosen[1] if chosen and method in (None, chosen[0]) else "add1u"
        )
        outcome = count_instance(
            pb,
            use_method,
            completion=use_completion,
            seats=seats,  # type: ignore[arg-type]
        )
    except PabulibError as error:
        raise click.ClickException(f"{file}: {error}") from None
    chosen_ids = set(outcome.selected)
    projects = [
        {"id": p.id, "selected": p.id in chosen_ids, "reason": explain(outcome.reasons[p.id])}
        for p in pb.projects
    ]
    if as_json:
        click.echo(
            json.dumps(
                {"selected": outcome.selected, "projects": projects},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    detail = f", completion {use_completion}" if use_method == "equal_shares" else ""
    click.echo(f"{file.name}: {use_method}{detail}, {len(pb.votes)} ballots")
    click.echo("selected: " + (" ".join(outcome.selected) or "(none)"))
    for row in projects:
        mark = "*" if row["selected"] else " "
        click.echo(f"{mark} {row['id']}  {row['reason']}")


def _read_pb_text(file: Path, *, outside_an_instance: bool = False) -> str:
    try:
        return file.read_text("utf-8-sig")
    except UnicodeDecodeError:
        if outside_an_instance:  # no language known: English, like every such command
            raise click.ClickException(f"{file}: not a UTF-8 text file") from None
        raise click.ClickException(_("%(file)s: geen UTF-8-tekstbestand", file=file)) from None
