"""Breakdowns, and the protection of every table a role can see at once.

A lezer can open the results page broken down by any single-choice question
(``?uitsplitsing=...``), so the numbers of one view are: every question's answer counts and
respondents, every choice question broken down by every breakdown question, the channel
counts and the number of respondents. A reader can combine all of them. So they are
protected as one system of equations (``suppression.protect_system``), computed once per
view; each page shows a part of it, and a part of a safe system is safe.

The system is built on the full two-way tables of every pair (question, breakdown question),
with "left the question open" as a value of both (``SKIP``): whoever skipped the age
question is a group like any other, and so are the residents who skipped the question
being broken down. All published numbers are sums of those cells:

- ``("T", x, v, y, w)``: respondents with answer ``v`` to ``x`` and ``w`` to ``y``
  (``x`` before ``y`` in the survey; ``v``/``w`` may be ``SKIP``); never all of them
  published.
- ``("C", q, a)``: answer counts (``("C", q, SKIP)``: how many left ``q`` open, never
  sensitive on its own: it is "respondents minus those who answered").
- ``("n", q)``: respondents of a question; ``("resp",)``: of the survey; ``("CH", c)``:
  per channel.
- ``("P", y, w, x)``: how many of group ``w`` of ``y`` answered ``x``: the row totals of
  "``x`` broken down by ``y``".
- ``("M", x, y, a)``, ``("MP", x, y)``: the merged row of groups too small to show alone.

What is protected (docs/privacy.md, "The guarantee"): every count from 1 to k - 1, and
every number of a group or answer of fewer than k people (the "left open" groups too),
zeros included. Numbers that say only who left questions open (how many skipped one, or
two) are never sensitive; how many of a group left a question open is protected as a
member of a small group, not for its own value.

The rows of a breakdown are the answers of the background question. A group whose size the
background question's own table hides is never shown as a row of its own: all such groups
are merged into one row, "Overige groepen".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext

from vliegwiel.results.suppression import Counts, Line, Table, protect_system
from vliegwiel.surveys.question_types import Tally
from vliegwiel.surveys.schema import Question, Survey

#: Question types whose answer puts a respondent in exactly one group.
BREAKDOWN_TYPES = ("single_choice", "yes_no")
#: The row that holds every group too small to show on its own.
MERGED = "__overig__"
MERGED_LABEL = lazy_gettext("Overige groepen (samengevoegd)")
#: The value "left this question open", in the two-way tables.
SKIP = None


@dataclass
class BreakdownView:
    """One protected breakdown table of one question, ready for a page or a PDF."""

    by: Question
    groups: list[tuple[str, Any]]
    table: Table


@dataclass
class JointProtection:
    """Everything one view may show of its choice questions, protected together."""

    #: Protected answer counts per choice question id.
    counts: dict[str, Counts] = field(default_factory=dict)
    #: Question id -> breakdown question id -> protected table.
    breakdowns: dict[str, dict[str, BreakdownView]] = field(default_factory=dict)
    channels: Counts | None = None
    #: False when the number of respondents itself had to be hidden.
    respondents_shown: bool = True


def candidates(survey: Survey) -> list[Question]:
    """The questions a survey's results may be broken down by: single answers only."""
    return [q for q in survey.questions() if q.type in BREAKDOWN_TYPES]


def answer_key(answer: Any) -> Any:
    """The option a single-choice answer chose (stored plain or as ``{"value": ...}``)."""
    return answer.get("value") if isinstance(answer, dict) else answer


def protect_jointly(
    survey: Survey,
    tallies: dict[str, Tally],
    responses: list[dict[str, Any]],
    tally_of: Callable[[Question, list[Any]], Tally],
    channels: dict[str, int],
    k: int,
) -> JointProtection:
    """Protect every choice question (respondents >= k) with its breakdowns by every
    breakdown question, the channel counts and the respondents, as one system.

    ``tally_of(question, answers)`` tallies a question over some answers (the question
    type's own tally).
    """
    groups_of: dict[str, list[Any]] = {}

    def cross(q: Question, b: Question, q_answers: list[Any], b_answers: list[Any]) -> tuple:
        if b.id not in groups_of:
            groups_of[b.id] = [answer_key(r["answers"].get(b.id)) for r in responses]
        return _cross(q, q_answers, b_answers, responses, groups_of[b.id], tally_of)

    return protect_crosses(survey, tallies, len(responses), cross, channels, k)


