"""Scoring of the De Jong Gierveld loneliness scale, 11-item and 6-item versions.

Pure functions, no app: the rules follow the "Manual of the Loneliness Scale" (De Jong Gierveld &
Van Tilburg, 1999, updated 2022) and are cited item by item in this package's README.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["emotional", "social"]

#: The stored option values of the three answer categories of the scale.
YES, MORE_OR_LESS, NO = "ja", "min_of_meer", "nee"
ANSWER_VALUES = (YES, MORE_OR_LESS, NO)


@dataclass(frozen=True)
class Item:
    """One statement of the scale, numbered as in the manual (1-11)."""

    number: int
    nl: str
    en: str
    kind: Kind

    @property
    def id(self) -> str:
        return f"item{self.number:02d}"


# Negatively worded items measure emotional loneliness; positively worded ones, scored in
# reverse, measure social loneliness (manual, section 2).
ITEMS: tuple[Item, ...] = (
    Item(
        1,
        "Er is altijd wel iemand in mijn omgeving bij wie ik met mijn dagelijkse "
        "probleempjes terecht kan.",
        "There is always someone I can talk to about my day-to-day problems.",
        "social",
    ),
    Item(
        2,
        "Ik mis een echt goede vriend of vriendin.",
        "I miss having a really close friend.",
        "emotional",
    ),
    Item(
        3,
        "Ik ervaar een leegte om me heen.",
        "I experience a general sense of emptiness.",
        "emotional",
    ),
    Item(
        4,
        "Er zijn genoeg mensen op wie ik in geval van narigheid kan terugvallen.",
        "There are plenty of people I can lean on when I have problems.",
        "social",
    ),
    Item(
        5,
        "Ik mis gezelligheid om me heen.",
        "I miss the pleasure of the company of others.",
        "emotional",
    ),
    Item(
        6,
        "Ik vind mijn kring van kennissen te beperkt.",
        "I find my circle of friends and acquaintances too limited.",
        "emotional",
    ),
    Item(
        7,
        "Ik heb veel mensen op wie ik volledig kan vertrouwen.",
        "There are many people I can trust completely.",
        "social",
    ),
    Item(
        8,
        "Er zijn voldoende mensen met wie ik me nauw verbonden voel.",
        "There are enough people I feel close to.",
        "social",
    ),
    Item(9, "Ik mis mensen om me heen.", "I miss having people around me.", "emotional"),
    Item(10, "Vaak voel ik me in de steek gelaten.", "I often feel rejected.", "emotional"),
    Item(
        11,
        "Wanneer ik daar behoefte aan heb, kan ik altijd bij mijn vrienden terecht.",
        "I can call on my friends whenever I need them.",
        "social",
    ),
)
ITEMS_BY_ID = {item.id: item for item in ITEMS}


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    id: str
    label: str


@dataclass(frozen=True)
class Version:
    """A version of the scale with its items, missing-item limits and cut-off points."""

    name: str
    items: tuple[Item, ...]
    #: Most unanswered items that still give a score; more missing makes the score missing.
    max_missing_total: int
    max_missing_emotional: int
    max_missing_social: int
    bands: tuple[Band, ...]

    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


# Cut-off points of the 11-item scale: Van Tilburg & De Jong Gierveld (1999), as given in the
# manual, section 9. Missing items: at most two for the total, one per subscale, after the
# manual's 11-item syntax (section 7) as we recall it; unverified, see README.
LONG = Version(
    name="11",
    items=ITEMS,
    max_missing_total=2,
    max_missing_emotional=1,
    max_missing_social=1,
    bands=(
        Band(0, 2, "niet", "niet eenzaam"),
        Band(3, 8, "matig", "matig eenzaam"),
        Band(9, 10, "ernstig", "ernstig eenzaam"),
        Band(11, 11, "zeer_ernstig", "zeer ernstig eenzaam"),
    ),
)

# The 6-item short scale (De Jong Gierveld & Van Tilburg, 2006), in its published order: items
# 3, 9, 10 (emotional) and 4, 7, 8 (social). The manual's syntax: the total is missing when more
# than one item is missing (`if (mlones>1) lones=-1`), a subscale when any of its three items
# is missing; categories recode 0-1, 2-4, 5-6.
SHORT = Version(
    name="6",
    items=tuple(ITEMS_BY_ID[f"item{n:02d}"] for n in (3, 4, 7, 9, 8, 10)),
    max_missing_total=1,
    max_missing_emotional=0,
    max_missing_social=0,
    bands=(
        Band(0, 1, "niet", "niet eenzaam"),
        Band(2, 4, "matig", "matig eenzaam"),
        Band(5, 6, "sterk", "sterk eenzaam"),
    ),
)

VERSIONS = (LONG, SHORT)


def item_score(item: Item, answer: Any) -> int | None:
    """1 when the answer counts as lonely, 0 when not, None when unanswered or invalid.

    The neutral "min of meer" counts as lonely on both kinds of item (manual, section 7).
    """
    if answer not in ANSWER_VALUES:
        return None
    if item.kind == "emotional":
        return 1 if answer in (YES, MORE_OR_LESS) else 0
    return 1 if answer in (NO, MORE_OR_LESS) else 0


@dataclass(frozen=True)
class Score:
    """The scores of one respondent; a score is None when too many of its items are missing."""

    version: str
    total: int | None
    emotional: int | None
    social: int | None
    category: str | None
    missing: int


def category(total: int, version: Version) -> str:
    """The category id (``niet``, ``matig``, ...) of a total score."""
    for band in version.bands:
        if band.low <= total <= band.high:
            return band.id
    raise ValueError(f"score {total} is outside the {version.name}-item scale")


def _subscale(scores: list[int | None], max_missing: int) -> int | None:
    missing = sum(s is None for s in scores)
    if missing > max_missing:
        return None
    # Like the manual's SPSS `count`, the score counts lonely answers among answered items:
    # a tolerated missing item is not imputed.
    return sum(s for s in scores if s is not None)


def score(answers: Mapping[str, Any], version: Version) -> Score:
    """Score one respondent's answers (item id -> "ja" / "min_of_meer" / "nee")."""
    per_item = {item.id: item_score(item, answers.get(item.id)) for item in version.items}
    emotional = [per_item[i.id] for i in version.items if i.kind == "emotional"]
    social = [per_item[i.id] for i in version.items if i.kind == "social"]
    total = _subscale(emotional + social, version.max_missing_total)
    return Score(
        version=version.name,
        total=total,
        emotional=_subscale(emotional, version.max_missing_emotional),
        social=_subscale(social, version.max_missing_social),
        category=None if total is None else category(total, version),
        missing=sum(s is None for s in per_item.values()),
    )


def band_label(version: Version, category_id: str) -> str:
    for band in version.bands:
        if band.id == category_id:
            return band.label
    raise KeyError(category_id)
