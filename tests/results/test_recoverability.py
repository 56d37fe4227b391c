"""No hidden number can be worked out from everything one view shows, across all its pages.

The attacker here is written independently of vliegwiel.results: it knows only the survey,
the rules a reader knows (counts are whole numbers, at least 0; a number shown as hidden
that is not zero is at least 1, which is more than a reader is told) and every number that
the results of one view show on every page a lezer can open: the page without a breakdown
and the page ``?uitsplitsing=`` each breakdown question, that is ``compute_results`` with
each ``breakdown``, exactly what those pages and ``vliegwiel results --json`` render.

Its unknowns are the numbers of residents with each full combination of answers (every
choice question, "left open" included, and the channel): the finest table there is, so
every consistency a reader could use is in it. For every number shown as hidden, and for
every small cell of every two-way table (the residents who skipped the age question and
said "ja"; the sole 80+ resident's column, zeros included), an integer program (PuLP/CBC)
looks for a table that agrees with everything shown but gives that number another value.
If there is none, the number is recoverable, and the test fails naming it.
"""

from __future__ import annotations

import itertools
import random
import warnings
from dataclasses import dataclass

import pulp
import pytest

from vliegwiel.results.breakdowns import MERGED
from vliegwiel.results.tallies import compute_results
from vliegwiel.surveys.responses import save_response

K = 5


@dataclass(frozen=True)
class Case:
    name: str
    #: question id -> (type, options); a breakdown can be any single choice question.
    questions: dict[str, tuple[str, list[str]]]
    #: One dict per respondent: question id -> option (absent: left open), plus "_channel".
    people: list[dict[str, str]]


def survey_yaml(case: Case) -> str:
    lines = [f"id: {case.name}", f"title: {case.name}", "pages:", "  - id: p1", "    questions:"]
    for qid, (qtype, options) in case.questions.items():
        lines += [f"      - id: {qid}", f"        type: {qtype}", f"        text: Vraag {qid}?"]
        if qtype != "yes_no":
            lines.append("        options:")
            lines += [f"          - {{value: {o}, label: {o.capitalize()}}}" for o in options]
    return "\n".join(lines) + "\n"


def people(spec: list[tuple[dict[str, str], int]]) -> list[dict[str, str]]:
    return [dict(answers) for answers, n in spec for _ in range(n)]


def issue_example() -> Case:
    """Issue 12: 20 respondents, age groups 7/6/5/1 and one who skipped age (said ja, lives
    in Noord); the sole 80+ resident said nee."""
    spec = [
        ({"leeftijd": "tot40", "dorpshuis": "ja", "wijk": "noord"}, 4),
        ({"leeftijd": "tot40", "dorpshuis": "nee", "wijk": "zuid"}, 3),
        ({"leeftijd": "tot65", "dorpshuis": "ja", "wijk": "zuid"}, 4),
        ({"leeftijd": "tot65", "dorpshuis": "nee", "wijk": "noord"}, 2),
        ({"leeftijd": "tot80", "dorpshuis": "ja", "wijk": "noord"}, 3),
        ({"leeftijd": "tot80", "dorpshuis": "ja", "wijk": "zuid"}, 2),
        ({"leeftijd": "plus80", "dorpshuis": "nee", "wijk": "zuid"}, 1),
        ({"dorpshuis": "ja", "wijk": "noord"}, 1),
    ]
    return Case(
        "issue",
        {
            "leeftijd": ("single_choice", ["tot40", "tot65", "tot80", "plus80"]),
            "dorpshuis": ("yes_no", ["ja", "nee"]),
            "wijk": ("single_choice", ["noord", "zuid"]),
        },
        people(spec),
    )


def zero_in_small_column() -> Case:
    """Two residents of Oost, both said ja: the zero in their nee cell must stay hidden;
    three skipped the breakdown question altogether."""
    spec = [
        ({"wijk": "noord", "mening": "ja"}, 6),
        ({"wijk": "noord", "mening": "nee"}, 5),
        ({"wijk": "zuid", "mening": "ja"}, 3),
        ({"wijk": "zuid", "mening": "nee"}, 6),
        ({"wijk": "oost", "mening": "ja"}, 2),
        ({"mening": "nee"}, 2),
        ({"mening": "ja", "_channel": "paper"}, 1),
        ({"wijk": "zuid", "_channel": "paper"}, 5),
    ]
    return Case(
        "nul",
        {
            "wijk": ("single_choice", ["noord", "zuid", "oost"]),
            "mening": ("yes_no", ["ja", "nee"]),
        },
        people(spec),
    )


