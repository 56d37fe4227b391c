"""Small-group protection: the numbers a reader sees never give away a group under k.

The checkers below are written independently of vliegwiel.results.suppression: they rebuild every
published equation (total = sum of parts) from the raw data and attack the published numbers
the way a curious reader would: by subtraction within one line, and by searching all
non-negative integer tables that agree with everything published.
"""

from __future__ import annotations

import itertools

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import given, settings
from hypothesis import strategies as st

from vliegwiel.results.suppression import (
    K_DEFAULT,
    Table,
    percent,
    suppress_breakdowns,
    suppress_counts,
    suppress_mean,
    suppress_table,
    threshold_note,
)

# A line is a published equation: sum(coef * value) == 0 over its entries.
# Entry: (name, coef, true value, shown value or None when hidden).
Entry = tuple[object, int, int, "int | None"]


def table_lines(table: dict, shown) -> list[list[Entry]]:
    """Equations a reader has for a breakdown published with all its marginals."""
    groups = list(table)
    answers = list(dict.fromkeys(a for row in table.values() for a in row))
    cell = {(g, a): table[g].get(a, 0) for g in groups for a in answers}
    n = sum(cell.values())
    lines = []
    for g in groups:
        lines.append(
            [(("R", g), -1, sum(table[g].values()), shown.group_totals[g])]
            + [(("X", g, a), 1, cell[g, a], shown.cells[g][a]) for a in answers]
        )
    for a in answers:
        col = sum(cell[g, a] for g in groups)
        lines.append(
            [(("C", a), -1, col, shown.answer_totals[a])]
            + [(("X", g, a), 1, cell[g, a], shown.cells[g][a]) for g in groups]
        )
    lines.append(
        [("N", -1, n, shown.total)]
        + [(("R", g), 1, sum(table[g].values()), shown.group_totals[g]) for g in groups]
    )
    lines.append(
        [("N", -1, n, shown.total)]
        + [(("C", a), 1, sum(cell[g, a] for g in groups), shown.answer_totals[a]) for a in answers]
    )
    return lines


def joint_lines(overall: dict, breakdowns: dict, overall_shown, tables_shown) -> list:
    """Equations for an overall count table plus complete breakdowns of the same answers.

    The answer totals and the grand total are one number wherever they appear: a reader
    knows it when any page shows it.
    """

    def anywhere(*shown):
        return next((v for v in shown if v is not None), None)

    n = sum(overall.values())
    n_shown = anywhere(overall_shown.total, *(t.total for t in tables_shown.values()))
    c_shown = {
        a: anywhere(overall_shown.cells[a], *(t.answer_totals[a] for t in tables_shown.values()))
        for a in overall
    }
    lines = [[("N", -1, n, n_shown)] + [(("C", a), 1, c, c_shown[a]) for a, c in overall.items()]]
    for b, table in breakdowns.items():
        for line in table_lines(table, tables_shown[b]):
            renamed = []
            for name, coef, true, shown in line:
                if name == "N":
                    renamed.append(("N", coef, true, n_shown))
                elif name[0] == "C":
                    renamed.append((name, coef, true, c_shown[name[1]]))
                else:
                    renamed.append(((b, *name), coef, true, shown))
            lines.append(renamed)
    return lines


def lonely_hidden(lines: list[list[Entry]]) -> set:
    """Hidden numbers that are the only hidden entry of some line: total minus the rest."""
    found = set()
    for line in lines:
        hidden = {name for name, _, _, shown in line if shown is None}
        if len(hidden) == 1:
            found |= hidden
    return found


