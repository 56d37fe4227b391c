"""A round design cannot point a round's survey outside the surveys (security review,
finding 9): `settings.survey_id` names a collection on disk."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from vliegwiel.rounds.io import import_design
from vliegwiel.rounds.model import ROUNDS, TIMEZONE, RoundError

T0 = datetime(2026, 5, 1, tzinfo=TIMEZONE)


def _design(**settings) -> str:
    return json.dumps(
        {
            "format": "vliegwiel-round-design",
            "version": 1,
            "title": "Dorpsbudget",
            "settings": {"method": "approval", "seats": 1, **settings},
            "phases": [
                {"kind": "survey", "offset_days": 0, "duration_days": 7},
                {"kind": "ideas", "offset_days": 7, "duration_days": 7},
            ],
        }
    )


@pytest.mark.parametrize("survey_id", ["../../etc", "a/b", "Groen", 7, ["groen"], "x" * 65])
def test_a_design_with_a_bad_survey_id_is_refused(village, survey_id):
    with pytest.raises(RoundError, match="Geen geldige enquête-id"):
        import_design(village, _design(survey_id=survey_id), start=date(2026, 6, 1), now=T0)
    assert village.storage.count(ROUNDS) == 0


def test_a_design_keeps_only_known_settings(village):
    record, _notes = import_design(
        village, _design(survey_id="groen", extra="x"), start=date(2026, 6, 1), now=T0
    )
    assert record["settings"]["survey_id"] == "groen"
    assert "extra" not in record["settings"]


def test_a_stored_round_with_a_bad_survey_id_does_not_break_the_flywheel(app, village):
    # A round imported before this check could still hold one.
    record, _notes = import_design(village, _design(), start=date(2026, 1, 1), now=T0)
    settings = {**record["settings"], "survey_id": "../../etc"}
    village.storage.update(ROUNDS, record["id"], {"settings": settings, "scheduled": True})
    assert app.test_client().get("/vliegwiel").status_code == 200