def random_case(seed: int) -> Case:
    rng = random.Random(seed)
    questions = {
        f"v{i}": ("single_choice", [f"o{j}" for j in range(rng.randint(2, 4))]) for i in range(3)
    }
    crowd = []
    for _ in range(rng.randint(15, 35)):
        answers = {
            qid: rng.choice(options)
            for qid, (_type, options) in questions.items()
            if rng.random() > 0.12
        }
        if rng.random() < 0.2:
            answers["_channel"] = "paper"
        crowd.append(answers)
    return Case(f"toeval{seed}", questions, crowd)


def with_multiple_choice() -> Case:
    rng = random.Random(7)
    questions = {
        "leeftijd": ("single_choice", ["jong", "oud"]),
        "vervoer": ("multiple_choice", ["auto", "fiets", "bus"]),
        "mening": ("yes_no", ["ja", "nee"]),
    }
    crowd = []
    for _ in range(24):
        answers: dict = {"mening": rng.choice(["ja", "nee"])}
        if rng.random() > 0.1:
            answers["leeftijd"] = rng.choice(["jong", "oud", "oud"])
        ticked = [o for o in ["auto", "fiets", "bus"] if rng.random() < 0.45]
        if ticked:
            answers["vervoer"] = ticked
        crowd.append(answers)
    return Case("meerkeuze", questions, crowd)


CASES = [
    issue_example(),
    zero_in_small_column(),
    random_case(1),
    random_case(2),
    random_case(3),
    with_multiple_choice(),
]


# --- the attacker ---------------------------------------------------------------------------


