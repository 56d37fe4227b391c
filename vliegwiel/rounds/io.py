"""Data out of a round (CSV and JSON for organisers) and its design in and out: one JSON file
with phases, settings and linked survey definitions, no resident data, so another village can
import a pilot and adapt it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.storage import Storage
from vliegwiel.core.village import Village
from vliegwiel.rounds.ballots import stored_ballots
from vliegwiel.rounds.count import outcome_now
from vliegwiel.rounds.ideas import all_ideas, support_counts
from vliegwiel.rounds.meetings import meetings_of
from vliegwiel.rounds.model import TIMEZONE, RoundError, collection, create_round, phases_of
from vliegwiel.rounds.pledges import all_pledges, totals
from vliegwiel.rounds.voting import explain
from vliegwiel.surveys.export import neutralise
from vliegwiel.surveys.loader import SurveyError, load_survey_text

DESIGN_FORMAT = "vliegwiel-round-design"
DESIGN_VERSION = 1
#: Never exported: they identify (pseudonymously) or reach a person.
PRIVATE_FIELDS = ("participant", "name", "contact")


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in PRIVATE_FIELDS}


def round_data(storage: Storage, record: dict[str, Any]) -> dict[str, Any]:
    """Everything of a round an export holds: no participant keys, names or contacts."""
    round_id = record["id"]
    outcome = outcome_now(storage, record).outcome
    return {
        "round": record,
        "ideas": [_public(i) for i in all_ideas(storage, round_id)],
        "supports": support_counts(storage, round_id),
        "comments": [_public(c) for c in storage.all(collection(round_id, "comments"))],
        "ballots": [_public(b) for b in stored_ballots(storage, round_id)],
        "outcome": None
        if outcome is None
        else {
            "method": outcome.method,
            "selected": outcome.selected,
            "scores": {k: str(v) for k, v in outcome.scores.items()},
            "explanations": {k: explain(r) for k, r in outcome.reasons.items()},
        },
        "pledges": [_public(p) for p in all_pledges(storage, round_id)],
        "meetings": meetings_of(storage, round_id),
    }


def export_json(storage: Storage, record: dict[str, Any]) -> str:
    return json.dumps(round_data(storage, record), ensure_ascii=False, indent=2)


CSV_HEADER = [
    "idea_id", "title", "theme", "state", "wants_to_help", "supports", "shortlisted", "cost",
    "score", "chosen", "decision", "decision_reason", "volunteers", "hours_per_month", "money",
]  # fmt: skip


def export_csv(storage: Storage, record: dict[str, Any]) -> str:
    """One row per idea with its supports, vote, decision and pledge totals."""
    round_id = record["id"]
    supports = support_counts(storage, round_id)
    outcome = outcome_now(storage, record).outcome
    pledged = totals(storage, round_id)
    rows: list[list[Any]] = [CSV_HEADER]
    for idea in all_ideas(storage, round_id):
        state = "merged" if idea.get("merged_into") else "hidden" if idea["hidden"] else "visible"
        p = pledged.get(idea["id"], {})
        score = outcome.scores.get(idea["id"], "") if outcome else ""
        rows.append(
            [
                idea["id"],
                idea["title"],
                idea["theme"],
                state,
                int(idea["wants_to_help"]),
                supports.get(idea["id"], 0),
                int(idea["shortlisted"]),
                idea["cost"],
                str(score),
                int(bool(outcome and idea["id"] in outcome.selected)),
                idea.get("decision") or "",
                idea.get("decision_reason", ""),
                p.get("people", 0),
                p.get("hours", 0),
                p.get("money", 0),
            ]  # fmt: skip
        )
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[neutralise(c) for c in r] for r in rows])
    return out.getvalue()


# --- design -------------------------------------------------------------------------------------


def export_design(village: Village, record: dict[str, Any]) -> str:
    """The round's design as JSON: phase lengths relative to the first phase, settings and
    the linked survey's YAML text. Nothing residents wrote."""
    phases = phases_of(record)
    origin = phases[0].start if phases else None
    design_phases = [
        {
            "kind": p.kind,
            "offset_days": (p.start - origin).days if origin else 0,
            "duration_days": (p.end - p.start).days if p.end else None,
        }
        for p in phases
    ]
    surveys = []
    survey_id = record["settings"].get("survey_id")
    path = village.surveys.path(survey_id) if survey_id else None
    if path is not None:
        surveys.append({"id": survey_id, "file": path.name, "text": path.read_text("utf-8")})
    design = {
        "format": DESIGN_FORMAT,
        "version": DESIGN_VERSION,
        "title": record["title"],
        "theme": record["theme"],
        "purpose": record["purpose"],
        "settings": record["settings"],
        "phases": design_phases,
        "surveys": surveys,
    }
    return json.dumps(design, ensure_ascii=False, indent=2)


def import_design(
    village, text: str, *, start: date, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    """Create an unscheduled draft round from a design, its first phase starting on ``start``.

    A linked survey is added to surveys/ when the instance has none with that id; an existing
    survey with the same id is kept as it is (noted in the returned messages). Raises
    RoundError (Dutch) for a file that is not a valid design; nothing is written then.
    """
    try:
        design = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RoundError(_("Dit bestand is geen JSON.")) from None
    if not isinstance(design, dict) or design.get("format") != DESIGN_FORMAT:
        raise RoundError(_("Dit bestand is geen ontwerp van een ronde."))
    if design.get("version") != DESIGN_VERSION:
        raise RoundError(_("Deze versie van het rondeontwerp wordt niet ondersteund."))
    try:
        origin = datetime.combine(start, datetime.min.time(), tzinfo=TIMEZONE)
        phases = []
        for p in design.get("phases", []):
            begin = origin + timedelta(days=int(p["offset_days"]))
            duration = p.get("duration_days")
            end = begin + timedelta(days=int(duration)) if duration is not None else None
            phases.append(
                {
                    "kind": p["kind"],
                    "start": begin.isoformat(),
                    "end": end.isoformat() if end else None,
                }
            )
        title, settings = str(design["title"]), dict(design["settings"])
    except (KeyError, TypeError, ValueError):
        raise RoundError(_("Het ontwerp is onvolledig of beschadigd.")) from None
    new_surveys, notes = [], []
    for item in design.get("surveys", []):
        try:
            survey = load_survey_text(item["text"], item["file"], village.question_types)
        except SurveyError as error:
            raise RoundError(_("De enquête in het ontwerp bevat fouten: %(e)s", e=error)) from None
        if village.surveys.get(survey.id) is not None:
            notes.append(_("De enquête %(id)s bestond al en is niet vervangen.", id=survey.id))
        else:
            new_surveys.append((survey.id, item["text"]))
    record = create_round(
        village.storage,
        title=title,
        theme=str(design.get("theme", "")),
        purpose=str(design.get("purpose", "")),
        phases=phases,
        settings=settings,
        now=now,
        origin=title,
    )
    for survey_id, survey_text in new_surveys:
        target = village.instance_dir / "surveys" / f"{survey_id}.yaml"
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(survey_text, encoding="utf-8")
        tmp.replace(target)
        notes.append(_("De enquête %(id)s is toegevoegd.", id=survey_id))
    return record, notes
