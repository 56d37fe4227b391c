"""Survey rounds (waves) and trends: each round protected on its own, change per question."""

from __future__ import annotations

import pytest
from results_data import write_wijkpeiling

from vliegwiel.results.tallies import compute_results
from vliegwiel.results.trends import compute_trends
from vliegwiel.results.waves import start_wave, waves_of
from vliegwiel.surveys.responses import save_response


def _answer(village, survey, mening: str, n: int, when: str) -> None:
    for _ in range(n):
        save_response(village, survey, {"wijk": "noord", "mening": mening}, submitted_at=when)


@pytest.fixture
def two_rounds(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    app = make_app()
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    _answer(village, survey, "ja", 6, "2025-03-01T10:00:00+00:00")
    _answer(village, survey, "nee", 6, "2025-03-02T10:00:00+00:00")
    start_wave(village.storage, survey.id, "2026", at="2026-01-01T00:00:00+00:00")
    _answer(village, survey, "ja", 9, "2026-03-01T10:00:00+00:00")
    _answer(village, survey, "nee", 3, "2026-03-02T10:00:00+00:00")
    return app, village, survey


def test_results_default_to_the_latest_round(two_rounds) -> None:
    app, village, survey = two_rounds
    with app.test_request_context():
        latest = compute_results(village, survey)
        first = compute_results(village, survey, wave="Ronde 1")
    assert latest.wave == "2026" and latest.respondents == 12
    mening = {q.question.id: q for q in latest.questions}["mening"]
    # 3 is small in this round, and 9 would give it away: 12 - 9.
    assert mening.counts.cells == {"ja": None, "nee": None}
    assert first.respondents == 12
    assert {q.question.id: q for q in first.questions}["mening"].counts.cells == {
        "ja": 6,
        "nee": 6,
    }


def test_trend_shows_the_change_per_question(two_rounds) -> None:
    app, village, survey = two_rounds
    with app.test_request_context():
        trends = {t.question.id: t for t in compute_trends(village, survey)}
        chart = trends["mening"].chart()
    assert trends["mening"].x_labels == ["Ronde 1", "2026"]
    assert trends["mening"].series["Ja"] == [50.0, None]  # 75% would reveal the 3
    assert "<svg" in chart and "Ronde 1: 50" in chart


def test_round_labels_are_unique(two_rounds) -> None:
    _app, village, survey = two_rounds
    with pytest.raises(ValueError):
        start_wave(village.storage, survey.id, "2026")
    assert [w.label for w in waves_of(village.storage, survey.id)] == ["Ronde 1", "2026"]


def test_organiser_starts_a_round_on_the_page(instance_dir, client) -> None:
    client.login("beheerder")
    response = client.post_form(
        "/beheer/uitslag/dorpsenquete/ronde",
        {"label": "Najaar 2027"},
        page="/beheer/uitslag/dorpsenquete",
    )
    assert response.status_code == 302
    page = client.get("/beheer/uitslag/dorpsenquete").get_data(as_text=True)
    assert '<option value="Najaar 2027" selected>' in page