def recoverable(lines: list[list[Entry]], lower: dict | None = None) -> set:
    """Hidden numbers that take one value in every integer table matching what is shown.

    Brute force: enumerate all assignments of non-negative integers (or ``lower[name]``) to
    the hidden numbers that satisfy every published equation. Stops early once every hidden
    number has been seen with two values.
    """
    lower = lower or {}
    eqs, truth = [], {}
    for line in lines:
        const, terms = 0, {}
        for name, coef, true, shown in line:
            if shown is None:
                terms[name] = terms.get(name, 0) + coef
                truth[name] = true
            else:
                assert shown == true, f"{name} shown as {shown}, true value {true}"
                const += coef * shown
        if terms:
            eqs.append((terms, -const))
    names = list(truth)
    bound = max(truth.values(), default=0) + sum(abs(c) for _, c in eqs) + 1
    seen: dict = {name: set() for name in names}

    def solve(assigned: dict) -> bool:  # returns True to stop early
        changed = True
        assigned = dict(assigned)
        while changed:
            changed = False
            for terms, rhs in eqs:
                open_ = [v for v in terms if v not in assigned]
                rest = rhs - sum(terms[v] * assigned[v] for v in terms if v in assigned)
                if not open_ and rest != 0:
                    return False
                if len(open_) == 1:
                    v = open_[0]
                    if rest % terms[v] or not lower.get(v, 0) <= rest // terms[v] <= bound:
                        return False
                    assigned[v] = rest // terms[v]
                    changed = True
        open_ = [v for v in names if v not in assigned]
        if not open_:
            for v, x in assigned.items():
                seen[v].add(x)
            return all(len(s) >= 2 for s in seen.values())
        v = open_[0]
        return any(solve({**assigned, v: x}) for x in range(lower.get(v, 0), bound + 1))

    # The checker itself must accept the real table, or it proves nothing.
    assert all(sum(c * truth[v] for v, c in terms.items()) == rhs for terms, rhs in eqs)
    solve({})
    return {v for v in names if len(seen[v]) == 1}


# --- One question ------------------------------------------------------------------------


def test_small_option_hidden_with_its_complement():
    # 40 answers; "fiets" has 2 (< 5) so it is hidden. With only it hidden, 40 - 21 - 6 - 11
    # = 2 would give it back, so the smallest other count, "bus" (6), is hidden as well.
    # A reader now knows fiets + bus = 8 and nothing more.
    counts = {"fiets": 2, "auto": 21, "bus": 6, "lopen": 11}
    result = suppress_counts(counts, k=5, total=40)
    assert result.cells == {"fiets": None, "auto": 21, "bus": None, "lopen": 11}
    assert result.total == 40
    left = result.total - sum(v for v in result.cells.values() if v is not None)
    assert left == 8 and left not in (counts["fiets"], counts["bus"])


def test_two_hidden_ones_are_not_left_as_the_only_hidden_cells():
    # 1 + 1 + 38 = 40. Hiding only the two ones leaves "two hidden, together 2"; since zeros
    # are shown, a hidden count is at least 1, so both must be 1. The 38 goes too.
    result = suppress_counts({"ja": 1, "nee": 1, "weet niet": 38}, k=5)
    assert result.cells == {"ja": None, "nee": None, "weet niet": None}
    assert result.total == 40
    # With a fourth option the cheapest extra is the 7: hidden 1 + 1 + 7 = 9 over three
    # cells, so each could be anything from 1 to 7.
    result = suppress_counts({"a": 1, "b": 1, "c": 7, "d": 31}, k=5)
    assert result.cells == {"a": None, "b": None, "c": None, "d": 31}


def test_question_with_fewer_than_k_answers_is_hidden_whole():
    result = suppress_counts({"ja": 2, "nee": 1, "misschien": 0}, k=5)
    assert result.total is None
    assert result.cells == {"ja": None, "nee": None, "misschien": None}


def test_zeros_are_shown():
    # Nobody chose "misschien": a zero names no one, and the other counts are >= k.
    result = suppress_counts({"ja": 12, "nee": 28, "misschien": 0}, k=5)
    assert result.cells == {"ja": 12, "nee": 28, "misschien": 0}
    assert not result.any_hidden


def test_multiple_choice_needs_no_complement():
    # 40 respondents ticked 57 boxes: counts do not add up to the total, so hiding "trein"
    # alone cannot be undone by subtraction.
    result = suppress_counts({"trein": 2, "auto": 30, "fiets": 25}, k=5, total=40)
    assert result.cells == {"trein": None, "auto": 30, "fiets": 25}
    assert result.total == 40


