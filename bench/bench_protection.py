"""Print what the joint small-group protection of one view costs (issue 12).

For the village survey with COUNT sample responses: the time of ``compute_results`` (what a
lezer's results page and a publication compute), of the joint protection inside it
(``breakdowns.protect_jointly``: every choice question by every breakdown question, one
system), and as a baseline in the same run the old way, one question at a time with only
the survey's own breakdown (``suppression.suppress_breakdowns``). Also the size of the
system and how many numbers it hides. Setting up the instance is not timed.

Run: python bench/bench_protection.py [COUNT ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vliegwiel.cli.demo import add_sample_responses  # noqa: E402
from vliegwiel.core.instance import init_instance  # noqa: E402
from vliegwiel.core.village import build_village  # noqa: E402
from vliegwiel.results import breakdowns  # noqa: E402
from vliegwiel.results.suppression import suppress_breakdowns  # noqa: E402
from vliegwiel.results.tallies import compute_results  # noqa: E402
from vliegwiel.web.app import create_app  # noqa: E402

SURVEY = "dorpsenquete"


def per_question_baseline(village, survey, responses) -> float:
    """The protection before issue 12: each question with the survey's own breakdown."""
    k = village.config.min_group_size
    by = next((q for q in breakdowns.candidates(survey) if q.id == survey.breakdown), None)
    start = time.perf_counter()
    for q in survey.questions():
        qtype = village.question_types[q.type]
        answers = [r["answers"][q.id] for r in responses if q.id in r["answers"]]
        tally = qtype.tally(q, answers)
        if tally.kind != "choice" or tally.respondents < k:
            continue
        tables = {}
        if by is not None and by.id != q.id:
            groups: dict = {}
            for r in responses:
                key = breakdowns.answer_key(r["answers"].get(by.id))
                if key is not None and q.id in r["answers"]:
                    groups.setdefault(key, []).append(r["answers"][q.id])
            parts = {g: qtype.tally(q, a) for g, a in groups.items()}
            tables[by.id] = {g: t.counts() for g, t in parts.items()}
        counts = tally.counts()
        exclusive = sum(counts.values()) == tally.respondents
        if exclusive:
            suppress_breakdowns(counts, tables, k)
    return time.perf_counter() - start


def bench(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="vliegwiel-bench-") as tmp:
        path = init_instance(Path(tmp) / "dorp", "Benchdorp")
        village = build_village(path)
        add_sample_responses(village, village.surveys.get(SURVEY), count)
        app = create_app(path)
        village = app.extensions["vliegwiel"]
        survey = village.surveys.get(SURVEY)
        responses = village.storage.all(f"responses/{SURVEY}")
        sizes: dict = {}
        real = breakdowns._System.protect

        def counted(self):
            hidden = real(self)
            sizes.update(numbers=len(self.values), lines=len(self.lines), hidden=len(hidden))
            return hidden

        breakdowns._System.protect = counted
        spent = [0.0]
        original = breakdowns.protect_jointly

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        breakdowns.protect_jointly = timed
        import vliegwiel.results.tallies as tallies

        tallies.protect_jointly = timed
        try:
            with app.test_request_context():
                start = time.perf_counter()
                compute_results(village, survey, responses)
                total = time.perf_counter() - start
        finally:
            breakdowns._System.protect = real
            breakdowns.protect_jointly = original
            tallies.protect_jointly = original
        baseline = per_question_baseline(village, survey, responses)
        print(
            f"{count:>6} responses: compute_results {total:6.2f} s, of which joint protection "
            f"{spent[0]:6.2f} s ({sizes.get('numbers', 0)} numbers, {sizes.get('lines', 0)} "
            f"lines, {sizes.get('hidden', 0)} hidden) | baseline per question {baseline:6.2f} s"
        )


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [100, 1000, 5000]:
        bench(n)
