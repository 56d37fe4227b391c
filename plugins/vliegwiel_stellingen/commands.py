"""``vliegwiel stellingen new|votes|results``: the plugin's own commands (a click group)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vliegwiel.cli.common import instance_option, load_village
from vliegwiel.plugin_support import PluginStore

from . import conversations as conv
from . import results as res
from .analysis import MIN_PARTICIPANTS_DEFAULT, PERMUTATIONS
from .paper_votes import read_votes

PLUGIN = "stellingen"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text") from None


def _conversation(store: Any, set_id: str) -> dict[str, Any]:
    record = conv.get(store, set_id)
    if record is None:
        known = ", ".join(s["id"] for s in conv.all_sets(store)) or "none"
        raise click.ClickException(f"unknown conversation '{set_id}' (known: {known})")
    return record


@click.group(PLUGIN)
def stellingen() -> None:
    """Statements residents agree or disagree with (Polis-style conversations)."""


@stellingen.command("new")
@click.argument("title")
@click.option(
    "--statements",
    "statements_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A text file with one statement a line (blank lines are skipped).",
)
@click.option(
    "--min-participants",
    type=int,
    default=MIN_PARTICIPANTS_DEFAULT,
    show_default=True,
    help="Counted participants needed before opinion groups can be shown (at least 60).",
)
@instance_option
def new(title: str, statements_file: Path, min_participants: int, instance: Path | None) -> None:
    """Start a conversation called TITLE with the organisers' statements; prints its id."""
    lines = [line.strip() for line in _read_text(statements_file).splitlines()]
    store = PluginStore(load_village(instance).storage, PLUGIN)
    try:
        set_id = conv.create(
            store, title, [line for line in lines if line], min_participants=min_participants
        )
    except conv.ConversationError as error:
        raise click.ClickException(str(error)) from None
    click.echo(set_id)


@stellingen.command("votes")
@click.argument("set_id", metavar="ID")
@click.option(
    "--import",
    "import_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with columns participant, statement (number from 1), vote "
    "(eens/oneens/overslaan): votes from paper or a meeting.",
)
@instance_option
def votes(set_id: str, import_file: Path, instance: Path | None) -> None:
    """Add paper and meeting votes to conversation ID. Importing the same file again
    replaces those votes rather than counting them twice."""
    store = PluginStore(load_village(instance).storage, PLUGIN)
    record = _conversation(store, set_id)
    count = len(conv.statements(store, set_id))
    try:
        found = read_votes(_read_text(import_file), set_id, count)
    except conv.ConversationError as error:
        raise click.ClickException(str(error)) from None
    accepted = conv.record_votes(store, set_id, found, channel="papier", replace=True)
    people = len({participant for participant, _n, _v in found})
    click.echo(f"{accepted} votes of {people} participants imported into '{record['id']}'.")


@stellingen.command("results")
@click.argument("set_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@instance_option
def results(set_id: str, as_json: bool, instance: Path | None) -> None:
    """The protected results of conversation ID: counts per statement, consensus, divisive
    statements and opinion groups when they are real. Computed once per change of the votes."""
    village = load_village(instance)
    store = PluginStore(village.storage, PLUGIN)
    record = _conversation(store, set_id)
    k = village.config.min_group_size
    if res.is_current(store, record, k):
        result = res.current(store, record, k)
    else:
        # On stderr, so ``--json > file`` stays plain JSON.
        with click.progressbar(
            length=PERMUTATIONS, label="Permutation test", file=sys.stderr
        ) as bar:
            result = res.compute(store, record, k, progress=bar.update)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{record['title']}: {_shown(result['participants'])} participants")
    for number, row in enumerate(result["statements"], start=1):
        counts = "  ".join(f"{key} {_shown(row[key])}" for key in ("agree", "disagree", "pass"))
        click.echo(f"{number:>3}. {row['text']}\n     {counts}")
    click.echo(f"consensus: {_numbers(result['consensus'])}")
    click.echo(f"divisive: {_numbers(result['divisive'])}")
    for i, group in enumerate(result["groups"] or [], start=1):
        click.echo(
            f"group {i}: {group['size']} participants, sets apart: {_numbers(group['distinctive'])}"
        )
    click.echo(result["groups_reason"])


def _shown(value: int | None) -> str:
    return "hidden" if value is None else str(value)


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers)) or "-"
