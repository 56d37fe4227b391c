"""vliegwiel_eenzaamheid: the De Jong Gierveld loneliness scale as a theme plugin.

Offers two survey templates (11-item scale with follow-up questions, 6-item short scale), scores
each response and summarises the village with small-group protection. Remove the package and
vliegwiel runs on without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from vliegwiel import hookimpl
from vliegwiel.i18n import dutch_number, localise, percent_text
from vliegwiel.report_sections import ReportSection, summary_section
from vliegwiel.summaries import Finding, Summary
from vliegwiel.suppression import percent, suppress_breakdowns, suppress_counts, suppress_mean

from .sample import sample_scale
from .scoring import LONG, SHORT, Version, band_label, score

PLUGIN = "eenzaamheid"
THEME = "eenzaamheid"
#: The matrix question that holds the scale in the bundled templates.
SCALE_QUESTION = "djg"
#: The optional age question (the dorpsenquête's categories): loneliness per age group.
AGE_QUESTION = "leeftijd"
SURVEYS_DIR = Path(__file__).parent / "surveys"


def scale_version(survey: Any) -> Version | None:
    """The scale version a survey asks: by the item ids of its ``djg`` matrix."""
    if getattr(survey, "theme", None) != THEME:
        return None
    question = survey.question(SCALE_QUESTION)
    if question is None:
        return None
    statements = question.extra_keys().get("statements") or []
    ids = {s.get("id") for s in statements if isinstance(s, dict)}
    for version in (LONG, SHORT):
        if ids == set(version.item_ids()):
            return version
    return None


@hookimpl
def vliegwiel_survey_templates() -> list[Path]:
    return sorted(SURVEYS_DIR.glob("*.yaml"))


@hookimpl
def vliegwiel_response_indicators(survey: Any, answers: dict[str, Any]) -> dict[str, Any] | None:
    version = scale_version(survey)
    if version is None:
        return None
    matrix = answers.get(SCALE_QUESTION)
    s = score(matrix if isinstance(matrix, dict) else {}, version)
    return {
        f"{PLUGIN}.versie": version.name,
        f"{PLUGIN}.totaal": s.total,
        f"{PLUGIN}.emotioneel": s.emotional,
        f"{PLUGIN}.sociaal": s.social,
        f"{PLUGIN}.categorie": s.category,
        f"{PLUGIN}.ontbrekend": s.missing,
    }


@hookimpl
def vliegwiel_sample_answers(survey: Any, rng: Any) -> dict[str, Any] | None:
    """Demo answers to the scale whose categories come out near the Dutch figures."""
    version = scale_version(survey)
    if version is None:
        return None
    return {SCALE_QUESTION: sample_scale(version, rng)}


def _pct(value: float | None) -> str | None:
    return None if value is None else percent_text(value)


def _mean(value: float | None) -> str | None:
    return None if value is None else dutch_number(value, 1, exact=True)


def summarise(survey: Any, responses: list[dict[str, Any]], k: int) -> Summary | None:
    """The village summary: share per category, social versus emotional, what would help."""
    version = scale_version(survey)
    if version is None:
        return None
    scored = [score(r.get("answers", {}).get(SCALE_QUESTION) or {}, version) for r in responses]
    counts = {band.id: 0 for band in version.bands}
    by_age: dict[str, dict[str, int]] = {}
    for r, s in zip(responses, scored, strict=True):
        if s.category is not None:
            counts[s.category] += 1
            age = r.get("answers", {}).get(AGE_QUESTION)
            if isinstance(age, str):
                row = by_age.setdefault(age, {})
                row[s.category] = row.get(s.category, 0) + 1
    # The bands and their split by age are protected as one table, so no hidden cell can be
    # worked out from the overall counts and the shown age groups.
    joint = suppress_breakdowns(counts, {AGE_QUESTION: by_age} if by_age else {}, k)
    protected = joint.overall
    findings = [
        Finding(
            _(band_label(version, band.id)),
            _pct(percent(protected.cells[band.id], protected.total)),
            _("score %(low)s-%(high)s", low=band.low, high=band.high),
        )
        for band in version.bands
    ]
    emotional = [s.emotional for s in scored if s.emotional is not None]
    social = [s.social for s in scored if s.social is not None]
    n_emo = sum(1 for i in version.items if i.kind == "emotional")
    n_soc = len(version.items) - n_emo
    findings.append(
        Finding(
            _("Emotionele eenzaamheid, gemiddelde score"),
            _mean(suppress_mean(emotional, k)),
            _("schaal 0-%(max)s; het missen van een hechte band", max=n_emo),
        )
    )
    findings.append(
        Finding(
            _("Sociale eenzaamheid, gemiddelde score"),
            _mean(suppress_mean(social, k)),
            _("schaal 0-%(max)s; het missen van een breder netwerk", max=n_soc),
        )
    )
    if by_age:
        findings += _by_age(survey, version, joint.tables[AGE_QUESTION])
    findings += _follow_up(survey, responses, k)
    return Summary(
        plugin=PLUGIN,
        title=_("Eenzaamheid (De Jong Gierveld-schaal, %(n)s uitspraken)", n=version.name),
        findings=findings,
        note=_(
            "%(n)s van de %(total)s antwoorden hadden genoeg uitspraken ingevuld voor een score. "
            "Groepen met minder dan %(k)s antwoorden worden niet getoond.",
            n=protected.total if protected.total is not None else _("te weinig"),
            total=len(responses),
            k=k,
        ),
    )


def _by_age(survey: Any, version: Version, table: Any) -> list[Finding]:
    """Share of each age group that is lonely to any degree (every band but "niet"): the
    group's total less its "niet eenzaam" cell, both as published, else hidden."""
    question = survey.question(AGE_QUESTION)
    options = (question.extra_keys().get("options") if question is not None else None) or []
    labels = {
        o["value"]: localise(o.get("label") or o["value"])
        for o in options
        if isinstance(o, dict) and isinstance(o.get("value"), str)
    }
    not_lonely = version.bands[0].id
    findings = []
    for age in [a for a in labels if a in table.cells] + sorted(set(table.cells) - set(labels)):
        size, fine = table.group_totals[age], table.cells[age][not_lonely]
        lonely = None if size is None or fine is None else size - fine
        findings.append(
            Finding(
                _("Eenzaam (matig of meer), %(age)s", age=labels.get(age, age)),
                _pct(percent(lonely, size)),
                _("van wie in deze leeftijdsgroep een score heeft"),
            )
        )
    return findings