def test_k_is_the_instance_setting():
    counts = {"ja": 6, "nee": 34}
    assert suppress_counts(counts, k=5).cells == {"ja": 6, "nee": 34}
    assert suppress_counts(counts, k=10).cells == {"ja": None, "nee": None}
    assert K_DEFAULT == 5
    with pytest.raises(ValueError):
        suppress_counts(counts, k=0)


# --- Breakdowns --------------------------------------------------------------------------

AGE = {
    "jong": {"ja": 10, "nee": 12, "weet niet": 6},
    "midden": {"ja": 3, "nee": 20, "weet niet": 8},
    "oud": {"ja": 15, "nee": 9, "weet niet": 7},
}


def test_small_cell_in_a_breakdown_cannot_be_recovered():
    result = suppress_table(AGE, k=5)
    assert result.cells["midden"]["ja"] is None
    lines = table_lines(AGE, result)
    assert lonely_hidden(lines) == set()
    # Every row and column with a hidden cell has at least two hidden cells...
    for line in lines:
        assert sum(shown is None for *_, shown in line) != 1
    # ...and no integer table agreeing with what is shown pins any hidden number down.
    assert recoverable(lines) == set()
    # What stays visible is the real number, and the marginals are all visible here.
    assert result.group_totals == {"jong": 28, "midden": 31, "oud": 31}
    assert result.answer_totals == {"ja": 28, "nee": 41, "weet niet": 21}
    shown = [v for row in result.cells.values() for v in row.values() if v is not None]
    assert shown and all(v >= 5 for v in shown)


def test_hidden_cell_fixed_by_combining_lines_is_protected_too():
    # With k = 3 the nine 2s are hidden. Every row and column then has two or three hidden
    # cells, enough people in them, and still: (rows r1 + r2) - (columns c1 + c2) leaves
    # only the 2 at (r2, c3). A reader adds and subtracts published totals and finds it.
    table = {
        "r1": {"c1": 2, "c2": 2, "c3": 10, "c4": 10},
        "r2": {"c1": 2, "c2": 2, "c3": 2, "c4": 10},
        "r3": {"c1": 10, "c2": 10, "c3": 2, "c4": 2},
        "r4": {"c1": 10, "c2": 10, "c3": 2, "c4": 2},
    }
    only_small = Table(
        cells={g: {a: (None if v < 3 else v) for a, v in row.items()} for g, row in table.items()},
        group_totals={g: sum(row.values()) for g, row in table.items()},
        answer_totals={a: sum(row[a] for row in table.values()) for a in table["r1"]},
        total=sum(sum(row.values()) for row in table.values()),
    )
    lines = table_lines(table, only_small)
    assert lonely_hidden(lines) == set()
    assert _linear_recoverable(lines) == {("X", "r2", "c3")}

    result = suppress_table(table, k=3)
    lines = table_lines(table, result)
    assert lonely_hidden(lines) == set()
    assert _linear_recoverable(lines) == set()


def test_group_under_k_is_hidden_whole():
    table = {**AGE, "tiener": {"ja": 1, "nee": 2, "weet niet": 0}}
    result = suppress_table(table, k=5)
    # The group's size, its counts and even its zero: "neither of the three said weet niet"
    # is about the three people in it.
    assert result.group_totals["tiener"] is None
    assert result.cells["tiener"] == {"ja": None, "nee": None, "weet niet": None}
    lines = table_lines(table, result)
    assert lonely_hidden(lines) == set()
    assert recoverable(lines) == set()


OVERALL = {"ja": 25, "nee": 15, "weet niet": 10}
BY_AGE_AND_PART = {
    "leeftijd": {
        "jong": {"ja": 10, "nee": 3, "weet niet": 5},
        "oud": {"ja": 15, "nee": 12, "weet niet": 5},
    },
    "wijk": {
        "kern": {"ja": 20, "nee": 10, "weet niet": 6},
        "buiten": {"ja": 5, "nee": 5, "weet niet": 4},
    },
}


