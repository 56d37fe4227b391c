"""Believable demo answers to the De Jong Gierveld scale (``vliegwiel_sample_answers``).

Answering each item at random makes nearly everyone lonely, because a neutral "min of meer"
counts as lonely and half of the items are scored in reverse. Instead a respondent's total
score is drawn first, from a distribution near the Dutch figures for adults (CBS/RIVM
Gezondheidsmonitor Volwassenen en Ouderen 2020 and 2022: about half not lonely, about four
in ten moderately, about one in ten severely or very severely lonely), and then that many
items, chosen at random, are answered the lonely way.
"""

from __future__ import annotations

import random

from .scoring import MORE_OR_LESS, NO, YES, Item, Version

#: Probability of each total score, per version. 11 items: 0-2 not lonely (50 %), 3-8
#: moderately (40 %), 9-10 severely (7 %), 11 very severely (3 %). 6 items: 0-1 not lonely
#: (50 %), 2-4 moderately (40 %), 5-6 strongly (10 %).
TOTALS: dict[str, tuple[float, ...]] = {
    "11": (0.25, 0.15, 0.10, 0.10, 0.08, 0.07, 0.06, 0.05, 0.04, 0.04, 0.03, 0.03),
    "6": (0.30, 0.20, 0.18, 0.13, 0.09, 0.06, 0.04),
}


def _answer(item: Item, lonely: bool, rng: random.Random) -> str:
    # A lonely answer is often the hesitant "min of meer"; "nee" on an emotional item and
    # "ja" on a social one are the answers of someone who is not lonely on that item.
    if item.kind == "emotional":
        return rng.choice((YES, MORE_OR_LESS)) if lonely else NO
    return rng.choice((NO, MORE_OR_LESS)) if lonely else YES


def sample_scale(version: Version, rng: random.Random) -> dict[str, str]:
    """One respondent's answers (item id -> answer value) to ``version`` of the scale."""
    weights = TOTALS[version.name]
    total = rng.choices(range(len(weights)), weights=weights)[0]
    lonely = set(rng.sample([item.id for item in version.items], total))
    return {item.id: _answer(item, item.id in lonely, rng) for item in version.items}
