"""The statistics of a stellingen conversation: counts, consensus, divisive statements and
opinion groups that are shown only when they are real.

Pure functions over numbers (no Flask, no storage), so they are tested on simulated villages.
Follows Polis's method where it is sound at village scale and adds what a village needs:

- a participant is *counted* after votes on ``min(7, statements)`` statements;
- missing votes are filled with the statement's mean over counted participants, the matrix
  is centred and projected on two principal components (SVD);
- k-means for 2 to 5 groups, the number chosen by the mean silhouette;
- groups are shown only when there are at least ``min_participants`` counted participants,
  the silhouette beats the 95th percentile of the same pipeline on permuted votes (each
  statement's votes shuffled over participants, which keeps every statement's mix but breaks
  any opinion structure) and in fact beats all of the 100 permuted silhouettes, and every
  group has at least k participants. On pure noise k-means always "finds" groups; the
  permutation test is what tells a real split from that. At the 95th percentile alone about
  one noise conversation in twenty would still show groups (that is what a 5 % test means);
  beating every permutation (a 1 % test) makes that rare, while a real split beats them by
  far.

Everything is seeded: the same votes always give the same result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

AGREE, DISAGREE, PASS = 1, -1, 0
#: Polis counts a participant after this many votes (or all statements when there are fewer).
MIN_VOTES = 7
MIN_PARTICIPANTS_DEFAULT = 60
GROUP_COUNTS = (2, 3, 4, 5)
PERMUTATIONS = 100
SEED = 20260
SILHOUETTE_SAMPLE = 300
#: How many consensus, divisive and distinctive statements are listed at most.
LISTED = 5
#: |z| of the two-proportion test for a statement to set a group apart (two-sided 5 %).
Z_DISTINCT = 1.96
#: A statement is divisive when agree and disagree each hold at least this share of its votes.
DIVISIVE_SHARE = 0.25

# Reasons why no groups are shown (Dutch; the pages and the JSON carry them as they are).
REASON_FEW = "few"
REASON_NOISE = "noise"
REASON_SMALL = "small"
REASON_SHOWN = "shown"


@dataclass(frozen=True)
class Vote:
    participant: str
    statement: int  # number from 1
    value: int  # AGREE, DISAGREE or PASS


@dataclass
class Tally:
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passed


@dataclass
class Clustering:
    """Opinion groups as found, before the decision whether to show them."""

    labels: np.ndarray  # a group index per counted participant
    silhouette: float
    threshold: float  # the permutation test's 95th percentile
    null_max: float  # the highest silhouette of any permutation


@dataclass
class Analysis:
    participants: int  # everyone who voted at least once
    counted: int  # participants with enough votes to be placed in a group
    tallies: dict[int, Tally]
    consensus: list[int]
    divisive: list[int]
    groups: list[dict] | None  # [{"size": n, "distinctive": [numbers]}] or None
    reason: str  # REASON_*
    silhouette: float | None = None
    threshold: float | None = None
    sizes_found: list[int] = field(default_factory=list)


# --- counting -----------------------------------------------------------------------------------


def tally(votes: list[Vote], statements: list[int]) -> dict[int, Tally]:
    out = {number: Tally() for number in statements}
    for vote in votes:
        t = out.get(vote.statement)
        if t is None:
            continue
        if vote.value == AGREE:
            t.agree += 1
        elif vote.value == DISAGREE:
            t.disagree += 1
        else:
            t.passed += 1
    return out


def consensus_score(per_group: list[Tally]) -> float:
    """Polis's group-aware consensus: the product over groups of (agree + 1) / (seen + 2).

    The +1/+2 (a Laplace prior) keeps a statement seen by few people from looking unanimous.
    """
    score = 1.0
    for t in per_group:
        score *= (t.agree + 1) / (t.seen + 2)
    return score


def consensus(per_statement: dict[int, list[Tally]], k: int) -> list[int]:
    """Statements a majority agrees with in every group, highest consensus first.

    Only statements that at least k participants voted on in every group are considered.
    """
    scored = []
    for number, groups in per_statement.items():
        if any(t.seen < k for t in groups):
            continue
        if all((t.agree + 1) / (t.seen + 2) > 0.5 for t in groups):
            scored.append((-consensus_score(groups), number))
    return [number for _score, number in sorted(scored)[:LISTED]]


def divisive(tallies: dict[int, Tally], k: int) -> list[int]:
    """Statements the village is split on: both agree and disagree hold a real share.

    Ranked by the smaller of the two shares (an even split first); at least k votes.
    """
    scored = []
    for number, t in tallies.items():
        if t.seen < k:
            continue
        split = min(t.agree, t.disagree) / t.seen
        if split >= DIVISIVE_SHARE:
            scored.append((-split, number))
    return [number for _score, number in sorted(scored)[:LISTED]]


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> float:
    """z of the difference between two proportions (pooled); 0 when undefined."""
    if n1 == 0 or n2 == 0:
        return 0.0
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.0
    return (x1 / n1 - x2 / n2) / spread


# --- the opinion map ----------------------------------------------------------------------------


def vote_matrix(votes: list[Vote], statements: list[int]) -> tuple[list[str], np.ndarray]:
    """Participants (first vote order) and their votes, NaN where they did not vote."""
    column = {number: i for i, number in enumerate(statements)}
    rows: dict[str, int] = {}
    for vote in votes:
        if vote.statement in column:
            rows.setdefault(vote.participant, len(rows))
    matrix = np.full((len(rows), len(statements)), np.nan)
    for vote in votes:
        if vote.statement in column:
            matrix[rows[vote.participant], column[vote.statement]] = vote.value
    return list(rows), matrix


def counted_rows(matrix: np.ndarray) -> np.ndarray:
    """Boolean mask of participants with votes on min(7, statements) statements."""
    needed = min(MIN_VOTES, matrix.shape[1])
    return (~np.isnan(matrix)).sum(axis=1) >= max(needed, 1)


def project(matrix: np.ndarray) -> np.ndarray:
    """Fill missing votes with the statement mean, centre, project on two components (SVD)."""
    filled = matrix.copy()
    for j in range(filled.shape[1]):
        col = filled[:, j]
        seen = ~np.isnan(col)
        mean = col[seen].mean() if seen.any() else 0.0
        col[~seen] = mean
    centred = filled - filled.mean(axis=0)
    # The SVD of the small statements-by-statements scatter matrix gives the same principal
    # axes as the SVD of the whole matrix, at a fraction of the cost for a large village.
    _u, _s, axes = np.linalg.svd(centred.T @ centred)
    return centred @ axes[: min(2, len(axes))].T


def kmeans(points: np.ndarray, k: int, rng: np.random.Generator, inits: int = 4) -> np.ndarray:
    """Lloyd's k-means with k-means++ starts; the labels of the best of ``inits`` runs."""
    best_labels, best_inertia = np.zeros(len(points), dtype=int), math.inf
    n, dims = points.shape
    for _ in range(inits):
        centres = points[[rng.integers(n)]]
        for _c in range(1, k):
            d2 = ((points[:, None, :] - centres[None]) ** 2).sum(-1).min(axis=1)
            total = d2.sum()
            pick = rng.integers(n) if total == 0 else rng.choice(n, p=d2 / total)
            centres = np.vstack([centres, points[pick]])
        labels = np.full(n, -1)
        for _step in range(100):
            new = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(axis=1)
            if np.array_equal(new, labels):
                break
            labels = new
            counts = np.bincount(labels, minlength=k)
            sums = np.stack(
                [np.bincount(labels, weights=points[:, d], minlength=k) for d in range(dims)],
                axis=1,
            )
            # An emptied group keeps its old centre rather than dividing by zero.
            centres = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centres)
        inertia = ((points - centres[labels]) ** 2).sum()
        if inertia < best_inertia:
            best_labels, best_inertia = labels, inertia
    return best_labels


