"""Breakdowns: a question's answers split by one background question (age group, village part).

A breakdown table and the question's overall counts are protected together in one system of
equations (``suppression.suppress_breakdowns``), and the overall counts a page shows always
come from that same system, so a cell hidden in the table cannot be worked out from the
totals.

The rows of a breakdown are the answers of the background question itself, whose own counts
are published too. A group whose size is hidden there is never shown as a row of its own:
all such groups are merged into one row, "Overige groepen". Otherwise a breakdown could show
a group size that the background question's own table hides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext

from vliegwiel.results.suppression import Counts, Table, suppress_breakdowns
from vliegwiel.surveys.question_types import Tally
from vliegwiel.surveys.schema import Question, Survey

#: Question types whose answer puts a respondent in exactly one group.
BREAKDOWN_TYPES = ("single_choice", "yes_no")
#: The row that holds every group too small to show on its own.
MERGED = "__overig__"
MERGED_LABEL = lazy_gettext("Overige groepen (samengevoegd)")


@dataclass(frozen=True)
class Grouping:
    """Which group every respondent belongs to, for one background question."""

    by: Question
    #: (group key, label) in the order of the background question's options.
    groups: list[tuple[str, Any]]
    #: Response id -> group key; respondents who left the question open are absent.
    members: dict[str, str]


@dataclass
class BreakdownView:
    """One protected breakdown table of one question, ready for a page or a PDF."""

    by: Question
    groups: list[tuple[str, Any]]
    table: Table


def candidates(survey: Survey) -> list[Question]:
    """The questions a survey's results may be broken down by: single answers only."""
    return [q for q in survey.questions() if q.type in BREAKDOWN_TYPES]


def grouping(by: Question, by_tally: Tally, by_counts: Counts, responses: list[dict]) -> Grouping:
    """Group respondents by their answer to ``by``; groups hidden in ``by_counts`` merge."""
    shown = {key for key, value in by_counts.cells.items() if value is not None}
    groups: list[tuple[str, Any]] = [
        (row.key, row.label) for row in by_tally.rows if row.key in shown and row.count > 0
    ]
    if any(row.count > 0 and row.key not in shown for row in by_tally.rows):
        groups.append((MERGED, MERGED_LABEL))
    members: dict[str, str] = {}
    for response in responses:
        answer = response["answers"].get(by.id)
        if answer is None:
            continue
        key = answer.get("value") if isinstance(answer, dict) else answer
        members[response["id"]] = key if key in shown else MERGED
    return Grouping(by, groups, members)


def protect_with_breakdowns(
    tally: Tally,
    group_tallies: dict[str, dict[str, Tally]],
    groupings: dict[str, Grouping],
    k: int,
) -> tuple[Counts, dict[str, BreakdownView]]:
    """Protect a choice question's overall counts and its breakdowns as one system.

    ``group_tallies`` maps a background question id to ``{group: tally of that group}``.
    Returns the overall counts to publish and one view per breakdown.
    """
    overall = tally.counts()
    exclusive = sum(overall.values()) == tally.respondents
    tables = {
        b: {g: part.counts() for g, part in parts.items()} for b, parts in group_tallies.items()
    }
    sizes = None
    if not exclusive:
        sizes = {
            b: {g: part.respondents for g, part in parts.items()}
            for b, parts in group_tallies.items()
        }
    protected = suppress_breakdowns(
        overall,
        tables,
        k,
        total=None if exclusive else tally.respondents,
        group_sizes=sizes,
    )
    views = {
        b: BreakdownView(groupings[b].by, groupings[b].groups, protected.tables[b])
        for b in group_tallies
    }
    return protected.overall, views