def _rows_on_their_own(table: dict, k: int) -> Table:
    """The naive way: protect each group's row as if it were a question of its own."""
    rows = {g: suppress_counts(row, k=k) for g, row in table.items()}
    answers = list(next(iter(table.values())))
    return Table(
        cells={g: r.cells for g, r in rows.items()},
        group_totals={g: r.total for g, r in rows.items()},
        answer_totals={a: None for a in answers},  # the table itself shows no column totals
        total=None,
    )


def test_protecting_groups_on_their_own_leaks_through_the_overall_counts():
    # Per row, "jong" hides nee (3) and its complement weet niet (5); "buiten" hides weet
    # niet (4) and ja (5). Every row looks safe. But the overall page shows nee = 15 and
    # weet niet = 10, so: jong.nee = 15 - oud.nee 12 = 3 and buiten.wn = 10 - kern.wn 6 = 4.
    overall = suppress_counts(OVERALL, k=5)
    naive = {b: _rows_on_their_own(t, 5) for b, t in BY_AGE_AND_PART.items()}
    lines = joint_lines(OVERALL, BY_AGE_AND_PART, overall, naive)
    leaked = lonely_hidden(lines)
    assert ("leeftijd", "X", "jong", "nee") in leaked
    assert ("wijk", "X", "buiten", "weet niet") in leaked
    assert recoverable(lines) >= leaked


def test_breakdowns_protected_together_leak_nothing():
    joint = suppress_breakdowns(OVERALL, BY_AGE_AND_PART, k=5)
    assert joint.tables["leeftijd"].cells["jong"]["nee"] is None
    assert joint.tables["wijk"].cells["buiten"]["weet niet"] is None
    # The column partners are hidden now too: oud.nee and kern.weet niet.
    assert joint.tables["leeftijd"].cells["oud"]["nee"] is None
    assert joint.tables["wijk"].cells["kern"]["weet niet"] is None
    # The overall counts themselves are all >= 5 and stay visible.
    assert joint.overall.cells == OVERALL and joint.overall.total == 50
    lines = joint_lines(OVERALL, BY_AGE_AND_PART, joint.overall, joint.tables)
    assert lonely_hidden(lines) == set()
    assert recoverable(lines) == set()


def test_people_in_no_group_are_protected_like_a_group():
    # 40 answered, but 3 left their age open (2 ja, 1 nee). Overall minus the age table
    # gives their answers unless the table hides enough.
    overall = {"ja": 22, "nee": 18}
    age = {"jong": {"ja": 10, "nee": 9}, "oud": {"ja": 10, "nee": 8}}
    # As a reader sees it: the age table plus an unpublished row "?" of the open ages.
    with_open = {"leeftijd": {**age, "?": {"ja": 2, "nee": 1}}}

    def reader_view(table: Table) -> dict[str, Table]:
        return {
            "leeftijd": Table(
                cells={**table.cells, "?": {"ja": None, "nee": None}},
                group_totals={**table.group_totals, "?": None},
                answer_totals=table.answer_totals,
                total=table.total,
            )
        }

    # Naive: the table on its own shows everything (no cell under 5): the "?" row leaks.
    naive = suppress_table(age, k=5)
    overall_shown = suppress_counts(overall, k=5)
    lines = joint_lines(overall, with_open, overall_shown, reader_view(naive))
    assert {("leeftijd", "X", "?", "ja"), ("leeftijd", "X", "?", "nee")} <= recoverable(lines)

    joint = suppress_breakdowns(overall, {"leeftijd": age}, k=5)
    assert "?" not in joint.tables["leeftijd"].cells  # the residual is never published
    lines = joint_lines(overall, with_open, joint.overall, reader_view(joint.tables["leeftijd"]))
    assert lonely_hidden(lines) == set()
    assert recoverable(lines) == set()


