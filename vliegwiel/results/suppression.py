"""Small-group protection: hide counts of fewer than ``k`` respondents, and anything that
would let a reader work a hidden count out again.

Every number that leaves the database (pages, PDFs, exports, share bundles) goes through
here. The rules, in the order they are applied (docs/privacy.md explains them to readers):

1. *Too few answers*: when fewer than ``k`` respondents answered a question, nothing of it is
   shown. A background group (a row of a breakdown) with fewer than ``k`` respondents is
   hidden whole: its size and every cell, zeros included.
2. *Primary*: every published count with ``0 < count < k`` is hidden. Zeros are shown: a zero
   describes nobody, and hiding zeros would blank most cells of a village-sized table while
   the hidden "—" would still mean "small or zero". Zeros inside a hidden group stay hidden,
   because there "nobody of these two" is exactly what must not be told; unless a published
   zero total implies them ("nobody chose this" covers every group), then they show as 0.
3. *Complementary*: a published total and its parts form a *line* (total = sum of parts). A
   line with exactly one hidden number gives it away by subtraction, so a second one is
   hidden: the smallest non-zero shown part (the least information lost), else a zero part,
   a total only when no part is left.
4. *Enough uncertainty*: because zeros are shown, a reader knows every hidden part is at
   least 1. Two hidden parts that sum to 2 are therefore both 1. So when a line's total is
   shown, its ``h`` hidden parts must together hold at least ``k + h - 2`` respondents; then
   each hidden part could, as far as that line tells, be anything from 1 to ``k - 1``.
5. *Audit*: rules 3 and 4 look at one line at a time, but a reader can combine lines (the
   sum over some rows minus the sum over some columns). After them an exact linear audit
   (Gaussian elimination over fractions on every published equation) finds any hidden
   number the published ones still fix, and hides another number next to it until none is.

Breakdowns of one question (by age, by village part, ...) share the overall answer counts,
so they are protected together in one system of equations (:func:`suppress_breakdowns`): a
cell hidden in the age table cannot be recovered through the village-part table either.
Respondents in no group of a breakdown (the age question left open) form an unpublished
residual group; it is protected like any other group because a reader can compute it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from statistics import fmean
from typing import Any

from flask_babel import gettext as _

#: The default threshold; an instance sets its own in vliegwiel.toml.
K_DEFAULT = 5

_Key = tuple  # ("N",) | ("C", answer) | ("R", breakdown, group) | ("X", breakdown, group, answer)
_RESIDUAL = None  # group name of the residual group; never a string, so it cannot clash


@dataclass(frozen=True)
class Counts:
    """A question's answer counts as they may be published; ``None`` means hidden."""

    cells: dict[str, int | None]
    total: int | None

    @property
    def any_hidden(self) -> bool:
        return self.total is None or any(v is None for v in self.cells.values())


@dataclass(frozen=True)
class Table:
    """A breakdown (rows: background groups, columns: answers) as it may be published."""

    cells: dict[str, dict[str, int | None]]
    group_totals: dict[str, int | None]
    answer_totals: dict[str, int | None]
    total: int | None

    @property
    def any_hidden(self) -> bool:
        return (
            self.total is None
            or any(v is None for v in self.group_totals.values())
            or any(v is None for v in self.answer_totals.values())
            or any(v is None for row in self.cells.values() for v in row.values())
        )


@dataclass(frozen=True)
class Breakdowns:
    """The overall counts of a question and its breakdowns, protected together."""

    overall: Counts
    tables: dict[str, Table]


@dataclass(frozen=True)
class Line:
    total: _Key
    parts: tuple[_Key, ...]


def suppress_counts(
    counts: Mapping[str, int], k: int = K_DEFAULT, total: int | None = None
) -> Counts:
    """Protect a one-way table: the answer counts of one question.

    ``total`` is the number of respondents who answered, shown to readers. Leave it out (or
    pass the sum) for single-choice answers; for multiple choice it is smaller than the sum,
    the counts are then no line and need no complementary suppression.
    """
    return suppress_breakdowns(counts, {}, k, total=total).overall


