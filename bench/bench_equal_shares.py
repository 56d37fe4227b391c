"""Equal Shares with add-one completion: time to count, side by side with the old search that
ran the whole method once per euro of voter share.

    python bench/bench_equal_shares.py [--seed 1] [--baseline-seconds 20]

The worst case the project holds itself to: 500 voters, 30 ideas, budget 1,000,000. Several
shapes are counted: random ballots, one lonely voter for the dearest idea (the completion has to
climb a long way), many distinct ballots, and near-equal costs (many ties to tip).
The baseline is stopped after --baseline-seconds; it reports how far it got (share reached
and runs per second), which is enough to estimate its full time.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from fractions import Fraction

from vliegwiel.rounds.voting import Project, _mes_run, equal_shares

VOTERS, IDEAS, BUDGET = 500, 30, 1_000_000


def shapes(rng: random.Random) -> dict[str, tuple[list[Project], list[set[str]]]]:
    ids = [f"p{i:02d}" for i in range(IDEAS)]
    out = {}
    costs = [rng.randint(5_000, 400_000) for _ in ids]
    projects = [Project(pid, c) for pid, c in zip(ids, costs, strict=True)]
    out["random ballots (1-8 ideas each)"] = (
        projects,
        [set(rng.sample(ids, rng.randint(1, 8))) for _ in range(VOTERS)],
    )
    dear = [Project(ids[0], 750_000)] + [
        Project(pid, rng.randint(1_000, 60_000)) for pid in ids[1:]
    ]
    out["one voter alone for a 750,000 idea"] = (
        dear,
        [{ids[0]}] + [set(rng.sample(ids[1:], rng.randint(2, 6))) for _ in range(VOTERS - 1)],
    )
    out["500 distinct ballots, popular cheap ideas"] = (
        [Project(pid, 2_000 * (i + 1) ** 2) for i, pid in enumerate(ids)],
        [
            {pid for j, pid in enumerate(ids) if rng.random() < 0.5 / (1 + j / 6)} or {ids[-1]}
            for _ in range(VOTERS)
        ],
    )
    out["near-equal costs"] = (
        [Project(pid, 60_000 + rng.randint(0, 50)) for pid in ids],
        [set(rng.sample(ids, rng.randint(1, 3))) for _ in range(VOTERS)],
    )
    return out


def baseline(projects, ballots, budget, seconds: float) -> str:
    """The old search, a run per euro, until done or out of time."""
    votes = Counter(pid for b in ballots for pid in b)
    groups = Counter(frozenset(b) for b in ballots)
    candidates = [p for p in projects if p.cost > 0 and votes[p.id] > 0]
    cost = {p.id: p.cost for p in projects}
    n = len(ballots)
    start, cpu = time.perf_counter(), time.process_time()
    run = _mes_run(candidates, groups, votes, Fraction(budget, n))
    share, runs = Fraction(budget // n), 1
    while time.perf_counter() - start < seconds:
        spent = sum(cost[pid] for pid in run.selected)
        if all(p.id in run.payment or spent + p.cost > budget for p in candidates):
            return f"{time.perf_counter() - start:7.2f} s, {runs} runs (done)"
        attempt = _mes_run(candidates, groups, votes, share + 1)
        runs += 1
        if sum(cost[pid] for pid in attempt.selected) > budget:
            return f"{time.perf_counter() - start:7.2f} s, {runs} runs (done)"
        share, run = share + 1, attempt
    per_run = (time.process_time() - cpu) / runs
    return (
        f"stopped after {seconds:.0f} s at share {share}"
        f" ({runs} runs, {per_run * 1000:.0f} ms CPU/run)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"{VOTERS} voters, {IDEAS} ideas, budget {BUDGET:,}")
    for name, (projects, ballots) in shapes(rng).items():
        import vliegwiel.rounds.voting as voting

        calls = []
        real = voting._mes_run

        def counted(*a, _real=real, _calls=calls):
            _calls.append(1)
            return _real(*a)

        voting._mes_run = counted
        start, cpu = time.perf_counter(), time.process_time()
        out = equal_shares(projects, ballots, BUDGET)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        voting._mes_run = real
        spent = sum(p.cost for p in projects if p.id in out.selected)
        print(f"\n{name}")
        print(
            f"  jumping : {took:7.2f} s ({cpu:.2f} s CPU), {len(calls)} runs,"
            f" share {out.parameters['voter_share']}, {len(out.selected)} chosen, {spent:,} spent"
        )
        print(f"  per euro: {baseline(projects, ballots, BUDGET, args.baseline_seconds)}")


if __name__ == "__main__":
    main()
