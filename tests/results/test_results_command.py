"""``vliegwiel results SURVEY [--published] [--json]``: the protected results for scripts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from publishing import publish_survey
from results_data import fill_wijkpeiling, write_wijkpeiling

from vliegwiel.cli.main import main
from vliegwiel.surveys.responses import save_response


@pytest.fixture
def wijk_app(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    app = make_app()
    fill_wijkpeiling(app.extensions["vliegwiel"])  # 21 responses
    return app


def _run(instance_dir, *args: str):
    return CliRunner().invoke(
        main, ["results", "wijkpeiling", "--instance", str(instance_dir), *args]
    )


def test_json_holds_the_protected_numbers_with_null_for_hidden(wijk_app, instance_dir) -> None:
    result = _run(instance_dir, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"survey", "respondents", "published_at", "questions"}
    assert data["survey"] == "wijkpeiling"
    assert data["respondents"] == 20  # what a lezer sees: steps of k = 5
    assert data["published_at"] is None
    wijk = next(q for q in data["questions"] if q["id"] == "wijk")
    assert set(wijk) >= {"id", "respondents", "answers", "mean", "median"}
    # 10 of 20: the Wilson interval 29.9 %-70.1 % (no households set: no correction);
    # a hidden count has no interval either, so it cannot be worked out from one
    assert wijk["answers"] == [
        {
            "value": "noord",
            "label": "Noord",
            "count": 10,
            "percent": 50.0,
            "interval": [29.9, 70.1],
            "weighted": None,
        },
        {
            "value": "zuid",
            "label": "Zuid",
            "count": None,
            "percent": None,
            "interval": None,
            "weighted": None,
        },
        {
            "value": "oost",
            "label": "Oostkant",
            "count": None,
            "percent": None,
            "interval": None,
            "weighted": None,
        },
    ]
    assert data["confidence"] == 0.95 and data["weighting"] is None
    assert wijk["respondents"] == 20 and wijk["mean"] is None and wijk["median"] is None
    idee = next(q for q in data["questions"] if q["id"] == "idee")
    assert idee["answers"] == [] and idee["respondents"] == 5
    assert "<script>" not in result.output  # never a free text


def test_published_prints_the_latest_publication(wijk_app, instance_dir) -> None:
    refused = _run(instance_dir, "--published", "--json")
    assert refused.exit_code != 0 and "heeft nog geen publicatie" in refused.output

    publish_survey(wijk_app, "wijkpeiling")
    village = wijk_app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    for _ in range(5):
        save_response(village, survey, {"wijk": "noord", "mening": "ja"})
    published = json.loads(_run(instance_dir, "--published", "--json").output)
    assert published["respondents"] == 20 and published["published_at"]
    live = json.loads(_run(instance_dir, "--json").output)
    assert live["respondents"] == 25 and live["published_at"] is None


def test_text_output_shows_hidden_numbers_as_a_dash(wijk_app, instance_dir) -> None:
    result = _run(instance_dir)
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["Noord", "10", "50%", "(30-70%)"] in lines
    assert ["Zuid", "-", "-"] in lines


def test_unknown_survey_is_a_clear_error(instance_dir) -> None:
    result = CliRunner().invoke(main, ["results", "nope", "--instance", str(instance_dir)])
    assert result.exit_code != 0 and "onbekende enquête 'nope'" in result.output
