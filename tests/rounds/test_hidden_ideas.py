"""A hidden idea's title appears nowhere a resident looks (security review, finding 3)."""

from __future__ import annotations

from datetime import datetime

from round_helpers import make_round, submit_idea, text

from vliegwiel.rounds.ideas import merge_ideas, set_decision
from vliegwiel.rounds.meetings import create_meeting
from vliegwiel.rounds.model import ROUNDS, TIMEZONE

SECRET = "Reclame voor Bakkerij Geheim"


def test_a_hidden_idea_is_hidden_everywhere(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    resident = app.test_client()
    secret = submit_idea(resident, round_id, SECRET)
    other = submit_idea(resident, round_id, "Bankjes bij de kerk")
    duplicate = submit_idea(resident, round_id, "Nog meer bankjes")
    storage = village.storage
    meeting = create_meeting(
        storage,
        round_id,
        title="Dorpsavond",
        starts_at=datetime(2026, 3, 12, 19, tzinfo=TIMEZONE),
        place="Dorpshuis",
        idea_ids=[secret, other],
    )
    set_decision(storage, round_id, secret, "niet_nu", "Geen idee voor het dorp")
    set_decision(storage, round_id, other, "pilot", "Start in april")
    merge_ideas(storage, round_id, duplicate, secret)
    organiser.post_form(
        f"/beheer/rondes/{round_id}/idee/{secret}/verbergen",
        {"reason": "Dit is reclame."},
        page=f"/beheer/rondes/{round_id}/ideeen",
    )
    storage.update(ROUNDS, round_id, {"results_published": True})
    clock.set("2026-03-30T10:00")

    pages = {
        "idea": resident.get(f"/ronde/{round_id}/idee/{secret}"),
        "ideas": resident.get(f"/ronde/{round_id}/ideeen"),
        "meeting": resident.get(f"/ronde/{round_id}/bijeenkomst/{meeting['id']}"),
        "round": resident.get(f"/ronde/{round_id}"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert "Bakkerij Geheim" not in response.get_data(as_text=True), name
    assert "Dit is reclame." in text(pages["idea"])
    assert "<title>Verborgen idee" in text(pages["idea"])
    # What is not hidden is still there.
    assert "Bankjes bij de kerk" in text(pages["meeting"])
    assert "Start in april" in text(pages["round"])