_HELP_LABELS = {
    "ontmoeting": "Wil een plek of moment om elkaar te ontmoeten",
    "activiteiten": "Wil activiteiten in het dorp",
    "maatje": "Wil een maatje",
    "vervoer": "Wil vervoer naar activiteiten",
}


def _follow_up(survey: Any, responses: list[dict[str, Any]], k: int) -> list[Finding]:
    findings: list[Finding] = []
    if survey.question("wat_helpt") is not None:
        answered = [
            r["answers"]["wat_helpt"]
            for r in responses
            if isinstance(r.get("answers", {}).get("wat_helpt"), list)
        ]
        counts = {key: sum(key in a for a in answered) for key in _HELP_LABELS}
        protected = suppress_counts(counts, k, total=len(answered))
        findings += [
            Finding(
                _(label),
                _pct(percent(protected.cells[key], protected.total)),
                _("van wie deze vraag beantwoordde"),
            )
            for key, label in _HELP_LABELS.items()
        ]
    if survey.question("zelf_helpen") is not None:
        answered = [
            r["answers"]["zelf_helpen"]
            for r in responses
            if isinstance(r.get("answers", {}).get("zelf_helpen"), list)
        ]
        willing = sum(1 for a in answered if set(a) - {"nee"})
        protected = suppress_counts({"ja": willing, "nee": len(answered) - willing}, k)
        value = protected.cells["ja"]
        findings.append(
            Finding(
                _("Inwoners die zelf willen helpen"),
                None if value is None else str(value),
                _("als maatje, organisator of chauffeur"),
            )
        )
    return findings


@hookimpl
def vliegwiel_survey_summary(survey: Any, responses: list[dict[str, Any]], k: int) -> Any:
    return summarise(survey, responses, k)


@hookimpl
def vliegwiel_report_sections(survey: Any, results: Any) -> list[ReportSection]:
    if scale_version(survey) is None:
        return []
    return summary_section(results, PLUGIN)
