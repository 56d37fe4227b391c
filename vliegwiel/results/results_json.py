"""The protected results as plain JSON: the public interface of ``vliegwiel results --json``
and the data every publication stores (docs/results.md describes the shape).

Only published numbers go in: a number that small-group protection hides is ``null``.
Labels are Dutch (the village's language of record), so two runs in different interface
languages give the same file.
"""

from __future__ import annotations

from typing import Any

from vliegwiel.results.tallies import QuestionResult, SurveyResults
from vliegwiel.web.i18n import localise


def results_json(results: SurveyResults, published_at: str | None = None) -> dict[str, Any]:
    """``{"survey", "respondents", "published_at", "questions": [...]}`` for ``results``."""
    return {
        "survey": results.survey.id,
        "respondents": results.respondents_shown,
        "published_at": published_at,
        "round": results.wave,
        "round_label": results.wave_label,
        "k": results.k,
        "confidence": results.confidence,
        "households": results.households,
        "weighting": _weighting_json(results),
        "channels": dict(results.channels.cells),
        "questions": [question_json(r) for r in results.questions],
    }


def question_json(
    result: QuestionResult, part_id: str | None = None, part_text: str | None = None
) -> dict[str, Any]:
    """One question (or one matrix statement, ``part_id``) as published."""
    respondents: int | None = None if result.hidden else result.tally.respondents
    if result.counts is not None and result.tally.kind != "ranking":
        respondents = result.counts.total
    stats = result.stats or {}
    mean_interval = result.mean_interval
    data: dict[str, Any] = {
        "id": part_id or result.question.id,
        "text": part_text or localise(result.question.text, "nl"),
        "kind": result.tally.kind,
        "respondents": respondents,
        "answers": [
            {
                "value": key,
                "label": localise(label, "nl"),
                "count": count,
                "percent": None if pct is None else round(pct, 1),
                "interval": None if interval is None else list(interval),
                "weighted": _weighted_json(result, key),
            }
            for key, label, count, pct, interval in result.rows_with_intervals()
        ],
        "mean": None if result.hidden else stats.get("mean"),
        "mean_interval": None if mean_interval is None else list(mean_interval),
        "median": None if result.hidden else stats.get("median"),
    }
    if result.parts:
        data["parts"] = [
            question_json(sub, key, _statement_text(result, key))
            for key, sub in result.parts.items()
        ]
    return data


def _weighting_json(results: SurveyResults) -> dict[str, Any] | None:
    info = results.weighting
    if info is None:
        return None
    return {
        "method": info.method,
        "applied": info.applied,
        "reason": info.reason,
        "design_effect": round(info.design_effect, 2) if info.applied else None,
        "effective_n": round(info.effective_n, 1) if info.applied else None,
        "max_weight": info.cap if info.applied else None,
    }


def _weighted_json(result: QuestionResult, key: str) -> dict[str, Any] | None:
    if not result.weighted or key not in result.weighted:
        return None
    share, interval = result.weighted[key]
    return {"percent": round(share, 1), "interval": None if interval is None else list(interval)}


def _statement_text(result: QuestionResult, key: str) -> str:
    for statement in getattr(result.question.settings, "statements", None) or []:
        if statement.id == key:
            return localise(statement.text, "nl")
    return key


def differences(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Per answer, the published percentage in ``old`` and ``new`` (for the organiser's
    preview before publishing); rows whose shown numbers did not change are left out."""
    before = _flat(old) if old else {}
    rows = []
    for key, (question, answer, value) in _flat(new).items():
        earlier = before.get(key, (question, answer, None))[2]
        if earlier != value:
            rows.append({"question": question, "answer": answer, "before": earlier, "after": value})
    return rows


def _flat(data: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str, Any]]:
    flat: dict[tuple[str, str], tuple[str, str, Any]] = {}

    def walk(question: dict[str, Any], prefix: str, title: str) -> None:
        qid = prefix + question["id"]
        text = title + question["text"]
        for answer in question["answers"]:
            flat[(qid, answer["value"])] = (text, answer["label"], answer["percent"])
        if question["mean"] is not None or question["kind"] == "number":
            flat[(qid, "mean")] = (text, "gemiddelde", question["mean"])
        for part in question.get("parts", []):
            walk(part, qid + ".", text + ": ")

    for question in data["questions"]:
        walk(question, "", "")
    return flat
