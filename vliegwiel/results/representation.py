"""Who answered, compared with who lives there.

Per group of a background question (age group, part of the village, ...): its share of the
respondents next to its share of the population an organiser entered, and a flag when the
group answered less than its share divided by a set factor (``[results]
underrepresented_factor``, default 1.5: a group that is 30 % of the village but under 20 % of
the respondents). The respondent counts are the *published* ones (small-group protection
applied): a hidden count stays hidden here, and its share and ratio with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: A group is flagged when its respondent share is below population share / this factor.
UNDER_FACTOR_DEFAULT = 1.5


@dataclass(frozen=True)
class GroupShare:
    group: str
    #: Published respondents of the group; None when small-group protection hides it.
    respondents: int | None
    residents: int
    #: Percent of the respondents (None when hidden) and of the population.
    respondent_percent: float | None
    population_percent: float
    #: respondent share / population share (1: as many as expected); None when unknown.
    ratio: float | None
    under_represented: bool


def compare(
    respondents: Mapping[str, int | None],
    population: Mapping[str, int],
    *,
    total: int | None,
    factor: float = UNDER_FACTOR_DEFAULT,
) -> list[GroupShare]:
    """Compare published respondent counts per group with the population per group.

    ``total`` is the published number of respondents who answered the question (None when
    hidden: then no share can be given).
    """
    if factor < 1:
        raise ValueError("the under-representation factor must be at least 1")
    residents_total = sum(population.values())
    rows = []
    for group, residents in population.items():
        count = respondents.get(group)
        pop_pct = 100 * residents / residents_total if residents_total else 0.0
        resp_pct = None
        if count is not None and total:
            resp_pct = 100 * count / total
        ratio = None
        if resp_pct is not None and pop_pct > 0:
            ratio = resp_pct / pop_pct
        rows.append(
            GroupShare(
                group=group,
                respondents=count,
                residents=residents,
                respondent_percent=resp_pct,
                population_percent=pop_pct,
                ratio=ratio,
                under_represented=ratio is not None and ratio * factor < 1,
            )
        )
    return rows
