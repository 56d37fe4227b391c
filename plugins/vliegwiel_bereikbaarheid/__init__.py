"""vliegwiel_bereikbaarheid: transport and the risk of transport poverty as a theme plugin.

Registers the ``destination_grid`` question type, offers the ``bereikbaarheid`` survey template,
scores each household's risk of transport poverty and summarises the village. Remove the
package and vliegwiel runs on (surveys using ``destination_grid`` then fail ``vliegwiel check``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from vliegwiel import hookimpl
from vliegwiel.i18n import dutch_number, percent_text
from vliegwiel.report_sections import ReportSection, summary_section
from vliegwiel.summaries import Finding, Summary
from vliegwiel.suppression import percent, suppress_counts, suppress_mean

from . import indicators as ind
from .destination_grid import DestinationGrid

PLUGIN = "bereikbaarheid"
THEME = "bereikbaarheid"
SURVEYS_DIR = Path(__file__).parent / "surveys"


def _ours(survey: Any) -> bool:
    return getattr(survey, "theme", None) == THEME


@hookimpl
def vliegwiel_question_types() -> list[Any]:
    return [DestinationGrid()]


@hookimpl
def vliegwiel_survey_templates() -> list[Path]:
    return sorted(SURVEYS_DIR.glob("*.yaml"))


@hookimpl
def vliegwiel_response_indicators(survey: Any, answers: dict[str, Any]) -> dict[str, Any] | None:
    if not _ours(survey):
        return None
    r = ind.risk(answers)
    out: dict[str, Any] = {f"{PLUGIN}.score_{name}": s for name, s in r.scores.items()}
    out[f"{PLUGIN}.risico_score"] = r.mean
    out[f"{PLUGIN}.risico"] = r.band
    return out


def _pct(value: float | None) -> str | None:
    return None if value is None else percent_text(value)


def summarise(survey: Any, responses: list[dict[str, Any]], k: int) -> Summary | None:
    if not _ours(survey):
        return None
    answers = [r.get("answers", {}) for r in responses]
    risks = [ind.risk(a) for a in answers]
    counts = {band_id: 0 for _lo, _hi, band_id, _label in ind.BANDS}
    for r in risks:
        if r.band is not None:
            counts[r.band] += 1
    protected = suppress_counts(counts, k)
    findings = [
        Finding(
            _(ind.band_label(band_id)),
            _pct(percent(protected.cells[band_id], protected.total)),
            _(
                "gemiddelde score %(lo)s tot %(hi)s",
                lo=dutch_number(lo, 1, exact=True),
                hi=dutch_number(min(hi, 2), 1, exact=True),
            ),
        )
        for lo, hi, band_id, _label in ind.BANDS
    ]
    mean = suppress_mean([r.mean for r in risks if r.mean is not None], k)
    findings.append(
        Finding(
            _("Gemiddelde risicoscore"),
            None if mean is None else dutch_number(mean, 2, exact=True),
            _("0 = geen risico, 2 = hoog risico op alle punten"),
        )
    )
    for key, label in (
        ("ja", _("Wil vrijwillig rijden")),
        ("misschien", _("Wil misschien vrijwillig rijden")),
    ):
        values = [a.get("vrijwilliger_rijden") for a in answers]
        volunteers = suppress_counts(
            {v: values.count(v) for v in ("ja", "misschien", "nee")}, k
        ).cells[key]
        findings.append(Finding(label, None if volunteers is None else str(volunteers)))
    forgone = [a.get("ritten_niet_gemaakt") for a in answers if a.get("ritten_niet_gemaakt")]
    trips = suppress_counts({v: forgone.count(v) for v in ("nooit", "soms", "vaak")}, k)
    soms, vaak = trips.cells["soms"], trips.cells["vaak"]
    findings.append(
        Finding(
            _("Blijft soms of vaak thuis door gebrek aan vervoer"),
            None if soms is None or vaak is None else _pct(percent(soms + vaak, trips.total)),
        )
    )
    return Summary(
        plugin=PLUGIN,
        title=_("Risico op vervoersarmoede"),
        findings=findings,
        note=_(
            "Vereenvoudigd naar de CBS/PBL-indicator: vijf punten uit deze vragenlijst, elk 0, 1 "
            "of 2. Groepen met minder dan %(k)s antwoorden worden niet getoond.",
            k=k,
        ),
    )


@hookimpl
def vliegwiel_survey_summary(survey: Any, responses: list[dict[str, Any]], k: int) -> Any:
    return summarise(survey, responses, k)


@hookimpl
def vliegwiel_report_sections(survey: Any, results: Any) -> list[ReportSection]:
    if not _ours(survey):
        return []
    return summary_section(results, PLUGIN)