#: ``cross(q, b, q_answers, b_answers)``: the two-way table of ``q`` by breakdown question
#: ``b`` (``_cross``): respondents (ticks) per (answer, group) and who answered per group.
Cross = Callable[[Question, Question, list[Any], list[Any]], tuple[dict, dict]]


def protect_crosses(
    survey: Survey,
    tallies: dict[str, Tally],
    respondents: int,
    cross: Cross,
    channels: dict[str, int],
    k: int,
) -> JointProtection:
    """``protect_jointly`` with the two-way tables from ``cross`` instead of a list of
    responses (results added up per storage chunk count them from raw tallies)."""
    choice = [
        q
        for q in survey.questions()
        if tallies[q.id].kind == "choice" and tallies[q.id].respondents >= k
    ]
    counts = {q.id: tallies[q.id].counts() for q in choice}
    by_questions = [q for q in candidates(survey) if q in choice]
    crosses = {}
    for b in by_questions:
        for q in choice:
            if q.id != b.id:
                crosses[q.id, b.id] = cross(q, b, list(counts[q.id]), list(counts[b.id]))
    # A group the background question's own table hides is never a row of its own: it
    # joins the merged row. Which groups those are is known only after protecting, so a
    # group hidden to protect another one means a second round with it merged too.
    merged = {b.id: [w for w, c in counts[b.id].items() if 0 < c < k] for b in by_questions}
    for _round in range(3):
        joint = _Joint(survey, tallies, counts, respondents, channels, k)
        for (q, b), (cells, answered) in crosses.items():
            # Every group merged is no breakdown, only the overall counts again.
            if any(c > 0 and w not in merged[b] for w, c in counts[b].items()):
                joint.add_table(q, b, cells, answered, merged[b])
        result = joint.protect()
        grown = {
            b.id: [
                w for w, c in counts[b.id].items() if c > 0 and result.counts[b.id].cells[w] is None
            ]
            for b in by_questions
        }
        if all(set(grown[b]) <= set(merged[b]) for b in merged):
            break
        merged = {
            b: sorted(set(merged[b]) | set(grown[b]), key=list(counts[b]).index) for b in merged
        }
    return result


