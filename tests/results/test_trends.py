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
    assert latest.wave_label == "2026" and latest.respondents == 12
    assert latest.wave == waves_of(village.storage, survey.id)[-1].id
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
    (wave,) = [
        w
        for w in waves_of(client.application.extensions["vliegwiel"].storage, "dorpsenquete")
        if w.label == "Najaar 2027"
    ]
    assert f'<option value="{wave.id}" selected>Najaar 2027</option>' in page


def test_rounds_are_kept_apart_by_id_whatever_the_interface_language(two_rounds) -> None:
    """A round labelled "Ronde 1" while the interface was English (where the first round is
    "Round 1") must not merge with the first round when read in Dutch."""
    from flask_babel import force_locale

    app, village, survey = two_rounds
    with app.test_request_context(), force_locale("en"):
        assert waves_of(village.storage, survey.id)[0].label == "Round 1"
        start_wave(village.storage, survey.id, "Ronde 1", at="2027-01-01T00:00:00+00:00")
    _answer(village, survey, "ja", 5, "2027-03-01T10:00:00+00:00")
    with app.test_request_context():
        waves = waves_of(village.storage, survey.id)
        assert [w.label for w in waves] == ["Ronde 1", "2026", "Ronde 1"]
        assert len({w.id for w in waves}) == 3
        latest = compute_results(village, survey)
        first = compute_results(village, survey, wave=waves[0].id)
        trends = {t.question.id: t for t in compute_trends(village, survey)}
    assert latest.respondents == 5 and latest.wave == waves[2].id
    assert first.respondents == 12 and first.wave == waves[0].id
    assert trends["mening"].series["Ja"] == [50.0, None, 100.0]
