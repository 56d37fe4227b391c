"""Optional weighting: make the answers count as if the village itself had answered.

Standard library only. Two methods, both to population *margins* an organiser entered
(vliegwiel.results.population):

* **Post-stratification** (one margin): every respondent of group g gets the weight
  (population share of g) / (respondent share of g).
* **Raking** (several margins: age and part of the village, ...): iterative proportional
  fitting. Starting from weight 1, the weights are scaled to each margin in turn until every
  margin fits (Deming & Stephan 1940).

Weights are normalised to mean 1 (so the weighted number of respondents is the real one) and
capped at ``cap`` (setting ``[results] max_weight``): one over-65 answering for ten young
people would make the figures swing on one answer. Weighting is refused, never half-done,
when any group of a margin has fewer than ``k`` respondents: a weight would then rest on so
few people that it could both mislead and, next to the unweighted figure, tell something about
them. The design effect (Kish) says how much precision weighting costs; the effective sample
size n / deff is what intervals of weighted figures are computed with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vliegwiel.core.errors import VliegwielError

#: Default cap of a single weight (mean weight is 1).
MAX_WEIGHT_DEFAULT = 5.0


class WeightingRefused(VliegwielError):
    """Weighting is not possible or not allowed for these answers; the message says why."""

    code = "weighting_refused"


@dataclass(frozen=True)
class Weights:
    """One weight per respondent (in the order given), mean 1."""

    weights: list[float]
    method: str  # "poststratify" | "rake"
    iterations: int
    converged: bool
    capped: int  # how many respondents' weights the cap limited

    @property
    def design_effect(self) -> float:
        return design_effect(self.weights)

    @property
    def effective_n(self) -> float:
        return effective_sample_size(self.weights)


def design_effect(weights: Sequence[float]) -> float:
    """Kish's design effect of unequal weights: n · Σw² / (Σw)² (1 for equal weights)."""
    total = sum(weights)
    if not weights or total <= 0:
        raise ValueError("no weights")
    return len(weights) * sum(w * w for w in weights) / (total * total)


def effective_sample_size(weights: Sequence[float]) -> float:
    """(Σw)² / Σw²: as many answers as the weighted ones are worth."""
    return len(weights) / design_effect(weights)


def poststratify(
    groups: Sequence[str | None],
    population: Mapping[str, float],
    *,
    k: int,
    cap: float = MAX_WEIGHT_DEFAULT,
) -> Weights:
    """Weights for respondents in ``groups`` (their group per respondent) to ``population``."""
    return rake([(g,) for g in groups], [population], k=k, cap=cap, method="poststratify")


def rake(
    respondents: Sequence[Sequence[str | None]],
    margins: Sequence[Mapping[str, float]],
    *,
    k: int,
    cap: float = MAX_WEIGHT_DEFAULT,
    max_iterations: int = 100,
    tolerance: float = 1e-9,
    method: str = "rake",
) -> Weights:
    """Raking weights: ``respondents[i][m]`` is respondent i's group in margin m.

    A respondent with no group in a margin (the question left open) cannot be placed, so
    weighting is refused: guessing a group would invent data.
    """
    if cap < 1:
        raise ValueError("the weight cap must be at least 1")
    n = len(respondents)
    if n == 0:
        raise WeightingRefused("there are no answers to weight")
    for m, margin in enumerate(margins):
        _check_margin(respondents, m, margin, k)
    weights = [1.0] * n
    converged = False
    iterations = 0
    capped = 0
    while iterations < max_iterations:
        iterations += 1
        worst = 0.0
        for m, margin in enumerate(margins):
            target_total = sum(margin.values())
            sums: dict[str, float] = {}
            for w, row in zip(weights, respondents, strict=True):
                sums[row[m]] = sums.get(row[m], 0.0) + w
            current_total = sum(sums.values())
            factors = {
                group: margin[group] / target_total * current_total / sums[group] for group in sums
            }
            worst = max(worst, *(abs(f - 1) for f in factors.values()))
            weights = [w * factors[row[m]] for w, row in zip(weights, respondents, strict=True)]
        weights, capped = _normalise_and_cap(weights, cap)
        if worst < tolerance:
            converged = True
            break
    return Weights(weights, method, iterations, converged, capped)


def weighted_counts(
    answers: Sequence[Sequence[str]], weights: Sequence[float]
) -> tuple[dict[str, float], float]:
    """Weighted count per answer and the weighted number of respondents.

    ``answers[i]`` holds respondent i's chosen values (one for single choice, several for
    multiple choice, none when the question was skipped: those do not count).
    """
    counts: dict[str, float] = {}
    total = 0.0
    for chosen, w in zip(answers, weights, strict=True):
        if not chosen:
            continue
        total += w
        for value in chosen:
            counts[value] = counts.get(value, 0.0) + w
    return counts, total


def _check_margin(
    respondents: Sequence[Sequence[str | None]], m: int, margin: Mapping[str, float], k: int
) -> None:
    if not margin or any(v < 0 for v in margin.values()) or sum(margin.values()) <= 0:
        raise WeightingRefused("a population margin is empty or negative")
    counts: dict[str | None, int] = {}
    for row in respondents:
        counts[row[m]] = counts.get(row[m], 0) + 1
    if None in counts:
        raise WeightingRefused(
            f"{counts[None]} respondents did not answer a question the weighting needs"
        )
    unknown = sorted(str(g) for g in counts if g not in margin)
    if unknown:
        raise WeightingRefused(f"no population figure for: {', '.join(unknown)}")
    for group, size in margin.items():
        if size > 0 and counts.get(group, 0) < k:
            raise WeightingRefused(
                f"group {group} has {counts.get(group, 0)} respondents, fewer than {k}"
            )


def _normalise_and_cap(weights: list[float], cap: float) -> tuple[list[float], int]:
    """Scale to mean 1, then trim weights above ``cap`` and spread the excess over the rest
    (repeated, because spreading can lift another weight over the cap)."""
    n = len(weights)
    total = sum(weights)
    weights = [w * n / total for w in weights]
    capped: set[int] = set()
    for _ in range(n):
        over = [i for i, w in enumerate(weights) if w > cap + 1e-12]
        if not over:
            break
        capped.update(over)
        for i in over:
            weights[i] = cap
        free = [i for i in range(n) if i not in capped]
        if not free:
            break
        excess = n - sum(weights)
        free_total = sum(weights[i] for i in free)
        for i in free:
            weights[i] += excess * weights[i] / free_total
    return weights, len(capped)
