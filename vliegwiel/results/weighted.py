"""Weighted results next to the unweighted ones (setting ``[results] weighting``, off by default).

The weights come from vliegwiel.results.weighting, to the population margins an organiser
entered (vliegwiel.results.population). What is weighted and what is refused:

* Nothing, when weighting is off, when no population figures are entered, or when any group
  of a margin has fewer than k respondents (``WeightingRefused``); the methods note then
  says why in words.
* For raking, every combination of the margin questions (age x part of the village) must
  hold 0 or at least k respondents: the weights depend on those combinations, which are
  never published.
* A question gets weighted percentages only when each of its answers, crossed with each
  margin question, holds 0 or at least k respondents. A weighted percentage is a sum over
  the groups of such cells; if one of them is small enough to be hidden in a breakdown, the
  weighted figure next to the unweighted one would be an extra equation to solve it from.

The margins of weighted percentages use the effective sample size (Kish) of the respondents
who answered: weighting costs precision, and the interval says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.village import Village
from vliegwiel.results.intervals import percent_interval
from vliegwiel.results.population import load_margins
from vliegwiel.results.weighting import (
    WeightingRefused,
    Weights,
    effective_sample_size,
    poststratify,
    rake,
    weighted_counts,
)
from vliegwiel.surveys.schema import Question, Survey
from vliegwiel.web.i18n import localise

#: Question types whose answers are weighted (their answer shapes are known here).
WEIGHTED_TYPES = ("single_choice", "yes_no", "multiple_choice", "scale")


@dataclass(frozen=True)
class WeightingInfo:
    """What the pages and the report's methods note say about weighting."""

    method: str
    applied: bool
    #: Why weighting was not applied (Dutch, for readers); None when applied.
    reason: str | None = None
    #: The margin questions weighted to, in words.
    by: str = ""
    design_effect: float = 1.0
    effective_n: float = 0.0
    cap: float = 0.0


def apply_weighting(
    village: Village, survey: Survey, responses: list[dict[str, Any]], questions: list[Any]
) -> WeightingInfo | None:
    """Weight ``responses`` when the village set weighting on; fill ``weighted`` of each
    question result in ``questions`` that may show it. None when weighting is off."""
    method = village.config.weighting
    if method == "off":
        return None
    k = village.config.min_group_size
    margins = load_margins(village.storage, survey.id)
    margin_questions = [q for q in survey.questions() if q.id in margins]
    if method == "poststratify":
        margin_questions = margin_questions[:1]
    if not margin_questions:
        return WeightingInfo(
            method, False, _("er zijn voor deze enquête geen bevolkingscijfers ingevoerd.")
        )
    by = ", ".join(localise(q.text) for q in margin_questions)
    groups = [tuple(_group(r, q) for q in margin_questions) for r in responses]
    try:
        weights = _weights(method, groups, [margins[q.id] for q in margin_questions], village)
        if method == "rake" and len(margin_questions) > 1:
            _check_combinations(groups, k)
    except WeightingRefused:
        return WeightingInfo(
            method,
            False,
            _(
                "een groep heeft minder dan %(k)s antwoorden, of niet iedereen beantwoordde "
                "de vragen waarop gewogen wordt (%(by)s).",
                k=k,
                by=by,
            ),
            by=by,
        )
    for result in questions:
        if _weighable(result, margin_questions):
            result.weighted = _weighted(
                result.question, responses, weights, groups, k, village.config.households
            )
    return WeightingInfo(
        method,
        True,
        by=by,
        design_effect=weights.design_effect,
        effective_n=weights.effective_n,
        cap=village.config.max_weight,
    )


def _weights(method: str, groups: list[tuple], margins: list[dict[str, int]], village) -> Weights:
    k = village.config.min_group_size
    cap = village.config.max_weight
    if method == "poststratify":
        return poststratify([g[0] for g in groups], margins[0], k=k, cap=cap)
    return rake(groups, margins, k=k, cap=cap)


def _check_combinations(groups: list[tuple], k: int) -> None:
    sizes: dict[tuple, int] = {}
    for group in groups:
        sizes[group] = sizes.get(group, 0) + 1
    if any(0 < size < k for size in sizes.values()):
        raise WeightingRefused("a combination of margin groups has fewer than k respondents")


def _weighable(result: Any, margin_questions: list[Question]) -> bool:
    return (
        not result.hidden
        and result.counts is not None
        and result.tally.kind == "choice"
        and result.question.type in WEIGHTED_TYPES
        and result.question.id not in {q.id for q in margin_questions}
    )


def _weighted(
    question: Question,
    responses: list[dict[str, Any]],
    weights: Weights,
    groups: list[tuple],
    k: int,
    households: int | None,
) -> dict[str, tuple[float, tuple[float, float] | None]] | None:
    answered = [
        (_chosen(r["answers"][question.id]), w, g)
        for r, w, g in zip(responses, weights.weights, groups, strict=True)
        if question.id in r["answers"]
    ]
    answered = [(chosen, w, g) for chosen, w, g in answered if chosen]
    if not answered:
        return None
    # every (margin group, answer) cell must be 0 or at least k (see the module docstring)
    for m in range(len(groups[0])):
        cells: dict[tuple, int] = {}
        for chosen, _w, group in answered:
            for value in chosen:
                cells[(group[m], value)] = cells.get((group[m], value), 0) + 1
        if any(0 < size < k for size in cells.values()):
            return None
    counts, total = weighted_counts([c for c, _w, _g in answered], [w for _c, w, _g in answered])
    n_eff = effective_sample_size([w for _c, w, _g in answered])
    result = {}
    for value, weighted in counts.items():
        share = weighted / total
        interval = percent_interval(share * n_eff, n_eff, population=households)
        result[value] = (100 * share, interval)
    for value in _all_values(question):
        result.setdefault(value, (0.0, percent_interval(0, n_eff, population=households)))
    return result


def _group(response: dict[str, Any], question: Question) -> str | None:
    answer = response["answers"].get(question.id)
    if isinstance(answer, dict):
        answer = answer.get("value")
    return answer if isinstance(answer, str) else None


def _chosen(answer: Any) -> list[str]:
    if isinstance(answer, dict):
        answer = answer.get("values", answer.get("value"))
    if isinstance(answer, list):
        return [str(v) for v in answer]
    if isinstance(answer, bool) or answer is None:
        return []
    return [str(answer)]


def _all_values(question: Question) -> list[str]:
    options = getattr(question.settings, "options", None)
    if options:
        return [o.value for o in options]
    return []