def test_zero_total_is_kept_and_its_zeros_are_no_secret():
    # Nobody said "nee" at all. The one-person group "oud" is hidden, but "oud said no nee"
    # follows from the published 0 anyway, so that zero is shown and the overall 0 is not
    # given up to protect it.
    overall = {"ja": 9, "nee": 0, "weet niet": 8}
    age = {"jong": {"ja": 8, "nee": 0, "weet niet": 8}, "oud": {"ja": 1, "nee": 0, "weet niet": 0}}
    joint = suppress_breakdowns(overall, {"leeftijd": age}, k=5)
    table = joint.tables["leeftijd"]
    assert joint.overall.cells["nee"] == 0
    assert table.group_totals["oud"] is None
    assert table.cells["oud"] == {"ja": None, "nee": 0, "weet niet": None}
    lines = joint_lines(overall, {"leeftijd": age}, joint.overall, joint.tables)
    assert lonely_hidden(lines) == set()
    assert recoverable(lines) == set()


def test_breakdown_counting_more_than_the_overall_is_an_error():
    with pytest.raises(ValueError):
        suppress_breakdowns({"ja": 5}, {"leeftijd": {"jong": {"ja": 6}}}, k=5)


# --- Properties --------------------------------------------------------------------------

tables = st.integers(2, 3).flatmap(
    lambda cols: st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.fixed_dictionaries({f"o{i}": st.integers(0, 9) for i in range(cols)}),
        min_size=1,
        max_size=3,
    )
)


@settings(max_examples=150, deadline=None)
@given(table=tables, k=st.integers(2, 6))
def test_property_no_small_count_shown_and_no_lonely_hidden_cell(table, k):
    result = suppress_table(table, k=k)
    lines = table_lines(table, result)
    for line in lines:
        for name, _, true, shown in line:
            assert shown is None or shown == true
            assert shown is None or not 0 < shown < k, f"{name}={shown} shown with k={k}"
        assert sum(shown is None for *_, shown in line) != 1, line
    for group, row in table.items():
        if 0 < sum(row.values()) < k:
            # Hidden whole, except zeros that a published zero answer total implies anyway.
            for answer, v in result.cells[group].items():
                assert v is None or v == 0 == result.answer_totals[answer]
    if 0 < sum(sum(r.values()) for r in table.values()) < k:
        assert result.total is None
    assert _linear_recoverable(lines) == set()


def _linear_recoverable(lines: list[list[Entry]]) -> set:
    """Hidden numbers isolated by adding and subtracting published lines (all +-1 mixes).

    For a table with marginals, a reader's sharpest tool is "these rows minus these
    columns"; trying every combination with coefficients -1, 0, 1 covers it.
    """
    vectors = []
    for line in lines:
        vec = {}
        for name, coef, _, shown in line:
            if shown is None:
                vec[name] = vec.get(name, 0) + coef
        if vec:
            vectors.append(vec)
    found = set()
    for coefs in itertools.product((-1, 0, 1), repeat=len(vectors)):
        total: dict = {}
        for c, vec in zip(coefs, vectors, strict=True):
            if c:
                for name, v in vec.items():
                    total[name] = total.get(name, 0) + c * v
        nonzero = [name for name, v in total.items() if v]
        if len(nonzero) == 1:
            found.add(nonzero[0])
    return found


# --- Helpers -----------------------------------------------------------------------------


def test_percent_of_hidden_is_hidden():
    assert percent(10, 40) == 25.0
    assert percent(None, 40) is None
    assert percent(10, None) is None
    assert percent(0, 0) is None


def test_mean_over_fewer_than_k_is_hidden():
    assert suppress_mean([7, 8, 9, 6], k=5) is None
    assert suppress_mean([7, 8, 9, 6, 10], k=5) == 8.0
    assert suppress_mean([], k=1) is None


def test_threshold_note_is_dutch_and_names_k():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        assert threshold_note(5) == "Groepen met minder dan 5 antwoorden worden niet getoond."
        assert "10" in threshold_note(10)