class Attacker:
    """Every combination of answers is an unknown count; every shown number an equation."""

    def __init__(self, case: Case, bounds: bool = False) -> None:
        """``bounds``: also use that counts are whole numbers of at least 0, and that a
        hidden number that is not zero is at least 1; without: linear combinations only."""
        self.case = case
        self.bounds = bounds
        self.values: dict[str, list] = {}
        for qid, (qtype, options) in case.questions.items():
            if qtype == "multiple_choice":
                subsets = itertools.chain.from_iterable(
                    itertools.combinations(options, r) for r in range(1, len(options) + 1)
                )
                self.values[qid] = [frozenset(s) for s in subsets] + [None]
            else:
                self.values[qid] = [*options, None]
        self.qids = list(self.values)
        self.profiles = [
            (*combo, channel)
            for combo in itertools.product(*(self.values[q] for q in self.qids))
            for channel in ("web", "paper")
        ]
        self.truth = dict.fromkeys(self.profiles, 0)
        for person in case.people:
            self.truth[self.profile_of(person)] += 1
        self.shown: dict[frozenset, int] = {}
        self.hidden: dict[frozenset, str] = {}

    def profile_of(self, person: dict) -> tuple:
        values = []
        for q in self.qids:
            answer = person.get(q)
            values.append(frozenset(answer) if isinstance(answer, list) else answer)
        return (*values, person.get("_channel", "web"))

    def where(self, **conditions) -> frozenset:
        """The profiles matching ``question=value`` conditions (value None: left open;
        "*": answered; for multiple choice a value means "ticked")."""
        found = []
        for profile in self.profiles:
            ok = True
            for key, wanted in conditions.items():
                value = profile[-1] if key == "_channel" else profile[self.qids.index(key)]
                if wanted == "*":
                    ok = value is not None
                elif isinstance(wanted, set):
                    ok = value in wanted
                elif isinstance(value, frozenset):
                    ok = wanted in value
                else:
                    ok = value == wanted
                if not ok:
                    break
            if ok:
                found.append(profile)
        return frozenset(found)

    def true(self, cells: frozenset) -> int:
        return sum(self.truth[p] for p in cells)

    def read(self, where: frozenset, shown: int | None, name: str) -> None:
        if shown is None:
            self.hidden.setdefault(where, name)
        else:
            assert shown == self.true(where), f"{name} shows {shown}, truth {self.true(where)}"
            self.shown[where] = shown

    def read_view(self, results) -> None:
        """Every number of one page (``compute_results`` as the page renders it)."""
        self.read(self.where(), results.respondents_shown, "respondents")
        for channel, count in results.channels.cells.items():
            self.read(self.where(_channel=channel), count, f"channel {channel}")
        for result in results.questions:
            q = result.question.id
            if result.counts is None:
                continue
            self.read(self.where(**{q: "*"}), result.counts.total, f"{q} respondents")
            for a, count in result.counts.cells.items():
                self.read(self.where(**{q: a}), count, f"{q}={a}")
            for b, view in result.breakdowns.items():
                rows = [w for w, _label in view.groups]
                merged = set(self.case.questions[b][1]) - set(rows)
                for w in rows:
                    group = merged if w == MERGED else w
                    name = f"{q} by {b}, row {w}"
                    total = self.where(**{q: "*", b: group})
                    self.read(total, view.table.group_totals[w], name + " total")
                    for a, count in view.table.cells[w].items():
                        self.read(self.where(**{q: a, b: group}), count, f"{name}, {a}")

    def targets(self) -> dict[frozenset, str]:
        """Hidden shown numbers, and every small cell of every two-way table."""
        found = dict(self.hidden)
        singles = [q for q, (t, _o) in self.case.questions.items() if t != "multiple_choice"]
        for q, b in itertools.permutations(self.qids, 2):
            if b not in singles:
                continue
            q_options = self.case.questions[q][1]
            for v, w in itertools.product([*q_options, None], [*self.case.questions[b][1], None]):
                cells = self.where(**{q: v, b: w})
                value = self.true(cells)
                column = self.true(self.where(**{q: v}))
                row = self.true(self.where(**{b: w}))
                # How many of a group left the other question open: protected when the
                # group or those who left it open are fewer than k, not for its own value.
                one_open = (v is None) != (w is None)
                small = (0 < value < K and not one_open) or 0 < column < K or 0 < row < K
                skips_only = v is None and w is None  # says no answer: not protected
                if small and not skips_only and not (value == 0 and self.known_zero(cells)):
                    found.setdefault(cells, f"{q}={v} and {b}={w} ({value})")
        return found

    def can_differ(self, cells: frozenset, value: int, above: bool) -> bool:
        """Is there a table agreeing with every shown number where ``cells`` sum to more
        (``above``) or less than ``value``?"""
        problem = pulp.LpProblem("reader", pulp.LpMinimize)
        x = {
            p: problem.add_variable(
                f"x{i}",
                lowBound=0 if self.bounds else None,
                cat="Integer" if self.bounds else "Continuous",
            )
            for i, p in enumerate(self.profiles)
        }
        for shown, n in self.shown.items():
            problem += pulp.lpSum(x[p] for p in shown) == n
        for hidden in self.hidden if self.bounds else ():
            if self.true(hidden) > 0:
                problem += pulp.lpSum(x[p] for p in hidden) >= 1
        total = pulp.lpSum(x[p] for p in cells)
        problem += total >= value + 1 if above else total <= value - 1
        problem += total  # any objective: only feasibility counts
        with warnings.catch_warnings():
            # PuLP 3 announces that 4.0 unbundles CBC; pyproject.toml pins PuLP below 4.
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False)
        problem.solve(solver)
        return pulp.LpStatus[problem.status] == "Optimal"

    def known_zero(self, cells: frozenset) -> bool:
        """Inside a shown zero, or inside the difference of two shown numbers that are
        equal (20 respondents, 20 answered: nobody left it open)."""
        for outer, n in self.shown.items():
            if n == 0 and cells <= outer:
                return True
            for inner, m in self.shown.items():
                if m == n and inner < outer and cells <= outer - inner:
                    return True
        return False

    def recoverable(self) -> list[str]:
        """The targets whose value every table agreeing with what is shown shares."""
        found = []
        for cells, name in self.targets().items():
            value = self.true(cells)
            if not self.can_differ(cells, value, above=True) and (
                value == 0 or not self.can_differ(cells, value, above=False)
            ):
                found.append(name)
        return found


# --- the tests ------------------------------------------------------------------------------


def _fill(instance_dir, make_app, case: Case):
    (instance_dir / "surveys" / f"{case.name}.yaml").write_text(survey_yaml(case), "utf-8")
    app = make_app()
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get(case.name)
    for person in case.people:
        answers = {q: v for q, v in person.items() if not q.startswith("_")}
        save_response(village, survey, answers, channel=person.get("_channel", "web"))
    return app, village, survey


def _pages(app, village, survey, responses=None) -> list:
    singles = [q.id for q in survey.questions() if q.type in ("single_choice", "yes_no")]
    with app.test_request_context():
        return [compute_results(village, survey, responses, breakdown=b) for b in [None, *singles]]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_hidden_number_is_recoverable_across_all_pages_of_a_view(
    instance_dir, make_app, case
) -> None:
    app, village, survey = _fill(instance_dir, make_app, case)
    attacker = Attacker(case)
    for page in _pages(app, village, survey):
        attacker.read_view(page)
    assert attacker.hidden, "the crafted case must hide something"
    assert attacker.recoverable() == []


