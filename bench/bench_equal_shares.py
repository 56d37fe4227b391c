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
from dataclasses import dataclass
from fractions import Fraction

from vliegwiel.rounds.voting import Project, equal_shares

VOTERS, IDEAS, BUDGET = 500, 30, 1_000_000


@dataclass
class OldRun:
    selected: list[str]
    payment: dict[str, Fraction]
    money: dict[frozenset[str], Fraction]


# The baseline: Equal Shares as it was counted before (vliegwiel 74deb70), one run per euro.
def old_mes_run(
    candidates: list[Project],
    groups: Counter[frozenset[str]],
    supporters: Counter[str],
    share: Fraction,
) -> OldRun:
    """One run of Equal Shares with cost utilities and a fixed endowment `share` per voter.

    Voters with the same ballot always hold the same money, so they are kept as one group
    with a multiplicity: this makes the add-one completion cheap on real turnouts.
    """
    money = {ballot: share for ballot in groups}
    backers_of = {p.id: [b for b in groups if p.id in b] for p in candidates}
    order = {p.id: i for i, p in enumerate(candidates)}
    open_projects = list(candidates)
    run = OldRun([], {}, money)
    while True:
        best: tuple[Fraction, int, int] | None = None
        best_project: Project | None = None
        best_payment = Fraction(0)
        still_open = []
        for project in open_projects:
            backers = backers_of[project.id]
            if sum(groups[b] * money[b] for b in backers) < project.cost:
                continue  # its supporters can never afford it again: money only goes down
            still_open.append(project)
            # Smallest payment cap p with sum(min(money, p)) == cost. With cost utilities each
            # supporter's utility is `cost`, so rho = p / cost; the poorest pay all they have.
            paid, count = Fraction(0), sum(groups[b] for b in backers)
            cap = Fraction(project.cost, count)
            for b in sorted(backers, key=lambda b: money[b]):
                cap = (project.cost - paid) / count
                if cap <= money[b]:
                    break
                paid += groups[b] * money[b]
                count -= groups[b]
            key = (cap / project.cost, -supporters[project.id], order[project.id])
            if best is None or key < best:
                best, best_project, best_payment = key, project, cap
        if best_project is None:
            return run
        open_projects = [p for p in still_open if p is not best_project]
        for b in backers_of[best_project.id]:
            money[b] -= min(money[b], best_payment)
        run.selected.append(best_project.id)
        run.payment[best_project.id] = best_payment


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


def baseline(projects, ballots, budget, seconds: float) -> tuple[bool, int, float, int]:
    """The old search (old code, a run per euro) until done or out of time:
    (done, runs, CPU seconds per run, share reached)."""
    votes = Counter(pid for b in ballots for pid in b)
    groups = Counter(frozenset(b) for b in ballots)
    candidates = [p for p in projects if p.cost > 0 and votes[p.id] > 0]
    cost = {p.id: p.cost for p in projects}
    n = len(ballots)
    start, cpu = time.perf_counter(), time.process_time()
    run = old_mes_run(candidates, groups, votes, Fraction(budget, n))
    share, runs, done = Fraction(budget // n), 1, False
    while time.perf_counter() - start < seconds:
        spent = sum(cost[pid] for pid in run.selected)
        if all(p.id in run.payment or spent + p.cost > budget for p in candidates):
            done = True
            break
        attempt = old_mes_run(candidates, groups, votes, share + 1)
        runs += 1
        if sum(cost[pid] for pid in attempt.selected) > budget:
            done = True
            break
        share, run = share + 1, attempt
    return done, runs, (time.process_time() - cpu) / runs, int(share)


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
        done, runs, per_run, reached = baseline(projects, ballots, BUDGET, args.baseline_seconds)
        final = int(out.parameters["voter_share"])
        needed = final - BUDGET // VOTERS + 1  # runs the old search needs to get there
        if done:
            print(f"  per euro: {runs * per_run:7.2f} s CPU, {runs} runs (done)")
        else:
            print(
                f"  per euro: stopped at share {reached} after {runs} runs"
                f" ({per_run * 1000:.0f} ms CPU a run); to share {final}: {needed} runs,"
                f" about {needed * per_run:.0f} s CPU"
            )


if __name__ == "__main__":
    main()