def distances(points: np.ndarray) -> np.ndarray:
    squared = (points**2).sum(axis=1)
    return np.sqrt(np.maximum(squared[:, None] + squared[None] - 2 * points @ points.T, 0.0))


def silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (Rousseeuw 1987) from a distance matrix; -1 with fewer than two groups.

    A participant alone in a group scores 0, as in the usual definition.
    """
    groups, own = np.unique(labels, return_inverse=True)
    if len(groups) < 2:
        return -1.0
    n = len(labels)
    onehot = np.zeros((n, len(groups)))
    onehot[np.arange(n), own] = 1.0
    sizes = onehot.sum(axis=0)
    totals = dist @ onehot  # each participant's summed distance to every group
    own_size = sizes[own]
    a = totals[np.arange(n), own] / np.maximum(own_size - 1, 1)
    others = totals / sizes
    others[np.arange(n), own] = np.inf
    b = others.min(axis=1)
    s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def best_clustering(points: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """The k in 2..5 (and fewer than participants) with the highest silhouette.

    In a large village the silhouette is taken over a seeded sample of SILHOUETTE_SAMPLE
    participants (as scikit-learn's ``sample_size`` does): the distance matrix grows with the
    square of the participants, the estimate hardly changes.
    """
    best_labels, best_score = np.zeros(len(points), dtype=int), -1.0
    sample = np.arange(len(points))
    if len(points) > SILHOUETTE_SAMPLE:
        sample = np.sort(rng.choice(len(points), SILHOUETTE_SAMPLE, replace=False))
    dist = distances(points[sample])
    for k in GROUP_COUNTS:
        if k >= len(points):
            break
        labels = kmeans(points, k, rng)
        score = silhouette(dist, labels[sample])
        if score > best_score + 1e-12:
            best_labels, best_score = labels, score
    return best_labels, best_score


def permuted(matrix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each statement's votes (missing ones too) shuffled over the participants."""
    out = matrix.copy()
    for j in range(out.shape[1]):
        out[:, j] = rng.permutation(out[:, j])
    return out


def cluster(
    matrix: np.ndarray,
    *,
    seed: int = SEED,
    permutations: int = PERMUTATIONS,
    progress: Callable[[int], None] | None = None,
) -> Clustering:
    """Groups of the counted participants' matrix, with the permutation test's threshold.

    ``progress(1)`` is called after each permutation (a command's progress bar).
    """
    rng = np.random.default_rng(seed)
    labels, score = best_clustering(project(matrix), rng)
    null = []
    for _ in range(permutations):
        null.append(best_clustering(project(permuted(matrix, rng)), rng)[1])
        if progress:
            progress(1)
    return Clustering(labels, score, float(np.percentile(null, 95)), float(max(null)))


# --- everything together ------------------------------------------------------------------------


def analyse(
    votes: list[Vote],
    statements: list[int],
    *,
    k: int,
    min_participants: int = MIN_PARTICIPANTS_DEFAULT,
    seed: int = SEED,
    permutations: int = PERMUTATIONS,
    progress: Callable[[int], None] | None = None,
) -> Analysis:
    """The whole result of a conversation; ``statements`` are the numbers residents vote on."""
    tallies = tally(votes, statements)
    people, matrix = vote_matrix(votes, statements)
    mask = counted_rows(matrix) if len(people) else np.zeros(0, dtype=bool)
    counted = int(mask.sum())
    whole = {number: [t] for number, t in tallies.items()}
    result = Analysis(
        participants=len(people),
        counted=counted,
        tallies=tallies,
        consensus=consensus(whole, k),
        divisive=divisive(tallies, k),
        groups=None,
        reason=REASON_FEW,
    )
    if counted < min_participants or len(statements) < 2:
        return result
    found = cluster(matrix[mask], seed=seed, permutations=permutations, progress=progress)
    result.silhouette, result.threshold = found.silhouette, found.threshold
    sizes = [int((found.labels == g).sum()) for g in np.unique(found.labels)]
    result.sizes_found = sizes
    if not (found.silhouette > found.threshold and found.silhouette > found.null_max):
        result.reason = REASON_NOISE
        return result
    if min(sizes) < k:
        result.reason = REASON_SMALL
        return result
    counted_people = [p for p, keep in zip(people, mask, strict=True) if keep]
    group_of = dict(zip(counted_people, found.labels.tolist(), strict=True))
    group_ids = sorted(set(group_of.values()))
    per_group = {
        g: tally([v for v in votes if group_of.get(v.participant) == g], statements)
        for g in group_ids
    }
    result.groups = [
        {
            "size": sizes[i],
            "distinctive": distinctive(per_group[g], tallies, k),
        }
        for i, g in enumerate(group_ids)
    ]
    result.consensus = consensus(
        {number: [per_group[g][number] for g in group_ids] for number in statements}, k
    )
    result.reason = REASON_SHOWN
    return result


def distinctive(group: dict[int, Tally], everyone: dict[int, Tally], k: int) -> list[int]:
    """Statements on which a group agrees or disagrees clearly more than the rest.

    A two-proportion z-test of the group's agree (and disagree) share against everyone else's;
    only statements at least k of the group voted on. Strongest first.
    """
    scored = []
    for number, t in group.items():
        rest = everyone[number]
        rest_seen = rest.seen - t.seen
        if t.seen < k or rest_seen < k:
            continue
        z = max(
            two_proportion_z(t.agree, t.seen, rest.agree - t.agree, rest_seen),
            two_proportion_z(t.disagree, t.seen, rest.disagree - t.disagree, rest_seen),
        )
        if z >= Z_DISTINCT:
            scored.append((-z, number))
    return [number for _z, number in sorted(scored)[:LISTED]]