def test_the_issue_example_no_longer_tells_what_the_age_skipper_and_the_80_plus_answered(
    instance_dir, make_app
) -> None:
    """The numbers the issue subtracted: dorpshuis "ja" overall minus the "ja" row of the
    age question broken down by dorpshuis; the 0 in the sole 80+ resident's column."""
    app, village, survey = _fill(instance_dir, make_app, issue_example())
    client = app.test_client()
    client.login("lezer")
    html = client.get(f"/beheer/uitslag/{survey.id}?uitsplitsing=dorpshuis").get_data(True)
    assert "Uitgesplitst naar: Vraag dorpshuis?" in html
    (page,) = [p for p in _pages(app, village, survey) if "dorpshuis" in _shown_by(p)]
    leeftijd = next(r for r in page.questions if r.question.id == "leeftijd")
    dorpshuis = next(r for r in page.questions if r.question.id == "dorpshuis")
    view = leeftijd.breakdowns["dorpshuis"]
    ja_overall = dorpshuis.counts.cells["ja"]
    ja_row = view.table.group_totals.get("ja")
    assert ja_overall is None or ja_row is None  # no more 15 - 14 = 1
    if "ja" in view.table.cells:
        assert view.table.cells["ja"].get("plus80") is None  # the 0 stays hidden


def _shown_by(results) -> list[str]:
    return [q.id for q in results.breakdown_by]


def test_the_attacker_finds_what_a_page_by_page_protection_gave_away() -> None:
    """The attacker is not toothless: with the numbers the issue read off two pages
    protected one at a time (dorpshuis ja 14 and nee 6, 19 who gave their age, and 13 in
    the ja row of the age question broken down by dorpshuis) it finds that the one who
    skipped the age question said ja."""
    attacker = Attacker(issue_example())
    for name, where in [
        ("respondents", attacker.where()),
        ("age given", attacker.where(leeftijd="*")),
        ("ja", attacker.where(dorpshuis="ja")),
        ("nee", attacker.where(dorpshuis="nee")),
        ("ja row", attacker.where(leeftijd="*", dorpshuis="ja")),
    ]:
        attacker.read(where, attacker.true(where), name)
    assert attacker.shown[attacker.where(dorpshuis="ja")] == 14
    assert attacker.shown[attacker.where(leeftijd="*", dorpshuis="ja")] == 13
    assert "leeftijd=None and dorpshuis=ja (1)" in attacker.recoverable()


@pytest.mark.parametrize("case", [issue_example(), with_multiple_choice()], ids=["issue", "mc"])
def test_bounds_do_not_give_the_issue_example_away_either(instance_dir, make_app, case) -> None:
    """With whole numbers of at least 0 (and hidden non-zeros of at least 1) as well:
    neither the age skipper's answer and village part, nor the sole 80+ resident's answer
    (the zero in their column stays hidden), nor any other hidden or small number."""
    app, village, survey = _fill(instance_dir, make_app, case)
    attacker = Attacker(case, bounds=True)
    for page in _pages(app, village, survey):
        attacker.read_view(page)
    assert attacker.recoverable() == []


def test_results_json_publication_and_bundle_show_the_same_protected_numbers(
    instance_dir, make_app
) -> None:
    """``vliegwiel results --json``, the stored publication (public page) and the share
    bundle carry the numbers of the same protected system: null where a page hides."""
    import json

    from click.testing import CliRunner
    from publishing import publish_survey

    from vliegwiel.cli.main import main
    from vliegwiel.results import publications
    from vliegwiel.results.share import read_bundle

    app, village, survey = _fill(instance_dir, make_app, issue_example())
    (page,) = _pages(app, village, survey)[:1]
    expected = {r.question.id: dict(r.counts.cells) for r in page.questions if r.counts is not None}
    assert expected["leeftijd"]["plus80"] is None  # the sole 80+ resident

    printed = CliRunner().invoke(
        main, ["results", survey.id, "--instance", str(instance_dir), "--json"]
    )
    assert printed.exit_code == 0, printed.output
    publish_survey(app, survey.id)
    publication = publications.latest(village.storage, survey.id)
    bundle = read_bundle(publication.bundle(village.storage))
    for data in (json.loads(printed.output), publication.results(village.storage)):
        for question in data["questions"]:
            if question["id"] in expected:
                got = {a["value"]: a["count"] for a in question["answers"]}
                assert got == expected[question["id"]], question["id"]
    for question in bundle.results.questions:
        if question.id in expected:
            got = {o.value: o.count for o in question.options}
            assert got == expected[question.id], question.id
