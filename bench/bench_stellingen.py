"""Print how long a stellingen analysis takes as a conversation grows.

Usage: python bench/bench_stellingen.py [--statements 20]

For each village size: the baseline (counting votes per statement, what residents' pages
could afford) and the whole analysis (PCA, k-means for 2-5 groups, 100 permutations), side by
side in the same run, on two camps of residents. The analysis runs once per change of the
votes, in an organiser's request or a command, never in a resident's request.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from vliegwiel_stellingen.analysis import Vote, analyse, tally  # noqa: E402

SIZES = (60, 200, 400, 800)


def village(people: int, statements: int, seed: int = 1) -> list[Vote]:
    rng = np.random.default_rng(seed)
    views = rng.choice([1, -1], (2, statements))
    votes = []
    for i in range(people):
        camp = i % 2
        for n in range(1, statements + 1):
            if rng.random() < 0.1:
                votes.append(Vote(f"p{i}", n, 0))
            else:
                view = int(views[camp, n - 1])
                votes.append(Vote(f"p{i}", n, view if rng.random() < 0.85 else -view))
    return votes


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=20)
    args = parser.parse_args()
    numbers = list(range(1, args.statements + 1))
    print(f"{'participants':>12} {'votes':>7} {'counting (s)':>13} {'analysis (s)':>13}  groups")
    for people in SIZES:
        votes = village(people, args.statements)
        counting = timed(lambda votes=votes: tally(votes, numbers))
        result = None

        def run(votes=votes):
            nonlocal result
            result = analyse(votes, numbers, k=5)

        analysis = timed(run)
        sizes = [g["size"] for g in result.groups] if result.groups else result.reason
        print(f"{people:>12} {len(votes):>7} {counting:>13.4f} {analysis:>13.2f}  {sizes}")


if __name__ == "__main__":
    main()
