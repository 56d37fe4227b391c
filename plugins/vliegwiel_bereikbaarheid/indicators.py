"""Risk of transport poverty (risico op vervoersarmoede), simplified from the CBS/PBL indicator.

CBS/PBL score each of nine register variables 0 (low), 1 (medium) or 2 (high risk), take the
mean per household and band it: below 0.5 very low, 0.5-1 low, 1-1.5 high, 1.5-2 very high.
We follow the same scheme over five variables a survey can ask; the README says what differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MODES = ("lopen", "fiets", "auto", "buurtbus", "bus", "meerijden", "niet")
#: Destinations of the grid, in the order residents see them.
DESTINATIONS = ("supermarkt", "huisarts", "school", "werk")

#: Bands of the mean score, as in CBS/PBL: [low, high) -> category.
BANDS = (
    (0.0, 0.5, "zeer_laag", "zeer laag risico"),
    (0.5, 1.0, "laag", "laag risico"),
    (1.0, 1.5, "hoog", "hoog risico"),
    (1.5, 2.01, "zeer_hoog", "zeer hoog risico"),
)
#: Fewest scored variables for a household score; fewer answers leave it unscored.
MIN_VARIABLES = 3


def score_vehicle(answers: Mapping[str, Any]) -> int | None:
    """Car and licence in the household: both 0, one of the two 1, neither 2."""
    car, licence = answers.get("auto"), answers.get("rijbewijs")
    if car not in ("ja", "nee") or licence not in ("ja", "nee"):
        return None
    return (car == "nee") + (licence == "nee")


def score_bus_stop(answers: Mapping[str, Any]) -> int | None:
    """Walking distance to the nearest bus stop: under 500 m 0, under 1 km 1, further 2."""
    return {"tot_500m": 0, "500m_1km": 1, "1_3km": 2, "verder": 2}.get(
        answers.get("afstand_bushalte")
    )


def score_destination(cell: Any) -> int | None:
    """Reaching one destination: cannot ("niet") 2; else by travel time <=15 min 0, <=30 1."""
    if not isinstance(cell, Mapping) or cell.get("mode") not in MODES:
        return None
    if cell["mode"] == "niet":
        return 2
    minutes = cell.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        return None
    return 0 if minutes <= 15 else 1 if minutes <= 30 else 2


def score_trips_forgone(answers: Mapping[str, Any]) -> int | None:
    """Trips not made for lack of transport: never 0, sometimes 1, often 2."""
    return {"nooit": 0, "soms": 1, "vaak": 2}.get(answers.get("ritten_niet_gemaakt"))


@dataclass(frozen=True)
class Risk:
    scores: dict[str, int | None]
    mean: float | None
    band: str | None


def band(mean: float) -> str:
    for low, high, band_id, _label in BANDS:
        if low <= mean < high:
            return band_id
    raise ValueError(f"mean score {mean} is outside 0-2")


def band_label(band_id: str) -> str:
    return next(label for _l, _h, b, label in BANDS if b == band_id)


def risk(answers: Mapping[str, Any]) -> Risk:
    """The scored variables, their mean and its band for one household."""
    grid = answers.get("bestemmingen")
    grid = grid if isinstance(grid, Mapping) else {}
    scores = {
        "voertuig": score_vehicle(answers),
        "bushalte": score_bus_stop(answers),
        "supermarkt": score_destination(grid.get("supermarkt")),
        "huisarts": score_destination(grid.get("huisarts")),
        "ritten": score_trips_forgone(answers),
    }
    known = [s for s in scores.values() if s is not None]
    if len(known) < MIN_VARIABLES:
        return Risk(scores, None, None)
    mean = round(sum(known) / len(known), 2)
    return Risk(scores, mean, band(mean))
