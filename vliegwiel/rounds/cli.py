"""`vliegwiel round ...`: list rounds, export their data, designs and ballots, import them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from vliegwiel.cli.common import instance_option, load_village, write_output


def _round(village, round_id: str) -> dict:
    from vliegwiel.rounds.model import get_round, list_rounds

    record = get_round(village.storage, round_id)
    if record is None:
        known = ", ".join(r["id"] for r in list_rounds(village.storage)) or "none"
        raise click.ClickException(f"unknown round '{round_id}' (known: {known})")
    return record


def register(main: click.Group) -> None:
    @main.group("round")
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
                f"{r['id']}  {status_of(r, now):<9} {ideas:>4} ideas {ballots:>5} ballots  "
                f"{r['title']}"
            )

    @round_group.command("export")
    @click.argument("round_id")
    @instance_option
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
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
            click.echo(f"Wrote {output}", err=True)

    @round_group.command("design-export")
    @click.argument("round_id")
    @instance_option
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
    def design_export(round_id: str, instance: Path | None, output: Path) -> None:
        """Write a round's design (phases, settings, survey; no resident data) as JSON."""
        from vliegwiel.rounds.io import export_design

        village = load_village(instance)
        write_output(output, export_design(village, _round(village, round_id)))
        click.echo(f"Wrote the design to {output}", err=True)

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
            raise click.ClickException(f"not a date: {start} (use YYYY-MM-DD)") from None
        try:
            record, notes = import_design(
                village, file.read_text("utf-8"), start=first, now=utc_now()
            )
        except RoundError as error:
            raise click.ClickException(str(error)) from None
        for note in notes:
            click.echo(note, err=True)
        click.echo(f"Created draft round {record['id']}: {record['title']}")

    @round_group.command("ballots-export")
    @click.argument("round_id")
    @instance_option
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
    def ballots_export(round_id: str, instance: Path | None, output: Path) -> None:
        """Write the shortlist and ballots of a round as a pabulib .pb file."""
        from vliegwiel.rounds.ballots import export_pb

        village = load_village(instance)
        record = _round(village, round_id)
        write_output(output, export_pb(village.storage, record, village.config.name))
        click.echo(f"Wrote the ballots to {output}", err=True)

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
            added = import_pb(village.storage, record, file.read_text("utf-8-sig"), now=utc_now())
        except RoundError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Added {added} ballots to {round_id}")
