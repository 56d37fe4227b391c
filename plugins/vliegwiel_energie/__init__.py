"""vliegwiel_energie: household energy and local ownership as a theme plugin.

Offers the ``energie`` survey template, stores per-household indicators (use, generation, roof
potential, pledge) and summarises the village. Remove the package and vliegwiel runs on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from vliegwiel import hookimpl
from vliegwiel.i18n import dutch_number, percent_text
from vliegwiel.report_sections import ReportSection, summary_section
from vliegwiel.summaries import Finding, Summary
from vliegwiel.suppression import suppress_counts, suppress_mean

from . import indicators as ind

PLUGIN = "energie"
THEME = "energie"
SURVEYS_DIR = Path(__file__).parent / "surveys"


def _ours(survey: Any) -> bool:
    return getattr(survey, "theme", None) == THEME


@hookimpl
def vliegwiel_survey_templates() -> list[Path]:
    return sorted(SURVEYS_DIR.glob("*.yaml"))


@hookimpl
def vliegwiel_response_indicators(survey: Any, answers: dict[str, Any]) -> dict[str, Any] | None:
    if not _ours(survey):
        return None
    return {f"{PLUGIN}.{key}": value for key, value in ind.household_indicators(answers).items()}


def _n(value: float) -> str:
    # Whole numbers in the page's language: 2.550 on a Dutch page, 2,550 on an English one.
    return dutch_number(value, 0)


def summarise(survey: Any, responses: list[dict[str, Any]], k: int) -> Summary | None:
    """Village totals; anything over fewer than k households is hidden."""
    if not _ours(survey):
        return None
    # Recompute from the answers so a summary never depends on stale stored indicators.
    rows = [ind.household_indicators(r.get("answers", {})) for r in responses]
    v = ind.village(rows)
    enough = v.households >= k
    reported = [r["kwh_per_year"] for r in rows if not r["kwh_estimated"]]
    generation = [r["generation_kwh_per_year"] for r in rows if r["kwp"] is not None]
    roofs = suppress_counts(
        {"ja": v.potential_roofs, "nee": v.households - v.potential_roofs}, k
    ).cells["ja"]
    pledgers = suppress_counts({"ja": v.pledgers, "nee": v.households - v.pledgers}, k).cells["ja"]
    mean_use = suppress_mean(reported, k)
    mean_gen = suppress_mean(generation, k)
    findings = [
        Finding(_("Huishoudens"), str(v.households) if enough else None),
        Finding(
            _("Stroomverbruik per huishouden (opgegeven)"),
            None if mean_use is None else f"{_n(mean_use)} kWh",
            _(
                "gemiddeld per jaar; landelijk (CBS 2024): %(avg)s kWh",
                avg=_n(ind.CBS_AVERAGE_KWH_PER_YEAR),
            ),
        ),
        Finding(
            _("Eigen opwek per huishouden"),
            None if mean_gen is None else f"{_n(mean_gen)} kWh",
            _("gemiddeld per jaar, ook huishoudens zonder panelen (0)"),
        ),
        Finding(
            _("Geschikte eigen daken zonder zonnepanelen"),
            None if roofs is None else str(roofs),
        ),
        Finding(
            _("Extra opwek mogelijk op die daken"),
            None if roofs is None else f"{_n(v.potential_kwh_per_year)} kWh",
            _(
                "per jaar, bij %(kwp)s kWp per dak en %(y)s kWh per kWp",
                kwp=dutch_number(ind.TYPICAL_ROOF_KWP, 1),
                y=_n(ind.YIELD_KWH_PER_KWP),
            ),
        ),
        Finding(
            _("Toegezegde inleg"),
            None if pledgers is None else f"€ {_n(v.pledged_eur)}",
            _("door %(n)s huishoudens", n=pledgers if pledgers is not None else "?"),
        ),
        Finding(
            _("Lokaal eigendom van een gezamenlijk project"),
            None
            if pledgers is None or v.local_share is None
            else percent_text(v.local_share * 100),
            _(
                "inleg gedeeld door de kosten (€ %(cost)s) van een project dat de resterende "
                "%(kwh)s kWh per jaar opwekt; Klimaatakkoord: streven 50%%",
                cost=_n(v.project_cost_eur),
                kwh=_n(v.remaining_kwh_per_year),
            ),
        ),
    ]
    return Summary(
        plugin=PLUGIN,
        title=_("Energie in het dorp"),
        findings=findings,
        note=_("Groepen met minder dan %(k)s antwoorden worden niet getoond.", k=k),
    )


@hookimpl
def vliegwiel_survey_summary(survey: Any, responses: list[dict[str, Any]], k: int) -> Any:
    return summarise(survey, responses, k)


@hookimpl
def vliegwiel_report_sections(survey: Any, results: Any) -> list[ReportSection]:
    if not _ours(survey):
        return []
    return summary_section(results, PLUGIN)
