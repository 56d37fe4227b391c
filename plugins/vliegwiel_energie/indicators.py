"""Household energy indicators: pure functions over one response's answers and over a village.

Every constant carries its source; the README explains each computation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Average electricity delivered to a Dutch dwelling per year, kWh. CBS StatLine table 81528NED
#: "Energieverbruik particuliere woningen; woningtype en regio's", Nederland, 2024 (provisional):
#: 2,550 kWh. Used only when a household does not know its own use.
CBS_AVERAGE_KWH_PER_YEAR = 2550
#: Yearly yield of solar panels in the Netherlands, kWh per kWp. Rule of thumb 0.85-0.90 kWh per
#: Wp (Regionaal Energieloket: 0.90; installers' rule: 0.85); we take the middle.
YIELD_KWH_PER_KWP = 875
#: Peak power of one panel, Wp, for households that know only their number of panels; the
#: reference panel of Regionaal Energieloket's 2024 price survey (10 panels of 400 Wp).
PANEL_WP = 400
#: Size of a typical system on a suitable house roof, kWp: that same 10 x 400 Wp reference.
TYPICAL_ROOF_KWP = 4.0
#: Installed cost of solar power, euro per kWp: Regionaal Energieloket, January 2024, EUR 1.25/Wp.
COST_EUR_PER_KWP = 1250
#: Klimaatakkoord (2019): aim of 50% local ownership of new renewable generation on land.
LOCAL_OWNERSHIP_AIM = 0.5


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


def kwp(answers: Mapping[str, Any]) -> float | None:
    """Installed solar power in kWp: as reported, else from the number of panels, 0 without."""
    if answers.get("zonnepanelen") == "nee":
        return 0.0
    if answers.get("zonnepanelen") != "ja":
        return None
    reported = _number(answers.get("zonnepanelen_kwp"))
    if reported:
        return reported
    panels = _number(answers.get("zonnepanelen_aantal"))
    if panels:
        return panels * PANEL_WP / 1000
    return None


def kwh_per_year(answers: Mapping[str, Any]) -> tuple[float, bool]:
    """Yearly electricity use and whether it is the CBS estimate rather than the household's."""
    reported = _number(answers.get("stroomverbruik_kwh"))
    if reported:
        return reported, False
    return float(CBS_AVERAGE_KWH_PER_YEAR), True


def roof_potential_kwp(answers: Mapping[str, Any]) -> float:
    """Extra kWp a household could add: owners of a suitable roof that has no panels yet."""
    if (
        answers.get("zonnepanelen") == "nee"
        and answers.get("eigendom") == "koop"
        and answers.get("dak_geschikt") == "ja"
    ):
        return TYPICAL_ROOF_KWP
    return 0.0


def pledge_eur(answers: Mapping[str, Any]) -> float:
    """A firm pledge to invest locally: only "ja" counts; "misschien" is not a pledge."""
    if answers.get("investeren") != "ja":
        return 0.0
    return _number(answers.get("investeren_bedrag")) or 0.0


def household_indicators(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The indicators stored with one response (keys without the plugin prefix)."""
    use, estimated = kwh_per_year(answers)
    power = kwp(answers)
    return {
        "kwh_per_year": round(use),
        "kwh_estimated": estimated,
        "kwp": None if power is None else round(power, 2),
        "generation_kwh_per_year": None if power is None else round(power * YIELD_KWH_PER_KWP),
        "roof_potential_kwp": roof_potential_kwp(answers),
        "pledge_eur": pledge_eur(answers),
    }


@dataclass(frozen=True)
class VillageEnergy:
    households: int
    mean_kwh_per_year: float
    mean_generation_kwh_per_year: float
    potential_roofs: int
    potential_kwh_per_year: float
    pledgers: int
    pledged_eur: float
    #: Electricity the responding households still need beyond their own panels.
    remaining_kwh_per_year: float
    #: Investment for a shared project that would generate that remainder.
    project_cost_eur: float
    #: pledged_eur / project_cost_eur, capped at 1; None when nothing remains to generate.
    local_share: float | None

    @property
    def meets_aim(self) -> bool:
        return self.local_share is not None and self.local_share >= LOCAL_OWNERSHIP_AIM


def village(indicators: Iterable[Mapping[str, Any]]) -> VillageEnergy:
    """Aggregate the per-household indicators (unprefixed keys) of all responses."""
    rows = list(indicators)
    n = len(rows)
    use = [float(r.get("kwh_per_year") or 0) for r in rows]
    generation = [float(r.get("generation_kwh_per_year") or 0) for r in rows]
    roofs = [float(r.get("roof_potential_kwp") or 0) for r in rows]
    pledges = [float(r.get("pledge_eur") or 0) for r in rows]
    remaining = max(sum(use) - sum(generation), 0.0)
    cost = remaining / YIELD_KWH_PER_KWP * COST_EUR_PER_KWP
    pledged = sum(pledges)
    return VillageEnergy(
        households=n,
        mean_kwh_per_year=sum(use) / n if n else 0.0,
        mean_generation_kwh_per_year=sum(generation) / n if n else 0.0,
        potential_roofs=sum(1 for r in roofs if r > 0),
        potential_kwh_per_year=sum(roofs) * YIELD_KWH_PER_KWP,
        pledgers=sum(1 for p in pledges if p > 0),
        pledged_eur=pledged,
        remaining_kwh_per_year=remaining,
        project_cost_eur=cost,
        local_share=min(pledged / cost, 1.0) if cost > 0 else None,
    )