class _Joint:
    """One view's system: its numbers, lines and groups, and the tables shown from it."""

    def __init__(
        self,
        survey: Survey,
        tallies: dict[str, Tally],
        counts: dict[str, dict[str, int]],
        respondents: int,
        channels: dict[str, int],
        k: int,
    ) -> None:
        self.survey = survey
        self.questions = {q.id: q for q in survey.questions()}
        self.order = {q.id: i for i, q in enumerate(survey.questions())}
        self.tallies = tallies
        self.counts = counts
        self.channels = channels
        self.system = system = _System(k)
        self.tables: list[tuple[str, str, list[Any], list[Any]]] = []
        system.add("resp", respondents, published=True)
        for channel, count in channels.items():
            system.add(("CH", channel), count, published=True)
        system.line(("resp",), [("CH", c) for c in channels])
        self.exclusive: dict[str, bool] = {}
        for qid, answers in counts.items():
            n = tallies[qid].respondents
            self.exclusive[qid] = sum(answers.values()) == n
            system.add(("n", qid), n, published=True)
            for a, c in answers.items():
                system.add(("C", qid, a), c, published=True)
            system.add(("C", qid, SKIP), respondents - n, exempt=True)
            system.derivable.add(("C", qid, SKIP))
            if self.exclusive[qid]:
                system.line(("n", qid), [("C", qid, a) for a in answers])
            system.line(("resp",), [("n", qid), ("C", qid, SKIP)])

    def add_table(
        self,
        q: str,
        b: str,
        cells: dict[tuple[Any, Any], int],
        answered: dict[Any, int],
        merged: list[Any],
    ) -> None:
        for (v, w), value in cells.items():
            self.system.add(_cell(self.order, q, v, b, w), value)
        answers = {q: list(self.counts[q]), b: list(self.counts[b])}
        _add_table(self.system, self.order, q, b, answers, answered, self.exclusive[q], merged)
        rows = [w for w, c in self.counts[b].items() if c > 0 and w not in merged]
        self.tables.append((q, b, rows, merged))

    def protect(self) -> JointProtection:
        system, order = self.system, self.order
        shown = system.shown(system.protect())
        result = JointProtection()
        result.respondents_shown = shown[("resp",)] is not None
        result.channels = Counts({c: shown[("CH", c)] for c in self.channels}, shown[("resp",)])
        for qid, answers in self.counts.items():
            result.counts[qid] = Counts(
                {a: shown[("C", qid, a)] for a in answers}, shown[("n", qid)]
            )
        for q, b, rows, merged in self.tables:
            answers = list(self.counts[q])
            labels = {row.key: row.label for row in self.tallies[b].rows}
            cells = {w: {a: shown[_cell(order, q, a, b, w)] for a in answers} for w in rows}
            totals = {w: shown[("P", b, w, q)] for w in rows}
            groups = [(w, labels[w]) for w in rows]
            if any(self.counts[b][w] > 0 for w in merged):
                cells[MERGED] = {a: shown[("M", q, b, a)] for a in answers}
                totals[MERGED] = shown[("MP", q, b)]
                groups.append((MERGED, MERGED_LABEL))
            table = Table(
                cells=cells,
                group_totals=totals,
                answer_totals=dict(result.counts[q].cells),
                total=result.counts[q].total,
            )
            view = BreakdownView(self.questions[b], groups, table)
            result.breakdowns.setdefault(q, {})[b] = view
        return result


def _cell(order: dict[str, int], x: str, v: Any, y: str, w: Any) -> tuple:
    """The key of a two-way cell, the same whichever question is the breakdown."""
    return ("T", x, v, y, w) if order[x] < order[y] else ("T", y, w, x, v)


def _cross(
    q: Question,
    q_answers: list[Any],
    b_answers: list[Any],
    responses: list[dict[str, Any]],
    groups: list[Any],
    tally_of: Callable[[Question, list[Any]], Tally],
) -> tuple[dict[tuple[Any, Any], int], dict[Any, int]]:
    """The two-way table of ``q`` by a breakdown question with SKIP on both sides:
    respondents per (answer to q, group); for multiple choice, ticks per (option, group).
    Also how many of each group answered ``q``. ``groups`` holds each response's group."""
    per_group: dict[Any, list[Any]] = {w: [] for w in [*b_answers, SKIP]}
    sizes: dict[Any, int] = {w: 0 for w in per_group}
    for response, w in zip(responses, groups, strict=True):
        w = w if w in per_group else SKIP
        sizes[w] += 1
        if q.id in response["answers"]:
            per_group[w].append(response["answers"][q.id])
    cells: dict[tuple[Any, Any], int] = {}
    answered: dict[Any, int] = {}
    for w, given in per_group.items():
        if q.type in BREAKDOWN_TYPES:
            # One option per answer: counted here, as the type's tally counts it, without
            # building a tally per group (this runs for every pair of questions). An answer
            # that is no option (any more) is left open here as on the group side, so both
            # sides of the table count the same people in the same cells.
            counts = Counter(a for a in map(answer_key, given) if a in q_answers)
            respondents = sum(counts.values())
        else:
            tally = tally_of(q, given)
            counts, respondents = Counter(tally.counts()), tally.respondents
        for a in q_answers:
            cells[(a, w)] = counts.get(a, 0)
        cells[(SKIP, w)] = sizes[w] - respondents
        answered[w] = respondents
    return cells, answered