def suppress_table(
    table: Mapping[str, Mapping[str, int]],
    k: int = K_DEFAULT,
    *,
    group_sizes: Mapping[str, int] | None = None,
) -> Table:
    """Protect a two-way breakdown ``{group: {answer: count}}`` with all its marginals.

    The answer totals (column sums) and the grand total are treated as published. For
    multiple choice pass ``group_sizes`` (respondents per group); rows are then no lines.
    """
    answers = _ordered(a for row in table.values() for a in row)
    overall = {a: sum(row.get(a, 0) for row in table.values()) for a in answers}
    total = sum(group_sizes.values()) if group_sizes is not None else None
    sizes = {"": dict(group_sizes)} if group_sizes is not None else None
    result = suppress_breakdowns(overall, {"": table}, k, total=total, group_sizes=sizes)
    return result.tables[""]


def suppress_breakdowns(
    overall: Mapping[str, int],
    breakdowns: Mapping[str, Mapping[str, Mapping[str, int]]],
    k: int = K_DEFAULT,
    *,
    total: int | None = None,
    group_sizes: Mapping[str, Mapping[str, int]] | None = None,
) -> Breakdowns:
    """Protect a question's overall counts and all its breakdowns as one system.

    ``breakdowns`` maps a breakdown name ("leeftijd") to ``{group: {answer: count}}``.
    ``total`` and ``group_sizes`` are as in :func:`suppress_counts` and
    :func:`suppress_table`; ``group_sizes`` is required when ``total`` says the answers are
    multiple choice.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    answers = list(overall)
    exclusive = total is None or total == sum(overall.values())
    n = sum(overall.values()) if total is None else total
    values: dict[_Key, int] = {("N",): n}
    values.update({("C", a): overall[a] for a in answers})
    lines: list[Line] = []
    groups: list[Line] = []  # a group's size and its cells: hidden whole when small
    if exclusive:
        lines.append(Line(("N",), tuple(("C", a) for a in answers)))
    for b, table in breakdowns.items():
        sizes = None if group_sizes is None else group_sizes[b]
        if sizes is None and not exclusive:
            raise ValueError(f"breakdown {b!r}: multiple-choice answers need group_sizes")
        rows: dict[str | None, dict[str, int]] = {
            g: {a: row.get(a, 0) for a in answers} for g, row in table.items()
        }
        unknown = set().union(*(row.keys() for row in table.values())) - set(answers)
        if unknown:
            raise ValueError(f"breakdown {b!r}: answers {sorted(unknown)} not in overall")
        residual = {a: overall[a] - sum(row[a] for row in rows.values()) for a in answers}
        row_sizes = {g: sum(row.values()) if sizes is None else sizes[g] for g, row in rows.items()}
        residual_size = n - sum(row_sizes.values())
        if min(residual.values(), default=0) < 0 or residual_size < 0:
            raise ValueError(f"breakdown {b!r} counts more than the overall counts")
        if residual_size or any(residual.values()):
            rows[_RESIDUAL], row_sizes[_RESIDUAL] = residual, residual_size
        for g, row in rows.items():
            values[("R", b, g)] = row_sizes[g]
            values.update({("X", b, g, a): c for a, c in row.items()})
            group = Line(("R", b, g), tuple(("X", b, g, a) for a in answers))
            groups.append(group)
            if exclusive:
                lines.append(group)
        lines.append(Line(("N",), tuple(("R", b, g) for g in rows)))
        lines.extend(Line(("C", a), tuple(("X", b, g, a) for g in rows)) for a in answers)
    if min(values.values()) < 0:
        raise ValueError("counts cannot be negative")

    hidden = _protect(values, lines, groups, k)
    shown = {key: (None if key in hidden else v) for key, v in values.items()}
    return Breakdowns(
        overall=Counts({a: shown[("C", a)] for a in answers}, shown[("N",)]),
        tables={
            b: Table(
                cells={g: {a: shown[("X", b, g, a)] for a in answers} for g in table},
                group_totals={g: shown[("R", b, g)] for g in table},
                answer_totals={a: shown[("C", a)] for a in answers},
                total=shown[("N",)],
            )
            for b, table in breakdowns.items()
        },
    )


def _protect(values: dict[_Key, int], lines: list[Line], groups: list[Line], k: int) -> set:
    """Return the keys to hide (rules 1-5 of the module docstring)."""
    if 0 < values[("N",)] < k:
        return set(values)
    return protect_system(values, lines, k, groups=[(g.total, g.parts) for g in groups])


def protect_system(
    values: Mapping[Any, int],
    lines: list[Line],
    k: int,
    *,
    groups: Iterable[tuple[Any, Iterable[Any]]] = (),
    unpublished: Iterable[Any] = (),
    exempt: Iterable[Any] = (),
    derivable: Iterable[Any] = (),
    group_only: Iterable[Any] = (),
    rank: Callable[[Any], int] | None = None,
) -> set:
    """The published numbers to hide so that no protected number can be worked out.

    A general form of rules 1-5 for any set of numbers tied by lines (``total = sum of
    parts``): every number a role can see, on every page, in one system.

    - ``values``: every number of the system, published or not, by key.
    - ``unpublished``: numbers no page shows (how many who skipped the age question said
      "ja"); they are unknowns to a reader, and protected when sensitive.
    - ``groups``: ``(size, members)``; a group of 1 to k - 1 is protected whole, zeros
      included.
    - ``exempt``: numbers that say only who left questions open, never what anyone
      answered (how many skipped a question, or two): never sensitive; each question shows
      how many answered it.
    - ``group_only``: numbers sensitive only as members of a small group, not by their
      own value (how many of a group left a question open).
    - ``derivable``: unpublished numbers a reader can always compute (respondents minus
      those who answered); a zero among them tells its parts are zero.
    - ``rank``: how much a reader would miss a number (lower: hidden first when a
      second number must go); among equals the smallest is hidden.

    Sensitive are the numbers from 1 to k - 1 (unless exempt) and the members of small
    groups, less any zero that a published zero total implies. Returned are the published
    keys to hide; after hiding them no sensitive number and no hidden published number is
    fixed by the published ones (exact linear audit), and every line with a known total
    leaves its hidden parts at least k - 2 (and at least 1) of room beyond the lower bounds
    a reader knows (1 for a hidden published number that is not zero: zeros are shown).
    """
    values = dict(values)
    groups = list(groups)
    unpublished = set(unpublished)
    exempt = set(exempt)
    group_only = set(group_only)
    sensitive = {key for key, v in values.items() if 0 < v < k and key not in exempt | group_only}
    for size, members in groups:
        if 0 < values[size] < k:
            sensitive.update(members)
            sensitive.add(size)
    sensitive -= exempt
    # A published zero total tells everyone its parts are zero ("nobody chose nee" covers
    # the hidden group too), so those parts are known, and such lines protect nothing.
    # Assuming a reader knows the derivable numbers (how many left a question open:
    # respondents minus those who answered) is the safe side.
    known = (set(values) - unpublished) | set(derivable)
    public = {key for key, v in values.items() if v == 0 and key in known - sensitive}
    # Members of a group are part of it, so a group of none has members of none, also
    # where they are no line (the ticks of a multiple-choice question).
    containers = [(line.total, line.parts) for line in lines] + [
        (size, tuple(members)) for size, members in groups
    ]
    changed = True
    while changed:
        changed = False
        for total, parts in containers:
            if total in public and not public.issuperset(parts):
                public.update(parts)
                changed = True
        for line in lines:  # and a sum of known zeros is a known zero
            if line.total not in public and public.issuperset(line.parts):
                public.add(line.total)
                changed = True
    sensitive -= public
    lines = [line for line in lines if line.total not in public]
    hidden = (sensitive | unpublished) - public - set(derivable)
    protector = _Protector(values, hidden, public, sensitive, unpublished, k, rank or _no_rank)
    index: dict[Any, list[Line]] = {}
    for line in lines:
        for key in (line.total, *line.parts):
            index.setdefault(key, []).append(line)
    pending = list(lines)
    while True:
        key = None
        while pending and key is None:
            key = protector.line_fix(pending[-1])
            if key is None:
                pending.pop()
        keys = [key] if key is not None else protector.audit_fix(lines, index)
        if not keys:
            return hidden - unpublished
        hidden.update(keys)
        # Only the lines through the newly hidden numbers can have changed.
        for key in keys:
            pending.extend(index.get(key, []))


def _no_rank(key: Any) -> int:
    return 0


@dataclass
class _Protector:
    values: dict[Any, int]
    hidden: set
    public: set
    sensitive: set
    unpublished: set
    k: int
    rank: Callable[[Any], int]

    def cost(self, key: Any) -> tuple[int, int]:
        return (self.rank(key), self.values[key])

    def protected(self, key: Any) -> bool:
        """Must stay unknown: sensitive, or shown as hidden."""
        return key in self.hidden and (key in self.sensitive or key not in self.unpublished)

    def lower_bound(self, key: Any) -> int:
        """What a reader knows a hidden number is at least: zeros are shown, so a hidden
        published number that is not zero is at least 1 (a reader told which hidden numbers
        are zeros; more than they are told, which makes the rule safer)."""
        return 1 if key not in self.unpublished and self.values[key] > 0 else 0

    def line_fix(self, line: Line) -> Any | None:
        """The next key to hide for this line to satisfy rules 3 and 4, or None if it does."""
        unknown = [key for key in (line.total, *line.parts) if key in self.hidden]
        if len(unknown) == 1:
            return self.cheapest(line) if self.protected(unknown[0]) else None
        if line.total in self.hidden:
            return None
        hidden_parts = [p for p in line.parts if p in self.hidden]
        if not any(self.protected(p) for p in hidden_parts):
            return None
        room = sum(self.values[p] - self.lower_bound(p) for p in hidden_parts)
        if room >= max(1, self.k - 2):
            return None
        return self.cheapest(line, zeros=False)

    def shown(self, key: Any) -> bool:
        return key not in self.hidden and key not in self.public and key not in self.unpublished

    def cheapest(self, line: Line, zeros: bool = True) -> Any | None:
        """The shown number of a line whose hiding costs least: a part before the total (a
        total is what readers look at first), and a zero part only when a second hidden
        entry is all that is needed (``zeros``): a zero adds no uncertainty about the sum."""
        shown = [p for p in line.parts if self.shown(p)]
        nonzero = [p for p in shown if self.values[p] > 0]
        if nonzero:
            return min(nonzero, key=self.cost)  # min keeps the first of equals
        if shown and zeros:
            return min(shown, key=self.rank)
        return line.total if self.shown(line.total) else None

    def audit_fix(self, lines: list[Line], index: dict[Any, list[Line]]) -> list[Any]:
        """Keys to hide next to the protected numbers the published equations still fix:
        one per fixed number (the audit is the costly step, so it fixes them together;
        a fixed number whose lines already lose a number this round waits for the next)."""
        determined = [key for key in _determined(lines, self.hidden) if self.protected(key)]
        chosen: list[Any] = []
        touched: set[int] = set()
        for key in determined:
            if any(id(line) in touched for line in index.get(key, [])):
                continue
            candidate = self.nearest(key, index)
            chosen.append(candidate)
            touched.update(id(line) for line in index.get(candidate, []))
        return chosen

    def nearest(self, key: Any, index: dict[Any, list[Line]]) -> Any:
        """The number to hide next to a protected number ``key`` that is fixed."""
        determined = [key]
        # Nearest first: the lines through a fixed number, then the lines through the
        # hidden numbers of those lines, and so on; on each ring the cheapest shown number
        # (a part before a total of the same rank, a non-zero before a zero).
        seen_keys, seen_lines = set(determined), set()
        frontier = list(determined)
        while frontier:
            touching = [
                line
                for key in frontier
                for line in index.get(key, [])
                if id(line) not in seen_lines
            ]
            seen_lines.update(id(line) for line in touching)
            # A number that would be hidden at its bound (a 0 or a 1) can move one way
            # only, so it frees the numbers around it less: it goes last.
            candidates = [
                (self.rank(key), is_total, self.values[key] <= 1, self.values[key], key)
                for line in touching
                for is_total, key in [(False, p) for p in line.parts] + [(True, line.total)]
                if self.shown(key)
            ]
            if candidates:
                return min(candidates, key=lambda c: c[:4])[-1]
            frontier = [
                key
                for line in touching
                for key in (line.total, *line.parts)
                if key in self.hidden and key not in seen_keys
            ]
            seen_keys.update(frontier)
        raise AssertionError(f"{determined[:3]} fixed while every number is hidden")


def _determined(lines: list[Line], hidden: set) -> list[_Key]:
    """Hidden keys whose value follows from the published equations (reduced row echelon).

    Unknowns are the hidden numbers; each line gives ``sum(hidden parts) - hidden total =
    known``. An unknown is fixed exactly when its pivot row has no entry in a free column.
    """
    unknowns = _ordered(k for line in lines for k in (line.total, *line.parts) if k in hidden)
    index = {key: i for i, key in enumerate(unknowns)}
    rows: list[dict[int, Fraction]] = []
    for line in lines:
        row = {index[p]: Fraction(1) for p in line.parts if p in hidden}
        if line.total in hidden:
            row[index[line.total]] = Fraction(-1)
        if row:
            rows.append(row)
    pivots: dict[int, dict[int, Fraction]] = {}  # pivot column -> its row
    for row in rows:
        for col, prow in pivots.items():
            if col in row:
                row = _axpy(row, -row[col], prow)
        if not row:
            continue
        col = min(row)
        row = {c: v / row[col] for c, v in row.items()}
        for other, orow in pivots.items():
            if col in orow:
                pivots[other] = _axpy(orow, -orow[col], row)
        pivots[col] = row
    return [unknowns[col] for col, row in pivots.items() if all(c in pivots for c in row)]


def _axpy(y: dict[int, Fraction], a: Fraction, x: dict[int, Fraction]) -> dict[int, Fraction]:
    out = dict(y)
    for c, v in x.items():
        out[c] = out.get(c, Fraction(0)) + a * v
        if out[c] == 0:
            del out[c]
    return out


def _ordered(items: Iterable) -> list:
    return list(dict.fromkeys(items))


def percent(count: int | None, total: int | None) -> float | None:
    """``count`` as a percentage of ``total``; None when either is hidden or total is 0."""
    if count is None or total is None or total <= 0:
        return None
    return 100.0 * count / total


def suppress_mean(values: list[float], k: int = K_DEFAULT) -> float | None:
    """The mean of a numeric answer, or None when fewer than ``k`` respondents gave one.

    Publishing group means *with their group sizes* next to an overall mean lets a reader
    recover a hidden group's sum by subtraction; show group sizes only as suppressed counts.
    """
    if len(values) < k or not values:
        return None
    return fmean(values)


def threshold_note(k: int = K_DEFAULT) -> str:
    """The sentence shown under every protected table (Dutch, translated by Flask-Babel)."""
    return _("Groepen met minder dan %(k)s antwoorden worden niet getoond.", k=k)


def stepped(responses: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """The first ``j * k`` responses (arrival order), the most a non-beheerder may see.

    Any two views cut this way differ by 0 or at least k responses, so no one resident's
    answers can be found by subtracting one view from another (docs/privacy.md).
    """
    return responses[: len(responses) - len(responses) % k] if k > 0 else responses
