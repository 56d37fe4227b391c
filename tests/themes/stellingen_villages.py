"""Simulated villages for the stellingen plugin: residents with a camp (or none) voting.

Every participant meets every statement (as on the web page, one at a time) and passes on
about one in ten. A camp has a view on every statement: its members vote that way (when
they do not pass) 85 times in 100; noise participants agree or disagree with no pattern at all.
"""

from __future__ import annotations

import numpy as np
from vliegwiel_stellingen.analysis import AGREE, DISAGREE, PASS, Vote

STATEMENTS = 12
#: How often a camp member votes their camp's view (when not passing).
CONSISTENCY = 0.85


def camp_views(camps: int, rng: np.random.Generator) -> np.ndarray:
    """A +1/-1 view per camp and statement; camps differ on at least half the statements."""
    views = np.ones((camps, STATEMENTS), dtype=int)
    for c in range(1, camps):
        views[c] = rng.choice([1, -1], STATEMENTS)
        views[c, : STATEMENTS // 2] = -views[0, : STATEMENTS // 2]
    return views


def simulate(
    sizes: list[int] | None = None,
    *,
    noise: int = 0,
    seed: int = 0,
    views: np.ndarray | None = None,
) -> list[Vote]:
    """Votes of ``sizes[i]`` members of camp i plus ``noise`` participants without a camp."""
    rng = np.random.default_rng(seed)
    sizes = sizes or []
    if views is None:
        views = camp_views(len(sizes), rng) if sizes else np.zeros((0, STATEMENTS))
    votes: list[Vote] = []
    people = [c for c, size in enumerate(sizes) for _ in range(size)] + [None] * noise
    for i, camp in enumerate(people):
        for number in range(1, STATEMENTS + 1):
            if rng.random() < 0.1:
                value = PASS
            elif camp is None:
                value = AGREE if rng.random() < 0.5 else DISAGREE
            else:
                view = int(views[camp, number - 1])
                value = view if rng.random() < CONSISTENCY else -view
            votes.append(Vote(f"p{i}", number, value))
    return votes


ALL = list(range(1, STATEMENTS + 1))