def _add_table(
    system: _System,
    order: dict[str, int],
    x: str,
    y: str,
    answers: dict[str, list[Any]],
    answered: dict[Any, int],
    exclusive: bool,
    merged: list[Any],
) -> None:
    """The numbers and lines of "``x`` broken down by ``y``" (rows: groups of ``y``)."""
    x_all = [*answers[x], SKIP]
    y_all = [*answers[y], SKIP]

    def cell(v: Any, w: Any) -> tuple:
        return _cell(order, x, v, y, w)

    # Numbers that say only who left both questions open, or left y open and answered x,
    # tell no answer: never sensitive (module docstring).
    system.exempt.update([cell(SKIP, SKIP), ("P", y, SKIP, x)])
    # How many of a group left x open is protected when the group, or those who left x
    # open, are fewer than k (the sole age skipper lives in Noord), not for its own
    # value: "3 of the 40 in Noord did not answer" tells nobody's answer.
    system.group_only.update(cell(SKIP, w) for w in answers[y])
    for w in y_all:
        key = ("P", y, w, x)
        value = answered[w]
        shown_row = w is not SKIP and w not in merged and system.values[("C", y, w)] > 0
        system.add(key, value, published=shown_row)
        if exclusive:
            system.line(key, [cell(a, w) for a in answers[x]])
        system.line(("C", y, w), [key, cell(SKIP, w)])
        # A small group of y (SKIP included) is protected whole, zeros included.
        system.group(("C", y, w), [key, *(cell(v, w) for v in x_all)])
        if shown_row:
            system.publish(cell(a, w) for a in answers[x])
    system.line(("n", x), [("P", y, w, x) for w in y_all])
    for v in x_all:
        system.line(("C", x, v), [cell(v, w) for w in y_all])
        # A small answer of x (a column) is protected whole too: a zero in the sole 80+
        # resident's column would say what they did not answer.
        system.group(("C", x, v), [cell(v, w) for w in y_all])
    if merged:
        # A group hidden only to protect another (at least k) counts here as merged.
        size = ("MP", x, y)
        system.add(size, sum(system.values[("P", y, w, x)] for w in merged), published=True)
        system.line(size, [("P", y, w, x) for w in merged])
        parts = []
        for a in answers[x]:
            key = ("M", x, y, a)
            system.add(key, sum(system.values[cell(a, w)] for w in merged), published=True)
            system.line(key, [cell(a, w) for w in merged])
            parts.append(key)
        if exclusive:
            system.line(size, parts)
        system.group(size, parts)


#: Which numbers go first when a second one must be hidden: a cell of a breakdown before
#: its row total, a row total before an answer count, the number of respondents last.
_RANKS = {"T": 0, "M": 0, "P": 1, "MP": 1, "C": 2, "n": 3, "CH": 3, "resp": 4}


def _rank(key: Any) -> int:
    return _RANKS.get(key[0], 0)


class _System:
    """Numbers, lines and groups collected for ``protect_system``."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.values: dict[Any, int] = {}
        self.published: set = set()
        self.exempt: set = set()
        self.derivable: set = set()
        self.group_only: set = set()
        self.lines: list[Line] = []
        self.groups: list[tuple[Any, list[Any]]] = []
        self._seen_lines: set = set()

    def add(self, key: Any, value: int, *, published: bool = False, exempt: bool = False) -> None:
        key = key if isinstance(key, tuple) else (key,)
        if key in self.values and self.values[key] != value:
            raise AssertionError(f"{key} counted twice as {self.values[key]} and {value}")
        self.values[key] = value
        if published:
            self.published.add(key)
        if exempt:
            self.exempt.add(key)

    def publish(self, keys: Any) -> None:
        self.published.update(keys)

    def line(self, total: Any, parts: list[Any]) -> None:
        signature = (total, frozenset(parts))
        if signature not in self._seen_lines:
            self._seen_lines.add(signature)
            self.lines.append(Line(total, tuple(parts)))

    def group(self, size: Any, members: list[Any]) -> None:
        self.groups.append((size, members))

    def protect(self) -> set:
        return protect_system(
            self.values,
            self.lines,
            self.k,
            groups=self.groups,
            unpublished=set(self.values) - self.published,
            exempt=self.exempt,
            derivable=self.derivable,
            group_only=self.group_only,
            rank=_rank,
        )

    def shown(self, hidden: set) -> dict[Any, int | None]:
        return {key: None if key in hidden else v for key, v in self.values.items()}
